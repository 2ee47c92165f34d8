// Fuzzes the request-body -> campaign path: JSON parsing with limits, the
// create and patch parsers, domain validation, and serialization of whatever
// parses. Any crash, sanitizer report or exception is a bug.
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
    if (input->steps) campaign.steps = *input->steps;
    std::string out = boost::json::serialize(leadterra::api::CampaignToJson(campaign));
    if (out.empty()) __builtin_trap();
  }
  return 0;
}
