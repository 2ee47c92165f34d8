// A/B variants of a step (SPEC §11): how a lead is given a variant, and the
// rule that picks a winner. Pure functions; thread-safe.
//
// The winner rule is a mixture sequential probability ratio test (mSPRT,
// Johari, Koomen, Pekelis & Walsh, "Always valid inference", 2017) on the
// difference of two reply rates, with a normal mixing distribution:
//
//   p = (xa + xb) / (na + nb)                 pooled reply rate
//   V = p (1 - p) (1/na + 1/nb)               variance of the difference under H0
//   d = xa/na - xb/nb                         observed difference
//   t2 = (kTauRelative * p)^2                 mixing variance (effects ~ half the rate)
//   L = sqrt(V / (V + t2)) * exp(t2 d^2 / (2 V (V + t2)))
//
// Under "equal rates" L is (approximately) a nonnegative martingale with mean
// 1, so by Ville's inequality the chance that it EVER reaches 1/a is at most
// a, however often it is checked. A step with k variants has k(k-1)/2 pairs;
// each is tested at a / (k(k-1)/2) (Bonferroni), so the chance of any false
// pairwise claim, at any time, is at most a = 1 - confidence. The leader
// (highest reply rate, no tie) wins once every variant has
// minSendsPerVariant delivered and the leader beats each other variant.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "util/status.h"

namespace leadterra::domain {

struct AbTestSettings {
  bool auto_select_winner = false;
  int64_t min_sends_per_variant = 100;
  double confidence = 0.95;
};
inline constexpr int64_t kMaxMinSendsPerVariant = 1'000'000;
inline constexpr double kMinConfidence = 0.5;
inline constexpr double kMaxConfidence = 0.9999;
// The mixing standard deviation as a share of the pooled rate.
inline constexpr double kTauRelative = 0.5;

// Params "abTest.minSendsPerVariant" (1..1,000,000) and "abTest.confidence"
// (0.5..0.9999).
Status ValidateAbTest(const AbTestSettings& settings);

// Delivered sends and replies of one variant.
struct VariantTally {
  int64_t delivered = 0;
  int64_t replied = 0;
};

// log L for "a's reply rate differs from b's" (0 when nothing can be said:
// no sends, or a pooled rate of 0 or 1).
double LogMixtureLikelihoodRatio(const VariantTally& a, const VariantTally& b);

// The winning variant's index in `tallies` (2 or more), or nullopt.
std::optional<size_t> ChooseWinner(const std::vector<VariantTally>& tallies,
                                   const AbTestSettings& settings);

// The naive rule the paid products use, for comparison in the simulation:
// the highest reply rate once every variant has `min_sends` delivered (the
// first on a tie).
std::optional<size_t> NaiveWinner(const std::vector<VariantTally>& tallies, int64_t min_sends);

// A lead's variant of one step: weights (1..100 each) split [0, 1) into
// consecutive ranges, and the lead takes the range holding
// u = the first 8 bytes of SHA-256("<campaignId>/<leadId>/<stepNumber>"),
// read big-endian, divided by 2^64. Deterministic, so a retry, a crash or
// a second node gives the same answer. Returns an index into `weights`.
size_t AssignVariant(std::string_view campaign_id, std::string_view lead_id, int step_number,
                     const std::vector<int>& weights);

}  // namespace leadterra::domain
