#include "delivery/inbound_parser.h"

#include <gmime/gmime.h>

#include <cctype>
#include <mutex>

#include "delivery/gmime_ref.h"
#include "delivery/html_to_text.h"
#include "util/utf8.h"

namespace leadterra::delivery {
namespace {

std::string Lower(std::string text) {
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

std::string Trimmed(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) {
    text.remove_prefix(1);
  }
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) {
    text.remove_suffix(1);
  }
  return std::string(text);
}

std::string WithAngles(const char* id) {
  std::string out = Trimmed(id ? id : "");
  if (out.empty()) return out;
  if (out.front() != '<') out = "<" + out + ">";
  return out;
}

std::string Header(GMimeObject* object, const char* name) {
  const char* value = g_mime_object_get_header(object, name);
  return value ? Trimmed(value) : std::string();
}

// Message-IDs listed in a header value ("<a@b> <c@d>"), in order.
std::vector<std::string> MessageIds(const std::string& value) {
  std::vector<std::string> out;
  if (value.empty()) return out;
  GMimeReferences* refs = g_mime_references_parse(nullptr, value.c_str());
  if (refs == nullptr) return out;
  for (int i = 0; i < g_mime_references_length(refs); ++i) {
    out.push_back(WithAngles(g_mime_references_get_message_id(refs, i)));
  }
  g_mime_references_free(refs);
  return out;
}

std::string FirstAddress(InternetAddressList* list) {
  if (list == nullptr) return "";
  for (int i = 0; i < internet_address_list_length(list); ++i) {
    InternetAddress* address = internet_address_list_get_address(list, i);
    if (INTERNET_ADDRESS_IS_MAILBOX(address)) {
      return Lower(internet_address_mailbox_get_addr(INTERNET_ADDRESS_MAILBOX(address)));
    }
  }
  return "";
}

// The decoded bytes of a leaf part.
std::string PartBytes(GMimePart* part) {
  GMimeDataWrapper* content = g_mime_part_get_content(part);
  if (content == nullptr) return "";
  GRef<GMimeStream> mem(g_mime_stream_mem_new());
  g_mime_data_wrapper_write_to_stream(content, mem.ptr);
  GByteArray* bytes = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(mem.ptr));
  return std::string(reinterpret_cast<const char*>(bytes->data), bytes->len);
}

std::string PartText(GMimeObject* object) {
  if (!GMIME_IS_TEXT_PART(object)) return PartBytes(GMIME_PART(object));
  char* text = g_mime_text_part_get_text(GMIME_TEXT_PART(object));
  std::string out = text ? text : "";
  g_free(text);
  return out;
}

// RFC 3464 fields: blank-line separated groups of "Name: value" lines
// (continuation lines start with whitespace). Names are lowercased.
std::vector<std::vector<std::pair<std::string, std::string>>> FieldGroups(const std::string& text) {
  std::vector<std::vector<std::pair<std::string, std::string>>> groups(1);
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    std::string line = text.substr(start, end - start);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    start = end + 1;
    if (Trimmed(line).empty()) {
      if (!groups.back().empty()) groups.emplace_back();
    } else if (std::isspace(static_cast<unsigned char>(line[0])) && !groups.back().empty()) {
      groups.back().back().second += " " + Trimmed(line);
    } else if (size_t colon = line.find(':'); colon != std::string::npos) {
      groups.back().emplace_back(Lower(Trimmed(line.substr(0, colon))),
                                 Trimmed(line.substr(colon + 1)));
    }
    if (end == text.size()) break;
  }
  return groups;
}

// "rfc822; Dana@x.com" -> "dana@x.com"
std::string AddressField(const std::string& value) {
  const size_t semicolon = value.find(';');
  std::string address =
      Trimmed(semicolon == std::string::npos ? value : value.substr(semicolon + 1));
  if (address.size() >= 2 && address.front() == '<' && address.back() == '>') {
    address = address.substr(1, address.size() - 2);
  }
  return Lower(address);
}

void ReadDeliveryStatus(const std::string& text, domain::InboundFacts& facts) {
  auto groups = FieldGroups(text);
  // The first group describes the reporting MTA; each later one a recipient.
  for (size_t g = 1; g < groups.size(); ++g) {
    domain::DsnRecipient r;
    for (const auto& [name, value] : groups[g]) {
      if (name == "final-recipient") r.final_recipient = AddressField(value);
      if (name == "original-recipient" && r.final_recipient.empty()) {
        r.final_recipient = AddressField(value);
      }
      if (name == "action") r.action = Lower(value);
      if (name == "status") r.status = value.substr(0, value.find_first_of(" \t("));
      if (name == "diagnostic-code") r.diagnostic = value;
    }
    if (!r.final_recipient.empty() || !r.status.empty()) facts.dsn_recipients.push_back(r);
  }
}

// Message-ID from a text/rfc822-headers part.
std::string MessageIdFromHeaders(const std::string& text) {
  for (const auto& group : FieldGroups(text)) {
    for (const auto& [name, value] : group) {
      if (name == "message-id") return WithAngles(value.c_str());
    }
    break;  // only the header block
  }
  return "";
}

struct Walk {
  domain::InboundFacts& facts;
  std::string plain, html;

