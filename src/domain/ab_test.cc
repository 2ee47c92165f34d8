#include "domain/ab_test.h"

#include <cmath>
#include <numeric>

#include "util/crypto.h"

namespace leadterra::domain {

Status ValidateAbTest(const AbTestSettings& settings) {
  if (settings.min_sends_per_variant < 1 ||
      settings.min_sends_per_variant > kMaxMinSendsPerVariant) {
    return InvalidArgument("minSendsPerVariant must be from 1 to 1000000",
                           "abTest.minSendsPerVariant");
  }
  if (!(settings.confidence >= kMinConfidence && settings.confidence <= kMaxConfidence)) {
    return InvalidArgument("confidence must be from 0.5 to 0.9999 (0.95 = 95%)",
                           "abTest.confidence");
  }
  return Status::Ok();
}

double LogMixtureLikelihoodRatio(const VariantTally& a, const VariantTally& b) {
  if (a.delivered <= 0 || b.delivered <= 0) return 0;
  const double na = static_cast<double>(a.delivered);
  const double nb = static_cast<double>(b.delivered);
  const double pooled = static_cast<double>(a.replied + b.replied) / (na + nb);
  if (pooled <= 0 || pooled >= 1) return 0;
  const double variance = pooled * (1 - pooled) * (1 / na + 1 / nb);
  const double tau2 = (kTauRelative * pooled) * (kTauRelative * pooled);
  const double diff = static_cast<double>(a.replied) / na - static_cast<double>(b.replied) / nb;
  return 0.5 * std::log(variance / (variance + tau2)) +
         tau2 * diff * diff / (2 * variance * (variance + tau2));
}

namespace {

double RateOf(const VariantTally& t) {
  return t.delivered > 0 ? static_cast<double>(t.replied) / static_cast<double>(t.delivered) : 0;
}

bool AllHave(const std::vector<VariantTally>& tallies, int64_t min_sends) {
  for (const VariantTally& t : tallies) {
    if (t.delivered < min_sends) return false;
  }
  return tallies.size() >= 2;
}

}  // namespace

std::optional<size_t> ChooseWinner(const std::vector<VariantTally>& tallies,
                                   const AbTestSettings& settings) {
  if (!AllHave(tallies, std::max<int64_t>(1, settings.min_sends_per_variant))) return std::nullopt;
  size_t leader = 0;
  for (size_t i = 1; i < tallies.size(); ++i) {
    if (RateOf(tallies[i]) > RateOf(tallies[leader])) leader = i;
  }
  const double k = static_cast<double>(tallies.size());
  const double alpha = (1 - settings.confidence) / (k * (k - 1) / 2);
  const double threshold = std::log(1 / alpha);
  for (size_t j = 0; j < tallies.size(); ++j) {
    if (j == leader) continue;
    if (!(RateOf(tallies[leader]) > RateOf(tallies[j]))) return std::nullopt;  // a tie
    if (LogMixtureLikelihoodRatio(tallies[leader], tallies[j]) < threshold) return std::nullopt;
  }
  return leader;
}

std::optional<size_t> NaiveWinner(const std::vector<VariantTally>& tallies, int64_t min_sends) {
  if (!AllHave(tallies, min_sends)) return std::nullopt;
  size_t leader = 0;
  for (size_t i = 1; i < tallies.size(); ++i) {
    if (RateOf(tallies[i]) > RateOf(tallies[leader])) leader = i;
  }
  return leader;
}

size_t AssignVariant(std::string_view campaign_id, std::string_view lead_id, int step_number,
                     const std::vector<int>& weights) {
  if (weights.size() <= 1) return 0;
  std::string seed;
  seed.append(campaign_id)
      .append("/")
      .append(lead_id)
      .append("/")
      .append(std::to_string(step_number));
  const std::string hex = Sha256Hex(seed);
  const uint64_t bits = std::stoull(hex.substr(0, 16), nullptr, 16);
  const double u = std::ldexp(static_cast<double>(bits), -64);
  const double total = std::accumulate(weights.begin(), weights.end(), 0.0);
  double upper = 0;
  for (size_t i = 0; i < weights.size(); ++i) {
    upper += weights[i];
    if (u * total < upper) return i;
  }
  return weights.size() - 1;
}

}  // namespace leadterra::domain
