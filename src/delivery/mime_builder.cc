#include "delivery/mime_builder.h"

#include <idn2.h>

#include <algorithm>
#include <cctype>
#include <string_view>

#include "delivery/html_to_text.h"
#include "util/crypto.h"
#include "util/secret_box.h"
#include "util/time_format.h"

namespace leadterra::delivery {
namespace {

constexpr size_t kMaxHeaderLine = 78;  // RFC 5322 §2.1.1's recommendation

bool IsAscii(std::string_view text) {
  return std::all_of(text.begin(), text.end(),
                     [](char c) { return static_cast<unsigned char>(c) < 0x80; });
}

std::string WithoutLineBreaks(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    if (c != '\r' && c != '\n') out += c;
  }
  return out;
}

std::string StripAngles(const std::string& id) {
  if (id.size() >= 2 && id.front() == '<' && id.back() == '>') return id.substr(1, id.size() - 2);
  return id;
}

// "Name: value\r\n", folded at spaces (as CRLF + the space) so that lines
// stay within 78 characters where the words allow it.
void AppendHeader(std::string& out, std::string_view name, std::string_view value) {
  out.append(name).append(": ");
  size_t line = name.size() + 2;
  size_t start = 0;
  while (start <= value.size()) {
    size_t space = value.find(' ', start);
    if (space == std::string_view::npos) space = value.size();
    const std::string_view word = value.substr(start, space - start);
    if (start > 0) {
      if (line + 1 + word.size() > kMaxHeaderLine && line > 1) {
        out += "\r\n";
        line = 0;
      }
      out += ' ';
      ++line;
    }
    out.append(word);
    line += word.size();
    start = space + 1;
  }
  out += "\r\n";
}

// A raw header value folded after commas (for <URI> lists such as
// List-Unsubscribe, which receivers parse literally: never encoded).
void AppendListHeader(std::string& out, std::string_view name, std::string_view raw_value) {
  const std::string value = WithoutLineBreaks(raw_value);  // header-safe by contract
  out.append(name).append(":");
  size_t line = name.size() + 1;
  size_t start = 0;
  while (start < value.size()) {
    size_t comma = value.find(", ", start);
    const size_t end = comma == std::string::npos ? value.size() : comma + 1;
    const std::string_view item = std::string_view(value).substr(start, end - start);
    if (start > 0 && line + 1 + item.size() > kMaxHeaderLine) {
      out += "\r\n";
      line = 0;
    }
    out += ' ';
    out.append(item);
    line += 1 + item.size();
    start = comma == std::string::npos ? value.size() : comma + 2;
  }
  out += "\r\n";
}

// True when a decoder could read part of `text` as an RFC 2047 encoded word.
bool MayLookEncoded(std::string_view text) { return text.find("=?") != std::string_view::npos; }

// `text` as a run of RFC 2047 encoded words (UTF-8, base64), split on
// character boundaries so that each word stays within 64 characters, joined
// by spaces (whitespace between encoded words is dropped on decoding).
// Words but the last hold a multiple of 3 bytes where a character boundary
// allows, so that no base64 padding falls inside the run: some decoders
// (GMime among them) join adjacent words before decoding and stop at '='.
std::string EncodedWords(std::string_view text) {
  // 52 base64 characters + 12 of framing: a line with "Subject: " stays
  // within 78 characters.
  constexpr size_t kMaxBytesPerWord = 39;
  auto boundary = [&](size_t at) {
    return at >= text.size() || (static_cast<unsigned char>(text[at]) & 0xC0) != 0x80;
  };
  std::string out;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = std::min(text.size(), start + kMaxBytesPerWord);
    if (end < text.size()) {
      size_t padless = start + kMaxBytesPerWord;
      while (padless > start && !boundary(padless)) padless -= 3;
      if (padless > start) {
        end = padless;
      } else {
        while (end > start + 1 && !boundary(end)) --end;  // never split a UTF-8 sequence
      }
    }
    if (!out.empty()) out += ' ';
    out += "=?utf-8?b?" + Base64Encode(text.substr(start, end - start)) + "?=";
    start = end;
  }
  return out;
}

// Unstructured text (Subject): as written when it is ASCII and cannot be
// mistaken for encoded words; otherwise wholly encoded, so that it displays
// exactly as written.
std::string UnstructuredText(std::string_view text) {
  const std::string clean = WithoutLineBreaks(text);
  if (IsAscii(clean) && !MayLookEncoded(clean)) return clean;
  return EncodedWords(clean);
}

// A display name as an RFC 5322 phrase: atoms as they are, other ASCII as a
// quoted string, non-ASCII (or text that looks encoded) as encoded words.
std::string Phrase(std::string_view name) {
  const std::string clean = WithoutLineBreaks(name);
  if (!IsAscii(clean) || MayLookEncoded(clean)) return EncodedWords(clean);
  static constexpr std::string_view kAtext = "!#$%&'*+-/=?^_`{|}~ ";
  const bool atoms = std::all_of(clean.begin(), clean.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || kAtext.find(c) != std::string_view::npos;
  });
  if (atoms && !clean.empty() && clean.front() != ' ' && clean.back() != ' ' &&
      clean.find("  ") == std::string::npos) {
    return clean;
  }
  std::string quoted = "\"";
  for (char c : clean) {
    if (c == '"' || c == '\\') quoted += '\\';
    quoted += c;
  }
  return quoted + "\"";
}

