#include "api/mailboxes_api.h"

#include <algorithm>
#include <boost/json/object.hpp>

#include "api/body.h"
#include "api/json_input.h"
#include "api/list_params.h"
#include "delivery/smtp_client.h"
#include "util/time_format.h"

namespace leadterra::api {
namespace {

using domain::Mailbox;
using domain::ServerSettings;

std::string Purpose(const std::string& mailbox_id, std::string_view which) {
  return domain::MailboxSecretPurpose(mailbox_id, which);
}

int DefaultPort(std::string_view which, domain::Security security) {
  if (which == "smtp") {
    return security == domain::Security::kTls    ? 465
           : security == domain::Security::kNone ? 25
                                                 : 587;
  }
  return security == domain::Security::kTls ? 993 : 143;
}

// Applies a `smtp` or `imap` object onto `server` (fields given overwrite).
Status ApplyServer(const boost::json::value& value, std::string_view which, bool creating,
                   ServerSettings& server, std::optional<std::string>* password,
                   int* poll_seconds) {
  LT_ASSIGN_OR_RETURN(FieldReader reader, FieldReader::Of(value, std::string(which)));
  if (which == "imap") {
    LT_RETURN_IF_ERROR(reader.RejectUnknown(
        {"host", "port", "username", "password", "security", "pollIntervalSeconds"}));
    LT_ASSIGN_OR_RETURN(std::optional<int64_t> poll, reader.OptionalInteger("pollIntervalSeconds"));
    // Range checked with the rest of the mailbox (domain::ValidateMailbox).
    if (poll) *poll_seconds = static_cast<int>(std::clamp<int64_t>(*poll, -1, 1'000'000));
  } else {
    LT_RETURN_IF_ERROR(reader.RejectUnknown({"host", "port", "username", "password", "security"}));
  }
  if (creating) {
    LT_ASSIGN_OR_RETURN(server.host, reader.RequiredString("host"));
  } else {
    LT_ASSIGN_OR_RETURN(std::optional<std::string> host, reader.OptionalString("host"));
    if (host) server.host = std::move(*host);
  }
  LT_ASSIGN_OR_RETURN(std::optional<std::string> security, reader.OptionalString("security"));
  if (security) {
    auto parsed = domain::ParseSecurity(*security);
    if (!parsed) {
      return InvalidArgument("security must be starttls, tls or none", reader.PathOf("security"));
    }
    server.security = *parsed;
  }
  LT_ASSIGN_OR_RETURN(std::optional<int64_t> port, reader.OptionalInteger("port"));
  if (port) {
    if (*port < 1 || *port > 65535) {
      return InvalidArgument("port must be from 1 to 65535", reader.PathOf("port"));
    }
    server.port = static_cast<int>(*port);
  } else if (creating) {
    server.port = DefaultPort(which, server.security);
  }
  LT_ASSIGN_OR_RETURN(std::optional<std::string> username, reader.OptionalString("username"));
  if (username) server.username = std::move(*username);
  LT_ASSIGN_OR_RETURN(*password, reader.OptionalString("password"));
  if (*password && password->value().size() > 1024) {
    return InvalidArgument("password must be at most 1024 bytes", reader.PathOf("password"));
  }
  return Status::Ok();
}

boost::json::object ServerToJson(const ServerSettings& s) {
  return boost::json::object{{"host", s.host},
                             {"port", s.port},
                             {"username", s.username},
                             {"security", domain::ToString(s.security)},
                             {"hasPassword", !s.password_sealed.empty()}};
}

boost::json::object MailboxToJson(const Mailbox& m) {
  boost::json::object out;
  out["id"] = m.id;
  out["email"] = m.email;
  out["fromName"] = m.from_name;
  out["smtp"] = ServerToJson(m.smtp);
  if (m.imap) {
    boost::json::object imap = ServerToJson(*m.imap);
    imap["pollIntervalSeconds"] = m.imap_poll_seconds;
    out["imap"] = std::move(imap);
  } else {
    out["imap"] = nullptr;
  }
  out["dailyLimit"] = m.daily_limit;
  out["status"] = domain::ToString(m.status);
  if (m.last_error.empty()) {
    out["lastError"] = nullptr;
  } else {
    out["lastError"] = m.last_error;
  }
  if (m.verified_at) {
    out["verifiedAt"] = FormatIso8601(*m.verified_at);
  } else {
    out["verifiedAt"] = nullptr;
  }
  if (m.last_polled_at) {
    out["lastPolledAt"] = FormatIso8601(*m.last_polled_at);
  } else {
    out["lastPolledAt"] = nullptr;
  }
  out["createdAt"] = FormatIso8601(m.created_at);
  out["updatedAt"] = FormatIso8601(m.updated_at);
  return out;
}

// Applies a create or patch body to `m`, sealing any new passwords.
Status ApplyMailboxBody(const boost::json::value& body, bool creating, const SecretBox& secrets,
                        Mailbox& m) {
  LT_ASSIGN_OR_RETURN(FieldReader reader, FieldReader::Of(body, ""));
  LT_RETURN_IF_ERROR(
      reader.RejectUnknown({"email", "fromName", "smtp", "imap", "dailyLimit", "status"}));
  if (creating) {
    LT_ASSIGN_OR_RETURN(m.email, reader.RequiredString("email"));
  } else if (reader.Find("email")) {
    return InvalidArgument("email cannot change; create another mailbox", "email");
  }
  LT_ASSIGN_OR_RETURN(std::optional<std::string> from_name, reader.OptionalString("fromName"));
  if (from_name) m.from_name = std::move(*from_name);
  if (const boost::json::value* smtp = reader.Find("smtp")) {
    std::optional<std::string> password;
    LT_RETURN_IF_ERROR(ApplyServer(*smtp, "smtp", creating, m.smtp, &password, nullptr));
    if (password)
      m.smtp.password_sealed =
          password->empty() ? "" : secrets.Seal(*password, Purpose(m.id, "smtp"));
  } else if (creating) {
    return InvalidArgument("smtp is required", "smtp");
  }
  if (const boost::json::value* imap = reader.Find("imap")) {
    if (imap->is_null()) {
      m.imap.reset();
    } else {
      const bool new_imap = !m.imap.has_value();
      if (new_imap) m.imap = ServerSettings{"", 0, m.email, "", domain::Security::kTls};
      std::optional<std::string> password;
      LT_RETURN_IF_ERROR(
          ApplyServer(*imap, "imap", new_imap, *m.imap, &password, &m.imap_poll_seconds));
      if (password) {
        m.imap->password_sealed =
            password->empty() ? "" : secrets.Seal(*password, Purpose(m.id, "imap"));
      }
    }
  }
  LT_ASSIGN_OR_RETURN(std::optional<int64_t> daily_limit, reader.OptionalInteger("dailyLimit"));
  if (daily_limit) {
    if (*daily_limit < 1 || *daily_limit > domain::kMaxDailyLimit) {
      return InvalidArgument("dailyLimit must be from 1 to 100000", "dailyLimit");
    }
    m.daily_limit = static_cast<int>(*daily_limit);
  }
  LT_ASSIGN_OR_RETURN(std::optional<std::string> status, reader.OptionalString("status"));
  if (status) {
    auto parsed = domain::ParseMailboxStatus(*status);
    if (!parsed) return InvalidArgument("status must be active or paused", "status");
    m.status = *parsed;
  }
  return domain::ValidateMailbox(m);
}

delivery::SmtpServer ServerFor(const ServerSettings& s, const std::string& password,
                               const Mailbox& m) {
  delivery::SmtpServer server;
  server.host = s.host;
  server.port = s.port;
  server.security = s.security;
  server.username = s.username;
  server.password = password;
  server.helo_domain = std::string(domain::MailboxDomain(m));
  return server;
}

boost::json::object CheckToJson(const delivery::SmtpReply& reply) {
  return boost::json::object{
      {"ok", reply.Accepted()}, {"code", reply.code}, {"message", reply.text}};
}

}  // namespace

Result<Response> MailboxesApi::Create(const Request& request) {
  LT_ASSIGN_OR_RETURN(const boost::json::value* body, RequireBody(request));
  Mailbox m;
  m.id = ids_.Next(id_prefix::kMailbox);
  m.workspace_id = request.workspace_id;
  LT_RETURN_IF_ERROR(ApplyMailboxBody(*body, /*creating=*/true, secrets_, m));
  m.created_at = m.updated_at = clock_.NowMillis();
  LT_RETURN_IF_ERROR(store_.CreateMailbox(m));
  return DataResponse(MailboxToJson(m), 201);
}

Result<Response> MailboxesApi::List(const Request& request) {
  LT_ASSIGN_OR_RETURN(ListParams params, ParseListParams(request.query, id_prefix::kMailbox, {}));
  LT_ASSIGN_OR_RETURN(auto page, store_.ListMailboxes(request.workspace_id, params.page));
  return ListResponse(page, MailboxToJson, [](const Mailbox& m) { return m.id; });
}

Result<Response> MailboxesApi::Get(const Request& request) {
  LT_ASSIGN_OR_RETURN(Mailbox m, store_.GetMailbox(request.workspace_id, request.PathParam("id")));
  return DataResponse(MailboxToJson(m));
}

Result<Response> MailboxesApi::Patch(const Request& request) {
  LT_ASSIGN_OR_RETURN(const boost::json::value* body, RequireBody(request));
  const int64_t now = clock_.NowMillis();
  LT_ASSIGN_OR_RETURN(Mailbox m,
                      store_.UpdateMailbox(
                          request.workspace_id, request.PathParam("id"), [&](Mailbox& m) -> Status {
                            LT_RETURN_IF_ERROR(ApplyMailboxBody(*body, false, secrets_, m));
                            m.updated_at = now;
                            return Status::Ok();
                          }));
  return DataResponse(MailboxToJson(m));
}

Result<Response> MailboxesApi::Delete(const Request& request) {
  const std::string& id = request.PathParam("id");
  LT_RETURN_IF_ERROR(store_.DeleteMailbox(request.workspace_id, id, clock_.NowMillis()));
  return DataResponse(boost::json::object{{"id", id}, {"deleted", true}});
}

Result<Response> MailboxesApi::Verify(const Request& request) {
  LT_ASSIGN_OR_RETURN(Mailbox m, store_.GetMailbox(request.workspace_id, request.PathParam("id")));
  auto open = [&](const ServerSettings& s, std::string_view which) -> Result<std::string> {
    if (s.password_sealed.empty()) return std::string();
    auto password = secrets_.Open(s.password_sealed, Purpose(m.id, which));
    // A stored secret that will not open means the master key changed: a
    // server-side problem, not the caller's.
    if (!password.ok())
      return Internal("cannot decrypt the mailbox password; was the master key changed?");
    return password;
  };
  LT_ASSIGN_OR_RETURN(std::string smtp_password, open(m.smtp, "smtp"));
  delivery::SmtpReply smtp = connector_.Open(ServerFor(m.smtp, smtp_password, m))->Verify();
  std::optional<delivery::SmtpReply> imap;
  if (m.imap) {
    LT_ASSIGN_OR_RETURN(std::string imap_password, open(*m.imap, "imap"));
    imap = delivery::VerifyImap(ServerFor(*m.imap, imap_password, m));
  }
  const bool ok = smtp.Accepted() && (!imap || imap->Accepted());
  std::string error = !smtp.Accepted()            ? "smtp: " + smtp.text
                      : imap && !imap->Accepted() ? "imap: " + imap->text
                                                  : "";
  const int64_t now = clock_.NowMillis();
  LT_ASSIGN_OR_RETURN(Mailbox updated,
                      store_.UpdateMailbox(request.workspace_id, m.id, [&](Mailbox& x) {
                        x.last_error = error;
                        if (ok) x.verified_at = now;
                        return Status::Ok();
                      }));
  boost::json::object out{
      {"ok", ok}, {"smtp", CheckToJson(smtp)}, {"mailbox", MailboxToJson(updated)}};
  if (imap) {
    out["imap"] = CheckToJson(*imap);
  } else {
    out["imap"] = nullptr;
  }
  return DataResponse(std::move(out));
}

}  // namespace leadterra::api