  void Visit(GMimeObject* object, bool inside_report) {
    if (GMIME_IS_MULTIPART(object)) {
      GMimeMultipart* multipart = GMIME_MULTIPART(object);
      for (int i = 0; i < g_mime_multipart_get_count(multipart); ++i) {
        Visit(g_mime_multipart_get_part(multipart, i), inside_report);
      }
      return;
    }
    GMimeContentType* type = g_mime_object_get_content_type(object);
    if (GMIME_IS_MESSAGE_PART(object)) {
      // The returned original of a report: only its Message-ID matters.
      GMimeMessage* original = g_mime_message_part_get_message(GMIME_MESSAGE_PART(object));
      if (inside_report && original && facts.original_message_id.empty()) {
        facts.original_message_id = WithAngles(g_mime_message_get_message_id(original));
      }
      return;
    }
    if (!GMIME_IS_PART(object)) return;
    if (g_mime_content_type_is_type(type, "message", "delivery-status") ||
        g_mime_content_type_is_type(type, "message", "global-delivery-status")) {
      ReadDeliveryStatus(PartBytes(GMIME_PART(object)), facts);
      return;
    }
    if (g_mime_content_type_is_type(type, "text", "rfc822-headers")) {
      if (facts.original_message_id.empty()) {
        facts.original_message_id = MessageIdFromHeaders(PartBytes(GMIME_PART(object)));
      }
      return;
    }
    if (g_mime_part_is_attachment(GMIME_PART(object))) return;
    if (plain.empty() && g_mime_content_type_is_type(type, "text", "plain"))
      plain = PartText(object);
    if (html.empty() && g_mime_content_type_is_type(type, "text", "html")) html = PartText(object);
  }
};

// The reply's own words: quoted lines and everything from an "On … wrote:"
// line on are dropped; whitespace collapses; at most kSnippetMaxChars.
std::string Snippet(const std::string& text) {
  std::string kept;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    std::string line = Trimmed(std::string_view(text).substr(start, end - start));
    start = end + 1;
    if (!line.empty() && line[0] == '>') continue;
    if (line.rfind("On ", 0) == 0 && line.size() > 7 &&
        line.compare(line.size() - 6, 6, "wrote:") == 0) {
      break;
    }
    if (!line.empty()) kept += (kept.empty() ? "" : " ") + line;
  }
  std::string out;
  size_t chars = 0;
  for (size_t i = 0; i < kept.size() && chars < domain::kSnippetMaxChars; ++chars) {
    size_t len = 1;
    const auto lead = static_cast<unsigned char>(kept[i]);
    if (lead >= 0xF0) {
      len = 4;
    } else if (lead >= 0xE0) {
      len = 3;
    } else if (lead >= 0xC0) {
      len = 2;
    }
    out.append(kept, i, len);
    i += len;
  }
  return out;
}

}  // namespace

void InitMime() {
  static std::once_flag once;
  std::call_once(once, [] { g_mime_init(); });
}

Result<domain::InboundFacts> ParseInbound(std::string_view raw) {
  InitMime();
  GRef<GMimeStream> stream(g_mime_stream_mem_new_with_buffer(raw.data(), raw.size()));
  GRef<GMimeParser> parser(g_mime_parser_new_with_stream(stream.ptr));
  GRef<GMimeMessage> message(g_mime_parser_construct_message(parser.ptr, nullptr));
  if (message.ptr == nullptr) return InvalidArgument("not a MIME message");
  GMimeObject* root = GMIME_OBJECT(message.ptr);

  domain::InboundFacts facts;
  facts.from = FirstAddress(g_mime_message_get_from(message.ptr));
  if (facts.from.empty()) facts.from = FirstAddress(g_mime_message_get_sender(message.ptr));
  const char* subject = g_mime_message_get_subject(message.ptr);
  facts.subject = subject ? subject : "";
  facts.message_id = WithAngles(g_mime_message_get_message_id(message.ptr));
  std::vector<std::string> in_reply_to = MessageIds(Header(root, "In-Reply-To"));
  std::vector<std::string> references = MessageIds(Header(root, "References"));
  facts.thread_ids = in_reply_to;
  for (auto it = references.rbegin(); it != references.rend(); ++it)
    facts.thread_ids.push_back(*it);
  if (GDateTime* date = g_mime_message_get_date(message.ptr))
    facts.date = g_date_time_to_unix(date) * 1000;
  facts.auto_submitted = Header(root, "Auto-Submitted");
  facts.precedence = Header(root, "Precedence");
  facts.x_autoreply = g_mime_object_get_header(root, "X-Autoreply") != nullptr ||
                      g_mime_object_get_header(root, "X-Autorespond") != nullptr;

  GMimeObject* body = g_mime_message_get_mime_part(message.ptr);
  if (body != nullptr) {
    GMimeContentType* type = g_mime_object_get_content_type(body);
    const char* report_type = g_mime_content_type_get_parameter(type, "report-type");
    facts.is_dsn = g_mime_content_type_is_type(type, "multipart", "report") && report_type &&
                   Lower(report_type) == "delivery-status";
    Walk walk{facts, "", ""};
    walk.Visit(body, facts.is_dsn);
    const std::string text = !walk.plain.empty() ? walk.plain : HtmlToText(walk.html);
    facts.snippet = Snippet(text);
    // The whole text with plain line ends: mail carries CRLF; a lone CR
    // ends a line too.
    std::string lines;
    lines.reserve(text.size());
    for (size_t i = 0; i < text.size(); ++i) {
      if (text[i] != '\r') {
        lines.push_back(text[i]);
      } else if (i + 1 >= text.size() || text[i + 1] != '\n') {
        lines.push_back('\n');
      }
    }
    facts.text = TruncateUtf8(lines, domain::kTextMaxBytes);
  }
  return facts;
}

}  // namespace leadterra::delivery
