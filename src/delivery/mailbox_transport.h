// What sending from a mailbox needs, for the engine and for answers sent
// from the inbox alike: the SMTP server with its password unsealed, and the
// DKIM signer of the sender's domain.
#pragma once

#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <utility>

#include "delivery/dkim_signer.h"
#include "delivery/smtp_client.h"
#include "domain/mailbox.h"
#include "store/store.h"
#include "util/secret_box.h"
#include "util/status.h"

namespace leadterra::delivery {

// The mailbox's SMTP settings; kInternal when its password cannot be opened.
Result<SmtpServer> SmtpServerOf(const domain::Mailbox& mailbox, const SecretBox& secrets);

// The signer for mail from `sender` (its domain's newest DKIM key), or
// nullopt when the domain has none. A key that cannot be read is logged and
// the mail goes out unsigned, as it would without a key.
std::optional<DkimSigner> SignerFor(store::Store& store, const SecretBox& secrets,
                                    const std::string& workspace_id, const std::string& sender);

// SignerFor that keeps what it opened: a key is decrypted and parsed once
// (OpenSSL takes about a millisecond to parse a PEM key), not for every
// batch of every mailbox. The key is still looked up each time, so a new or
// deleted key takes effect at once. Thread-safe.
class SignerCache {
 public:
  std::optional<DkimSigner> SignerFor(store::Store& store, const SecretBox& secrets,
                                      const std::string& workspace_id, const std::string& sender);

 private:
  std::mutex mu_;
  // key id -> (its sealed private key, the signer made from it)
  std::map<std::string, std::pair<std::string, DkimSigner>> signers_;
};

// `data` with a DKIM-Signature header in front when `signer` is set (a
// signing failure is logged and leaves the mail unsigned).
std::string SignedMessage(const std::optional<DkimSigner>& signer, std::string data,
                          int64_t now_millis);

}  // namespace leadterra::delivery
