// Fuzzes the webhook request path: JSON parsing with limits, the create
// parser (URL and event-type validation), and the JSON writer that builds
// event payloads, whose output must always parse as JSON whatever bytes the
// strings hold. Any crash, sanitizer report or exception is a bug.
#include <boost/json/parse.hpp>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "api/json_input.h"
#include "api/webhooks_api.h"
#include "domain/webhook.h"
#include "util/json_writer.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view raw(reinterpret_cast<const char*>(data), size);
  // Arbitrary bytes through the writer: the result must be valid JSON.
  std::string written = leadterra::JsonObjectWriter().String("s", raw).Int("n", 1).Finish();
  boost::system::error_code ec;
  boost::json::parse(written, ec);
  if (ec) __builtin_trap();

  auto parsed = leadterra::api::ParseJsonBody(raw);
  if (!parsed.ok()) return 0;
  auto input = leadterra::api::ParseWebhookCreate(*parsed);
  if (!input.ok()) return 0;
  if (input->events.empty()) __builtin_trap();
  std::string envelope =
      leadterra::domain::EventEnvelope("evt_01hx4mrqpbcn7wh2gfk9yz6e3s", "webhook.test", 0,
                                       leadterra::JsonObjectWriter()
                                           .String("url", input->url)
                                           .OptionalString("description", input->description)
                                           .Finish());
  boost::json::parse(envelope, ec);
  if (ec) __builtin_trap();
  return 0;
}
