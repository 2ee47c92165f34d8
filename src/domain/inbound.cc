#include "domain/inbound.h"

#include <algorithm>
#include <cctype>

namespace leadterra::domain {
namespace {

std::string Lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string_view Trim(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) {
    text.remove_prefix(1);
  }
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) {
    text.remove_suffix(1);
  }
  return text;
}

bool StartsWith(std::string_view text, std::string_view prefix) {
  return text.substr(0, prefix.size()) == prefix;
}

}  // namespace

std::string_view ToString(InboundKind kind) {
  switch (kind) {
    case InboundKind::kReply:
      return "reply";
    case InboundKind::kAutoReply:
      return "auto_reply";
    case InboundKind::kBounce:
      return "bounce";
    case InboundKind::kDelay:
      return "delay";
    case InboundKind::kUnsubscribe:
      return "unsubscribe";
  }
  return "reply";
}

bool IsAutoReply(const InboundFacts& f) {
  const std::string auto_submitted = Lower(Trim(f.auto_submitted));
  if (!auto_submitted.empty() && auto_submitted != "no") return true;
  if (f.x_autoreply) return true;
  const std::string precedence = Lower(Trim(f.precedence));
  if (precedence == "auto_reply" || precedence == "bulk" || precedence == "junk") return true;
  // Lowercased prefixes; the non-ASCII ones are compared as UTF-8 bytes.
  static constexpr std::string_view kSubjects[] = {
      "out of office",
      "automatic reply",
      "auto-reply",
      "autoreply",
      "auto reply",
      "auto:",
      "abwesenheitsnotiz",
      "r\xc3\xa9ponse automatique",
      "respuesta autom\xc3\xa1tica",
      "risposta automatica",
      "automatisch antwoord",
      "on vacation",
  };
  const std::string subject = Lower(Trim(f.subject));
  return std::any_of(std::begin(kSubjects), std::end(kSubjects),
                     [&](std::string_view p) { return StartsWith(subject, p); });
}

const DsnRecipient* DecisiveRecipient(const InboundFacts& f) {
  auto permanent = [](const DsnRecipient& r) {
    return StartsWith(r.status, "5") || Lower(r.action) == "failed";
  };
  auto transient = [](const DsnRecipient& r) {
    return StartsWith(r.status, "4") || Lower(r.action) == "delayed";
  };
  for (const DsnRecipient& r : f.dsn_recipients) {
    if (permanent(r)) return &r;
  }
  for (const DsnRecipient& r : f.dsn_recipients) {
    if (transient(r)) return &r;
  }
  return nullptr;
}

std::optional<InboundKind> Classify(const InboundFacts& f) {
  if (f.is_dsn) {
    const DsnRecipient* r = DecisiveRecipient(f);
    if (r == nullptr) return std::nullopt;
    const bool permanent =
        StartsWith(r->status, "5") || (!StartsWith(r->status, "4") && Lower(r->action) == "failed");
    return permanent ? InboundKind::kBounce : InboundKind::kDelay;
  }
  if (IsAutoReply(f)) return InboundKind::kAutoReply;
  // What a mail client sends for our List-Unsubscribe mailto: link.
  if (Lower(Trim(f.subject)) == "unsubscribe") return InboundKind::kUnsubscribe;
  return InboundKind::kReply;
}

int DiagnosticSmtpCode(std::string_view diagnostic) {
  // "smtp; 550 5.1.1 …": the first three-digit number after the type.
  const size_t semicolon = diagnostic.find(';');
  std::string_view rest =
      Trim(semicolon == std::string_view::npos ? diagnostic : diagnostic.substr(semicolon + 1));
  if (rest.size() >= 3 && std::isdigit(static_cast<unsigned char>(rest[0])) &&
      std::isdigit(static_cast<unsigned char>(rest[1])) &&
      std::isdigit(static_cast<unsigned char>(rest[2])) &&
      (rest.size() == 3 || !std::isdigit(static_cast<unsigned char>(rest[3])))) {
    const int code = (rest[0] - '0') * 100 + (rest[1] - '0') * 10 + (rest[2] - '0');
    if (code >= 200 && code < 600) return code;
  }
  return 0;
}

}  // namespace leadterra::domain
