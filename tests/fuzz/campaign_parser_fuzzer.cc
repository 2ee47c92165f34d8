// Fuzzes the request-body -> campaign path: JSON parsing with limits, the
// create and patch parsers, domain validation, A/B variant ids and winners
// carried from a previous version, and serialization of whatever parses. Any crash, sanitizer
// report or exception is a bug.
#include <boost/json/serialize.hpp>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "api/campaign_codec.h"
#include "api/json_input.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view body(reinterpret_cast<const char*>(data), size);
  auto parsed = leadterra::api::ParseJsonBody(body);
  if (!parsed.ok()) return 0;
  for (bool create : {true, false}) {
    auto input = create ? leadterra::api::ParseCampaignCreate(*parsed)
                        : leadterra::api::ParseCampaignPatch(*parsed);
    if (!input.ok()) continue;
    leadterra::domain::Campaign campaign;
    campaign.id = "camp_01hx4mrqpbcn7wh2gfk9yz6e3s";
    campaign.name = input->name.value_or("x");
    if (input->steps) {
      int next = 0;
      auto new_id = [&] { return "var_" + std::to_string(++next); };
      std::vector<leadterra::domain::Step> old = *input->steps;
      if (!leadterra::domain::CarryVariants({}, old, {}, new_id, 1).ok()) __builtin_trap();
      campaign.steps = *input->steps;
      // Winners may name ids of the previous version or be refused.
      (void)leadterra::domain::CarryVariants(old, campaign.steps, input->winners, new_id, 2);
    }
    if (input->ab_test) (void)input->ab_test->ApplyTo(campaign.ab_test);
    std::string out = boost::json::serialize(leadterra::api::CampaignToJson(campaign));
    if (out.empty()) __builtin_trap();
  }
  return 0;
}
