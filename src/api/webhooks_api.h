// Webhook use cases (SPEC §8): create, list, get and delete endpoints, read
// an endpoint's deliveries log, and send it a signed test event. The signing
// secret ("whsec_…") is generated here, returned once by Create and stored
// only sealed with the SecretBox. `notify` is called after an event was
// written so the dispatcher can pick it up at once. Thread-safe.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "api/request.h"
#include "store/store.h"
#include "util/clock.h"
#include "util/ids.h"
#include "util/secret_box.h"

namespace leadterra::api {

// A validated POST /v1/webhooks body.
struct WebhookInput {
  std::string url;
  std::vector<std::string> events;  // canonical order, no duplicates
  std::optional<std::string> description;
};
Result<WebhookInput> ParseWebhookCreate(const boost::json::value& body);

class WebhooksApi {
 public:
  WebhooksApi(store::Store& store, const Clock& clock, IdGenerator& ids, const SecretBox& secrets,
              std::function<void()> notify)
      : store_(store), clock_(clock), ids_(ids), secrets_(secrets), notify_(std::move(notify)) {}

  Result<Response> Create(const Request& request);
  Result<Response> List(const Request& request);
  Result<Response> Get(const Request& request);
  Result<Response> Delete(const Request& request);
  Result<Response> Deliveries(const Request& request);
  Result<Response> Test(const Request& request);

 private:
  store::Store& store_;
  const Clock& clock_;
  IdGenerator& ids_;
  const SecretBox& secrets_;
  std::function<void()> notify_;
};

}  // namespace leadterra::api
