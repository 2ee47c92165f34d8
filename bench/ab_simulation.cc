// Simulates the A/B winner rule (domain/ab_test.h) against the naive rule
// of the paid products, on campaigns with known true reply rates. Each
// simulated campaign sends to its variants in turn (equal weights); every
// send is delivered and replied to with its variant's true rate; both rules
// are checked after every outcome, as the engine may check them.
//
//   build/ab_simulation [campaigns per scenario, default 4000] [max sends per variant, 20000]
//
// Prints, per scenario and rule: how often a winner was chosen, how often
// it was a false winner (any variant whose true rate is not above every
// other's), how
// often the truly best won, and the mean sends (all variants) until then.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "domain/ab_test.h"

namespace {

using leadterra::domain::AbTestSettings;
using leadterra::domain::ChooseWinner;
using leadterra::domain::NaiveWinner;
using leadterra::domain::VariantTally;

struct Scenario {
  std::string name;
  std::vector<double> rates;
};

struct RuleResult {
  int decided = 0, false_winner = 0, best_won = 0;
  double sends_sum = 0;
};

// Runs one campaign; `rule` returns the winner's index or nullopt.
template <typename Rule>
void RunCampaign(const Scenario& s, int max_per_variant, std::mt19937_64& rng, Rule rule,
                 RuleResult& out) {
  const size_t k = s.rates.size();
  double best = 0;
  for (double r : s.rates) best = std::max(best, r);
  std::vector<VariantTally> tallies(k);
  std::uniform_real_distribution<double> unit(0, 1);
  for (int n = 0; n < max_per_variant; ++n) {
    for (size_t v = 0; v < k; ++v) {
      ++tallies[v].delivered;
      if (unit(rng) < s.rates[v]) ++tallies[v].replied;
      const std::optional<size_t> chosen = rule(tallies);
      if (!chosen) continue;
      const size_t winner = *chosen;
      ++out.decided;
      // A winner is false unless its true rate is above every other's
      // (with equal rates every winner is false).
      const bool truly_best =
          s.rates[winner] == best && std::count(s.rates.begin(), s.rates.end(), best) == 1;
      ++(truly_best ? out.best_won : out.false_winner);
      out.sends_sum += static_cast<double>(n) * k + v + 1;
      return;
    }
  }
}

void Print(const std::string& scenario, const std::string& rule, const RuleResult& r,
           int campaigns) {
  const double c = campaigns;
  std::printf("| %-26s | %-22s | %6.1f %% | %6.2f %% | %6.1f %% | %8.0f |\n", scenario.c_str(),
              rule.c_str(), 100.0 * r.decided / c, 100.0 * r.false_winner / c,
              100.0 * r.best_won / c, r.decided > 0 ? r.sends_sum / r.decided : 0.0);
  std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) {
  const int campaigns = argc > 1 ? std::atoi(argv[1]) : 4000;
  const int max_per_variant = argc > 2 ? std::atoi(argv[2]) : 20000;
  const std::vector<Scenario> scenarios = {
      {"equal 2 % vs 2 %", {0.02, 0.02}},
      {"2 % vs 3 %", {0.02, 0.03}},
      {"2 % vs 2.5 %", {0.02, 0.025}},
      {"five: 4 x 2 % and 1 x 3 %", {0.02, 0.02, 0.02, 0.02, 0.03}},
      {"five equal 2 %", {0.02, 0.02, 0.02, 0.02, 0.02}},
  };
  AbTestSettings settings;
  settings.auto_select_winner = true;
  settings.min_sends_per_variant = 100;
  settings.confidence = 0.95;
  std::printf(
      "%d campaigns per scenario, at most %d sends per variant; confidence %.2f, "
      "minSendsPerVariant %lld\n\n",
      campaigns, max_per_variant, settings.confidence,
      static_cast<long long>(settings.min_sends_per_variant));
  std::printf("| %-26s | %-22s | %8s | %8s | %8s | %8s |\n", "true reply rates", "rule", "decided",
              "false winner", "best won", "mean sends");
  std::printf("|---|---|---|---|---|---|\n");
  for (const Scenario& s : scenarios) {
    std::mt19937_64 rng(20261206);
    RuleResult sequential, naive100, naive500;
    for (int i = 0; i < campaigns; ++i) {
      RunCampaign(
          s, max_per_variant, rng, [&](const auto& t) { return ChooseWinner(t, settings); },
          sequential);
      RunCampaign(
          s, max_per_variant, rng, [](const auto& t) { return NaiveWinner(t, 100); }, naive100);
      RunCampaign(
          s, max_per_variant, rng, [](const auto& t) { return NaiveWinner(t, 500); }, naive500);
    }
    Print(s.name, "mSPRT (Leadterra)", sequential, campaigns);
    Print(s.name, "naive, N = 100", naive100, campaigns);
    Print(s.name, "naive, N = 500", naive500, campaigns);
  }
  return 0;
}