// An address with an internationalized domain in its ASCII (IDNA) form; the
// local part is kept as it is.
std::string AsciiDomain(const std::string& email) {
  const size_t at = email.rfind('@');
  if (at == std::string::npos || IsAscii(std::string_view(email).substr(at + 1))) return email;
  char* ascii = nullptr;
  if (idn2_to_ascii_8z(email.c_str() + at + 1, &ascii, IDN2_NONTRANSITIONAL) != IDN2_OK) {
    return email;  // not convertible: as written (the server may take SMTPUTF8)
  }
  std::string out = email.substr(0, at + 1) + ascii;
  idn2_free(ascii);
  return out;
}

std::string Mailbox(const std::string& name, const std::string& email) {
  const std::string address = AsciiDomain(WithoutLineBreaks(email));
  if (name.empty()) return address;
  return Phrase(name) + " <" + address + ">";
}

// `text` with every line ending (CRLF, LF or a lone CR) as CRLF.
std::string CrlfLines(std::string_view text) {
  std::string out;
  out.reserve(text.size() + text.size() / 32);
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\r') {
      if (i + 1 < text.size() && text[i + 1] == '\n') ++i;
      out += "\r\n";
    } else if (text[i] == '\n') {
      out += "\r\n";
    } else {
      out += text[i];
    }
  }
  return out;
}

// Quoted-printable (RFC 2045 §6.7) of CRLF-delimited text: line breaks stay
// hard breaks, encoded lines stay within 76 characters.
std::string QuotedPrintable(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size() * 5 / 4);
  size_t line = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') {
      out += "\r\n";
      line = 0;
      ++i;
      continue;
    }
    const bool at_line_end = i + 1 == text.size() || text[i + 1] == '\r';
    const bool literal =
        (c >= 33 && c <= 126 && c != '=') || ((c == ' ' || c == '\t') && !at_line_end);
    const size_t width = literal ? 1 : 3;
    // Room for the soft break's '=' unless this is the line's last character.
    if (line + width > (at_line_end ? 76u : 75u)) {
      out += "=\r\n";
      line = 0;
    }
    if (literal) {
      out += static_cast<char>(c);
    } else {
      out += '=';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
    line += width;
  }
  return out;
}

// Base64 of `data` in lines of 76 characters.
std::string Base64Lines(std::string_view data) {
  const std::string encoded = Base64Encode(data);
  std::string out;
  for (size_t i = 0; i < encoded.size(); i += 76) {
    if (i > 0) out += "\r\n";
    out.append(encoded, i, 76);
  }
  return out;
}

// A text part (UTF-8) in the lightest 7-bit-safe transfer encoding: none
// for ASCII with lines of at most 998 characters, base64 for text that is
// mostly non-ASCII, quoted-printable otherwise.
void AppendTextPart(std::string& out, std::string_view boundary, std::string_view subtype,
                    std::string_view content) {
  const std::string text = CrlfLines(content);
  size_t eight_bit = 0, longest = 0, line = 0;
  bool nul = false;
  for (char ch : text) {
    const unsigned char c = static_cast<unsigned char>(ch);
    eight_bit += c >= 0x80;
    nul = nul || c == 0;
    line = c == '\n' ? 0 : line + 1;
    longest = std::max(longest, line);
  }
  out.append("--").append(boundary).append("\r\nContent-Type: text/");
  out.append(subtype).append("; charset=utf-8\r\n");
  if (eight_bit == 0 && !nul && longest <= 998) {
    out.append("\r\n").append(text);
  } else if (eight_bit * 6 > text.size()) {
    out.append("Content-Transfer-Encoding: base64\r\n\r\n").append(Base64Lines(text));
  } else {
    out.append("Content-Transfer-Encoding: quoted-printable\r\n\r\n").append(QuotedPrintable(text));
  }
  out.append("\r\n");
}

// "=_" and 24 random letters and digits: cannot occur in quoted-printable or
// base64 output ('=' is never followed by '_' there), and 7-bit content does
// not guess it.
std::string NewBoundary() { return "=_" + RandomBase62(24); }

}  // namespace

std::string BuildMessage(const OutgoingMessage& m) {
  std::string out;
  out.reserve(1024 + m.body_html.size() * 3);
  AppendHeader(out, "Date", FormatRfc5322(m.date_millis));
  AppendHeader(out, "From", Mailbox(m.from_name, m.from_email));
  AppendHeader(out, "Subject", UnstructuredText(m.subject));
  AppendHeader(out, "To", Mailbox(m.to_name, m.to_email));
  AppendHeader(out, "Message-Id", "<" + StripAngles(WithoutLineBreaks(m.message_id)) + ">");
  if (!m.references.empty()) {
    AppendHeader(out, "In-Reply-To", WithoutLineBreaks(m.references.back()));
    std::string refs;
    for (const auto& r : m.references) refs += (refs.empty() ? "" : " ") + WithoutLineBreaks(r);
    AppendHeader(out, "References", refs);
  }
  for (const auto& [name, value] : m.extra_headers) AppendListHeader(out, name, value);
  const std::string boundary = NewBoundary();
  out += "MIME-Version: 1.0\r\n";
  out += "Content-Type: multipart/alternative; boundary=\"" + boundary + "\"\r\n\r\n";
  AppendTextPart(out, boundary, "plain",
                 (m.body_text.empty() ? HtmlToText(m.body_html) : m.body_text) + "\n");
  AppendTextPart(out, boundary, "html", m.body_html);
  out.append("--").append(boundary).append("--\r\n");
  return out;
}

}  // namespace leadterra::delivery
