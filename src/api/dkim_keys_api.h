// DKIM keys (issue: deliverability): POST /v1/dkim-keys registers a key for
// a sending domain — the caller's PEM private key, or a 2048-bit RSA key
// generated here — and answers with the DNS TXT record to publish;
// GET (list, one) and DELETE. Private keys are sealed with the master key
// and never returned. Every message from a mailbox at that domain is signed
// with the domain's newest key. Thread-safe.
#pragma once

#include "api/request.h"
#include "store/store.h"
#include "util/clock.h"
#include "util/ids.h"
#include "util/secret_box.h"

namespace leadterra::api {

inline constexpr int kGeneratedDkimKeyBits = 2048;
inline constexpr char kDefaultDkimSelector[] = "leadterra";

class DkimKeysApi {
 public:
  DkimKeysApi(store::Store& store, const Clock& clock, IdGenerator& ids, const SecretBox& secrets)
      : store_(store), clock_(clock), ids_(ids), secrets_(secrets) {}

  Result<Response> Create(const Request& request);
  Result<Response> List(const Request& request);
  Result<Response> Get(const Request& request);
  // PATCH {"active": bool}: activating makes the key the domain's signing key
  // (if it is the newest active one); deactivating stops it signing.
  Result<Response> Patch(const Request& request);
  Result<Response> Delete(const Request& request);

 private:
  store::Store& store_;
  const Clock& clock_;
  IdGenerator& ids_;
  const SecretBox& secrets_;
};

}  // namespace leadterra::api
