#include "delivery/mailbox_transport.h"

#include <spdlog/spdlog.h>

#include "domain/dkim.h"
#include "domain/lead.h"

namespace leadterra::delivery {

Result<SmtpServer> SmtpServerOf(const domain::Mailbox& mailbox, const SecretBox& secrets) {
  SmtpServer server;
  server.host = mailbox.smtp.host;
  server.port = mailbox.smtp.port;
  server.security = mailbox.smtp.security;
  server.username = mailbox.smtp.username;
  if (!mailbox.smtp.password_sealed.empty()) {
    auto password = secrets.Open(mailbox.smtp.password_sealed,
                                 domain::MailboxSecretPurpose(mailbox.id, "smtp"));
    if (!password.ok()) {
      return Internal("cannot decrypt the mailbox password: " + password.status().message());
    }
    server.password = std::move(password).value();
  }
  server.helo_domain = std::string(domain::MailboxDomain(mailbox));
  return server;
}

namespace {

// The sender domain's newest key, or nullopt (a failed lookup is logged).
std::optional<domain::DkimKeyRecord> SigningKeyOf(store::Store& store,
                                                  const std::string& workspace_id,
                                                  const std::string& sender) {
  const std::string domain(domain::EmailDomain(domain::NormalizeEmail(sender)));
  auto found = store.FindSigningKey(workspace_id, domain);
  if (!found.ok()) {
    spdlog::warn("delivery: DKIM key lookup failed: {}", found.status().message());
    return std::nullopt;
  }
  return std::move(*found);
}

std::optional<DkimSigner> OpenSigner(const domain::DkimKeyRecord& record,
                                     const SecretBox& secrets) {
  auto pem = secrets.Open(record.private_key_sealed, domain::DkimSecretPurpose(record.id));
  if (!pem.ok()) {
    spdlog::error("delivery: DKIM key {} cannot be opened: {}", record.id, pem.status().message());
    return std::nullopt;
  }
  auto signer = DkimSigner::Create(DkimKey{record.domain, record.selector, std::move(*pem)});
  if (!signer.ok()) {
    spdlog::error("delivery: DKIM key {} is unusable: {}", record.id, signer.status().message());
    return std::nullopt;
  }
  return std::move(*signer);
}

}  // namespace

std::optional<DkimSigner> SignerFor(store::Store& store, const SecretBox& secrets,
                                    const std::string& workspace_id, const std::string& sender) {
  auto record = SigningKeyOf(store, workspace_id, sender);
  if (!record) return std::nullopt;
  return OpenSigner(*record, secrets);
}

std::optional<DkimSigner> SignerCache::SignerFor(store::Store& store, const SecretBox& secrets,
                                                 const std::string& workspace_id,
                                                 const std::string& sender) {
  auto record = SigningKeyOf(store, workspace_id, sender);
  if (!record) return std::nullopt;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = signers_.find(record->id);
    if (it != signers_.end() && it->second.first == record->private_key_sealed) {
      return it->second.second;
    }
  }
  std::optional<DkimSigner> signer = OpenSigner(*record, secrets);
  if (signer) {
    std::lock_guard<std::mutex> lock(mu_);
    if (signers_.size() >= 1000) signers_.clear();  // bounded: keys come and go
    signers_.insert_or_assign(record->id, std::make_pair(record->private_key_sealed, *signer));
  }
  return signer;
}

std::string SignedMessage(const std::optional<DkimSigner>& signer, std::string data,
                          int64_t now_millis) {
  if (!signer) return data;
  auto signature = signer->Sign(data, now_millis / 1000);
  if (!signature.ok()) {
    spdlog::error("delivery: DKIM signing for {} failed: {}", signer->domain(),
                  signature.status().message());
    return data;
  }
  return *signature + "\r\n" + data;
}

}  // namespace leadterra::delivery
