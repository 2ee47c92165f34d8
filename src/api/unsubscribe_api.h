// The one-click unsubscribe use case behind GET/POST /u/:token (no API key:
// the token is the credential). Look() tells the confirmation page whose
// address the link is for; Confirm() suppresses the address workspace-wide
// and stops the lead in every campaign (idempotent). Unknown, altered or
// foreign tokens answer kNotFound. `notify` runs after a change (the webhook
// dispatcher picks up the lead.unsubscribed event at once). Thread-safe.
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "store/store.h"
#include "util/clock.h"
#include "util/secret_box.h"

namespace leadterra::api {

struct UnsubscribeView {
  std::string email;
  bool already = false;  // Confirm: the address was suppressed before
};

class UnsubscribeApi {
 public:
  UnsubscribeApi(store::Store& store, const Clock& clock, const SecretBox& secrets,
                 std::function<void()> notify)
      : store_(store), clock_(clock), secrets_(secrets), notify_(std::move(notify)) {}

  Result<UnsubscribeView> Look(std::string_view token);
  Result<UnsubscribeView> Confirm(std::string_view token);

 private:
  store::Store& store_;
  const Clock& clock_;
  const SecretBox& secrets_;
  std::function<void()> notify_;
};

}  // namespace leadterra::api
