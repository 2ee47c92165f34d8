// The A/B winner rule and variant assignment (domain/ab_test.h). Expected
// values were computed independently with Python's math and hashlib:
//
//   def logL(na, xa, nb, xb):
//       p = (xa + xb) / (na + nb); V = p * (1 - p) * (1 / na + 1 / nb)
//       t2 = (0.5 * p) ** 2; d = xa / na - xb / nb
//       return 0.5 * math.log(V / (V + t2)) + t2 * d * d / (2 * V * (V + t2))
//   def assign(c, l, s, w):
//       u = int(hashlib.sha256(f"{c}/{l}/{s}".encode()).hexdigest()[:16], 16) / 2**64
//       ... the first i with u * sum(w) < w[0] + ... + w[i]
#include <gtest/gtest.h>

#include "domain/ab_test.h"
#include "domain/campaign.h"
#include "domain/sequence.h"

namespace leadterra::domain {
namespace {

AbTestSettings Auto(int64_t min_sends = 100, double confidence = 0.95) {
  AbTestSettings s;
  s.auto_select_winner = true;
  s.min_sends_per_variant = min_sends;
  s.confidence = confidence;
  return s;
}

TEST(AbTestRule, LikelihoodRatioMatchesIndependentValues) {
  EXPECT_NEAR(LogMixtureLikelihoodRatio({1000, 20}, {1000, 40}), 1.9390774240318653, 1e-12);
  EXPECT_NEAR(LogMixtureLikelihoodRatio({2000, 40}, {2000, 70}), 2.6412492827849325, 1e-12);
  EXPECT_NEAR(LogMixtureLikelihoodRatio({500, 10}, {500, 10}), -0.41110214639477344, 1e-12);
  // Symmetric in the two variants.
  EXPECT_DOUBLE_EQ(LogMixtureLikelihoodRatio({2000, 70}, {2000, 40}),
                   LogMixtureLikelihoodRatio({2000, 40}, {2000, 70}));
}

TEST(AbTestRule, TwoVariantsDecideExactlyAtTheThreshold) {
  // log(1 / 0.05) = 2.9957: 71 replies give 2.857, 72 give 3.078.
  EXPECT_FALSE(ChooseWinner({{2000, 40}, {2000, 71}}, Auto()).has_value());
  EXPECT_EQ(ChooseWinner({{2000, 40}, {2000, 72}}, Auto()), std::optional<size_t>(1));
  EXPECT_EQ(ChooseWinner({{2000, 72}, {2000, 40}}, Auto()), std::optional<size_t>(0));
}

TEST(AbTestRule, MoreVariantsNeedMoreEvidence) {
  // Three variants: 3 pairs, log(3 / 0.05) = 4.094; 76 replies give 4.005
  // against each 40, 77 give 4.248.
  EXPECT_FALSE(ChooseWinner({{2000, 40}, {2000, 40}, {2000, 76}}, Auto()).has_value());
  EXPECT_EQ(ChooseWinner({{2000, 40}, {2000, 40}, {2000, 77}}, Auto()), std::optional<size_t>(2));
  // The leader must beat every other variant, not only the worst.
  EXPECT_FALSE(ChooseWinner({{2000, 40}, {2000, 75}, {2000, 77}}, Auto()).has_value());
}

TEST(AbTestRule, EdgeCasesChooseNothing) {
  EXPECT_FALSE(ChooseWinner({{5000, 0}, {5000, 0}}, Auto()).has_value());      // no replies
  EXPECT_FALSE(ChooseWinner({{300, 300}, {300, 300}}, Auto()).has_value());    // all replied
  EXPECT_FALSE(ChooseWinner({{4000, 200}, {4000, 200}}, Auto()).has_value());  // a tie
  EXPECT_FALSE(ChooseWinner({{99, 0}, {2000, 400}}, Auto()).has_value());      // too few sends
  EXPECT_FALSE(ChooseWinner({{2000, 40}}, Auto()).has_value());                // one variant
  EXPECT_FALSE(
      ChooseWinner({{2000, 0}, {2000, 40}, {2000, 40}}, Auto()).has_value());  // tie on top
  // A higher confidence asks for more.
  EXPECT_EQ(ChooseWinner({{2000, 40}, {2000, 72}}, Auto(100, 0.9)), std::optional<size_t>(1));
  EXPECT_FALSE(ChooseWinner({{2000, 40}, {2000, 72}}, Auto(100, 0.99)).has_value());
  // Zero replies against some: decided once the evidence is there.
  EXPECT_EQ(ChooseWinner({{400, 0}, {400, 20}}, Auto()), std::optional<size_t>(1));
}

TEST(AbTestRule, NaiveRuleTakesTheLeaderAtN) {
  EXPECT_FALSE(NaiveWinner({{99, 1}, {100, 0}}, 100).has_value());
  EXPECT_EQ(NaiveWinner({{100, 1}, {100, 2}}, 100), std::optional<size_t>(1));
  EXPECT_EQ(NaiveWinner({{100, 2}, {100, 2}}, 100), std::optional<size_t>(0));
}

TEST(AbTestSettingsValidation, ReportsParams) {
  EXPECT_TRUE(ValidateAbTest(Auto()).ok());
  EXPECT_EQ(ValidateAbTest(Auto(0)).param(), "abTest.minSendsPerVariant");
  EXPECT_EQ(ValidateAbTest(Auto(100, 0.4)).param(), "abTest.confidence");
  EXPECT_EQ(ValidateAbTest(Auto(100, 1.0)).param(), "abTest.confidence");
}

TEST(VariantAssignment, MatchesIndependentHashAndIsStable) {
  // Python: lead_01..04 -> 0 and lead_05, lead_06 -> 1 for weights [50, 50]
  // at step 1; all six -> 2 for [10, 30, 60] at step 2.
  const char* leads[] = {"lead_01", "lead_02", "lead_03", "lead_04", "lead_05", "lead_06"};
  const size_t halves[] = {0, 0, 0, 0, 1, 1};
  for (size_t i = 0; i < 6; ++i) {
    EXPECT_EQ(AssignVariant("camp_x", leads[i], 1, {50, 50}), halves[i]) << leads[i];
    EXPECT_EQ(AssignVariant("camp_x", leads[i], 2, {10, 30, 60}), 2u) << leads[i];
  }
  EXPECT_EQ(AssignVariant("camp_x", "lead_01", 1, {50}), 0u);
}

TEST(VariantAssignment, FollowsTheWeights) {
  // 20,000 leads at weights 1:3; the share of variant 1 is 0.75 within
  // 5 standard deviations (0.0031 each).
  int second = 0;
  for (int i = 0; i < 20000; ++i) {
    second += AssignVariant("camp_w", "lead_" + std::to_string(i), 1, {25, 75}) == 1;
  }
  EXPECT_NEAR(second / 20000.0, 0.75, 5 * 0.0031);
}

Step VariantStep(std::vector<std::string> labels) {
  Step step;
  for (const auto& label : labels) {
    Variant v;
    v.label = label;
    v.subject = "S " + label;
    v.body_html = "<p>" + label + "</p>";
    step.variants.push_back(v);
  }
  return step;
}

TEST(CarryVariants, KeepsIdsByLabelAndWinnersWhileTheirVariantLives) {
  int next = 0;
  auto new_id = [&] { return "var_" + std::to_string(++next); };
  std::vector<Step> old = {VariantStep({"A", "B"})};
  ASSERT_TRUE(CarryVariants({}, old, {}, new_id, 10).ok());
  EXPECT_EQ(old[0].variants[0].id, "var_1");
  EXPECT_EQ(old[0].variants[1].id, "var_2");
  const std::vector<Step> first = old;
  ASSERT_TRUE(CarryVariants(first, old, {std::string("var_2")}, new_id, 10).ok());
  EXPECT_EQ(old[0].winner_variant_id, "var_2");
  EXPECT_EQ(old[0].winner_selected_at, std::optional<int64_t>(10));

  // B kept (reordered), C added: B keeps its id and stays the winner.
  std::vector<Step> edited = {VariantStep({"C", "B"})};
  ASSERT_TRUE(CarryVariants(old, edited, {std::nullopt}, new_id, 20).ok());
  EXPECT_EQ(edited[0].variants[0].id, "var_3");
  EXPECT_EQ(edited[0].variants[1].id, "var_2");
  EXPECT_EQ(edited[0].winner_variant_id, "var_2");
  EXPECT_EQ(edited[0].winner_selected_at, std::optional<int64_t>(10));
  EXPECT_TRUE(NewWinners(old, edited).empty());

  // The winner removed: no winner.
  std::vector<Step> removed = {VariantStep({"A", "C"})};
  ASSERT_TRUE(CarryVariants(edited, removed, {}, new_id, 30).ok());
  EXPECT_EQ(removed[0].winner_variant_id, "");
  // A winner that is not a variant of the step, and clearing one.
  EXPECT_EQ(CarryVariants(old, edited, {std::string("var_9")}, new_id, 40).param(),
            "sequenceSteps[0].winnerVariantId");
  std::vector<Step> cleared = {VariantStep({"A", "B"})};
  ASSERT_TRUE(CarryVariants(old, cleared, {std::string()}, new_id, 50).ok());
  EXPECT_EQ(cleared[0].winner_variant_id, "");
  std::vector<Step> chosen = {VariantStep({"A", "B"})};
  ASSERT_TRUE(CarryVariants(cleared, chosen, {std::string("var_1")}, new_id, 60).ok());
  EXPECT_EQ(NewWinners(cleared, chosen), std::vector<int>{1});
}

TEST(CarryVariants, RunningCampaignsMayOnlyChangeWinners) {
  int next = 0;
  auto new_id = [&] { return "var_" + std::to_string(++next); };
  Campaign c;
  c.steps = {VariantStep({"A", "B"})};
  ASSERT_TRUE(CarryVariants({}, c.steps, {}, new_id, 1).ok());
  c.status = CampaignStatus::kRunning;
  std::vector<Step> pick = {VariantStep({"A", "B"})};
  ASSERT_TRUE(CarryVariants(c.steps, pick, {std::string("var_1")}, new_id, 2).ok());
  EXPECT_TRUE(ReplaceSteps(c, pick, 2).ok());
  EXPECT_EQ(c.steps[0].winner_variant_id, "var_1");
  std::vector<Step> add = {VariantStep({"A", "B", "C"})};
  ASSERT_TRUE(CarryVariants(c.steps, add, {}, new_id, 3).ok());
  EXPECT_EQ(ReplaceSteps(c, add, 3).code(), ErrorCode::kInvalidState);
}

TEST(VariantValidation, NamesTheField) {
  std::vector<Step> steps = {Step(0, "Hi", "<p>x</p>"), VariantStep({"A", "B"})};
  EXPECT_TRUE(ValidateSteps(steps).ok());
  steps[1].variants[0].body_html.clear();
  EXPECT_EQ(ValidateSteps(steps).param(), "sequenceSteps[1].variants[0].bodyHtml");
  steps[1] = VariantStep({"A", "A"});
  EXPECT_EQ(ValidateSteps(steps).param(), "sequenceSteps[1].variants[1].label");
  steps[1] = VariantStep({"A"});
  EXPECT_EQ(ValidateSteps(steps).param(), "sequenceSteps[1].variants");
  steps[1] = VariantStep({"A", "B", "C", "D", "E", "F"});
  EXPECT_EQ(ValidateSteps(steps).param(), "sequenceSteps[1].variants");
  steps[1] = VariantStep({"A", "B"});
  steps[1].variants[1].weight = 0;
  EXPECT_EQ(ValidateSteps(steps).param(), "sequenceSteps[1].variants[1].weight");
  // The first step's variants each need a subject; later ones may thread.
  steps = {VariantStep({"A", "B"})};
  steps[0].variants[1].subject.clear();
  EXPECT_EQ(ValidateSteps(steps).param(), "sequenceSteps[0].variants[1].subject");
}

TEST(VariantRendering, FollowUpsThreadUnderTheVariantTheLeadGot) {
  std::vector<Step> steps = {VariantStep({"A", "B"}), Step(2, "", "<p>again {{firstName}}</p>"),
                             VariantStep({"X", "Y"})};
  steps[0].variants[0].id = "var_a";
  steps[0].variants[1].id = "var_b";
  steps[2].variants[0].id = "var_x";
  steps[2].variants[1].id = "var_y";
  steps[2].variants[1].subject.clear();  // Y threads too
  const CompiledSequence sequence(steps);
  const FieldLookup lookup = [](std::string_view name) -> std::optional<std::string_view> {
    if (name == "firstName") return std::string_view("Ann");
    return std::nullopt;
  };
  EXPECT_EQ(sequence.Render(0, {"var_b"}, lookup).subject, "S B");
  EXPECT_EQ(sequence.Render(0, {"var_b"}, lookup).body_html, "<p>B</p>");
  EXPECT_EQ(sequence.Render(1, {"var_b", ""}, lookup).subject, "Re: S B");
  EXPECT_EQ(sequence.Render(1, {"var_a", ""}, lookup).subject, "Re: S A");
  EXPECT_EQ(sequence.Render(1, {"var_a", ""}, lookup).body_html, "<p>again Ann</p>");
  EXPECT_EQ(sequence.Render(2, {"var_b", "", "var_y"}, lookup).subject, "Re: S B");
  EXPECT_EQ(sequence.Render(2, {"var_b", "", "var_x"}, lookup).subject, "S X");
  // An unknown (removed) variant renders the first.
  EXPECT_EQ(sequence.Render(0, {"var_gone"}, lookup).subject, "S A");
  const auto uses = sequence.TokenUses();
  ASSERT_EQ(uses.size(), 1u);
  EXPECT_EQ(uses[0].step_numbers, std::vector<int>{2});
  EXPECT_TRUE(uses[0].variants.empty());
}

}  // namespace
}  // namespace leadterra::domain
