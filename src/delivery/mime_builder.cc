#include "delivery/mime_builder.h"

#include <gmime/gmime.h>

#include <algorithm>
#include <mutex>

#include "delivery/gmime_ref.h"
#include "delivery/html_to_text.h"
#include "util/secret_box.h"

namespace leadterra::delivery {
namespace {

std::string StripAngles(const std::string& id) {
  if (id.size() >= 2 && id.front() == '<' && id.back() == '>') return id.substr(1, id.size() - 2);
  return id;
}

// A text part holding `content` as UTF-8. (g_mime_text_part_set_text would
// convert to the smallest charset that fits, e.g. ISO-8859-1.)
GMimeTextPart* TextPart(const char* subtype, const std::string& content) {
  GMimeTextPart* part = g_mime_text_part_new_with_subtype(subtype);
  GMimeStream* stream = g_mime_stream_mem_new_with_buffer(content.data(), content.size());
  GMimeDataWrapper* wrapper =
      g_mime_data_wrapper_new_with_stream(stream, GMIME_CONTENT_ENCODING_DEFAULT);
  g_mime_part_set_content(GMIME_PART(part), wrapper);
  g_object_unref(wrapper);
  g_object_unref(stream);
  g_mime_text_part_set_charset(part, "utf-8");
  return part;
}

// A raw header value (" value\n") folded after commas so that lines stay
// within 78 characters where the items allow it.
std::string FoldStructured(const std::string& name, const std::string& raw_value) {
  // Values are header-safe by contract; CR/LF would end the field early.
  std::string value;
  for (char c : raw_value) {
    if (c != '\r' && c != '\n') value += c;
  }
  std::string raw = " ";
  size_t line = name.size() + 2;
  size_t start = 0;
  while (start < value.size()) {
    size_t comma = value.find(", ", start);
    const size_t end = comma == std::string::npos ? value.size() : comma + 1;
    const std::string item = value.substr(start, end - start);
    if (start > 0) {
      if (line + 1 + item.size() > 78) {
        raw += "\n ";
        line = 1;
      } else {
        raw += ' ';
        ++line;
      }
    }
    raw += item;
    line += item.size();
    start = comma == std::string::npos ? value.size() : comma + 2;
  }
  return raw + "\n";
}

// True when a decoder could read part of `text` as an RFC 2047 encoded word.
bool MayLookEncoded(const std::string& text) { return text.find("=?") != std::string::npos; }

// `text` as a run of RFC 2047 encoded words (UTF-8, base64), split on
// character boundaries so that each word stays within 64 characters, joined
// by `separator` (whitespace between encoded words is dropped on decoding).
// GMime leaves ASCII text that merely looks like encoded words as it is, and
// a mail program would then decode it; encoded this way it displays exactly
// as written.
std::string EncodedWords(std::string_view text, std::string_view separator) {
  // 52 base64 characters + 12 of framing: a line with "Subject: " stays
  // within 78 characters.
  constexpr size_t kMaxBytesPerWord = 39;
  std::string out;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = std::min(text.size(), start + kMaxBytesPerWord);
    while (end < text.size() && end > start + 1 &&
           (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) {
      --end;  // never split a UTF-8 sequence
    }
    if (!out.empty()) out += separator;
    out += "=?utf-8?b?" + Base64Encode(text.substr(start, end - start)) + "?=";
    start = end;
  }
  return out;
}

// A display name as GMime should write it: as given, or pre-encoded when it
// could be mistaken for encoded words (GMime writes such atoms verbatim).
std::string DisplayName(const std::string& name) {
  return MayLookEncoded(name) ? EncodedWords(name, " ") : name;
}

}  // namespace

void InitMime() {
  static std::once_flag once;
  std::call_once(once, [] { g_mime_init(); });
}

std::string BuildMessage(const OutgoingMessage& m) {
  GRef<GMimeMessage> message(g_mime_message_new(TRUE));
  GMimeObject* root = GMIME_OBJECT(message.ptr);
  g_mime_message_add_mailbox(message.ptr, GMIME_ADDRESS_TYPE_FROM, DisplayName(m.from_name).c_str(),
                             m.from_email.c_str());
  g_mime_message_add_mailbox(message.ptr, GMIME_ADDRESS_TYPE_TO, DisplayName(m.to_name).c_str(),
                             m.to_email.c_str());
  if (MayLookEncoded(m.subject)) {
    g_mime_message_set_subject(message.ptr, "", "utf-8");
    GMimeHeader* header = g_mime_header_list_get_header(root->headers, "Subject");
    std::string subject = m.subject;  // header-safe by contract; CR/LF would end the field
    subject.erase(std::remove_if(subject.begin(), subject.end(),
                                 [](char c) { return c == '\r' || c == '\n'; }),
                  subject.end());
    const std::string raw = " " + EncodedWords(subject, "\n ") + "\n";
    g_mime_header_set_raw_value(header, raw.c_str());
  } else {
    g_mime_message_set_subject(message.ptr, m.subject.c_str(), "utf-8");
  }
  GDateTime* date = g_date_time_new_from_unix_utc(m.date_millis / 1000);
  g_mime_message_set_date(message.ptr, date);
  g_date_time_unref(date);
  g_mime_message_set_message_id(message.ptr, StripAngles(m.message_id).c_str());
  if (!m.references.empty()) {
    g_mime_object_set_header(root, "In-Reply-To", m.references.back().c_str(), nullptr);
    std::string refs;
    for (const auto& r : m.references) refs += (refs.empty() ? "" : " ") + r;
    g_mime_object_set_header(root, "References", refs.c_str(), nullptr);
  }
  for (const auto& [name, value] : m.extra_headers) {
    // Written as given (folded, never RFC 2047-encoded): receivers parse
    // List-Unsubscribe's <URI> list literally.
    g_mime_object_set_header(root, name.c_str(), "", nullptr);
    GMimeHeader* header = g_mime_header_list_get_header(root->headers, name.c_str());
    g_mime_header_set_raw_value(header, FoldStructured(name, value).c_str());
  }

  GRef<GMimeMultipart> alternative(g_mime_multipart_new_with_subtype("alternative"));
  GRef<GMimeTextPart> text(
      TextPart("plain", (m.body_text.empty() ? HtmlToText(m.body_html) : m.body_text) + "\n"));
  GRef<GMimeTextPart> html(TextPart("html", m.body_html));
  g_mime_multipart_add(alternative.ptr, GMIME_OBJECT(text.ptr));
  g_mime_multipart_add(alternative.ptr, GMIME_OBJECT(html.ptr));
  g_mime_message_set_mime_part(message.ptr, GMIME_OBJECT(alternative.ptr));
  g_mime_object_encode(root, GMIME_ENCODING_CONSTRAINT_7BIT);

  GMimeFormatOptions* options = g_mime_format_options_new();
  g_mime_format_options_set_newline_format(options, GMIME_NEWLINE_FORMAT_DOS);
  char* raw = g_mime_object_to_string(root, options);
  g_mime_format_options_free(options);
  std::string out(raw);
  g_free(raw);
  return out;
}

}  // namespace leadterra::delivery
