#include "delivery/mime_builder.h"

#include <gmime/gmime.h>
#include <gtest/gtest.h>

#include "delivery/inbound_parser.h"

namespace leadterra::delivery {
namespace {

OutgoingMessage Sample() {
  OutgoingMessage m;
  m.from_name = "Sam Sender";
  m.from_email = "sam@sender.test";
  m.to_name = "Zoë Lee";
  m.to_email = "zoe@lead.test";
  m.subject = "Quick question, Zoë";
  m.body_html = "<p>Hi Zoë,</p><p>Tom &amp; Co</p>";
  m.message_id = "<msg_1@sender.test>";
  m.date_millis = 1736931600000;
  return m;
}

TEST(MimeBuilder, LongListUnsubscribeIsFoldedNotEncoded) {
  InitMime();
  OutgoingMessage m = Sample();
  const std::string url = "<https://mail.example.com/u/" + std::string(90, 'A') + ">";
  m.extra_headers = {{"List-Unsubscribe", url + ", <mailto:sam@sender.test?subject=unsubscribe>"},
                     {"List-Unsubscribe-Post", "List-Unsubscribe=One-Click"}};
  std::string raw = BuildMessage(m);
  EXPECT_NE(raw.find("List-Unsubscribe: " + url +
                     ",\r\n <mailto:sam@sender.test?subject="
                     "unsubscribe>\r\n"),
            std::string::npos)
      << raw;
  EXPECT_NE(raw.find("List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n"), std::string::npos);
}

TEST(MimeBuilder, HeadersAndParts) {
  InitMime();
  OutgoingMessage m = Sample();
  m.references = {"<msg_0@sender.test>", "<msg_00@sender.test>"};
  m.extra_headers = {{"List-Unsubscribe", "<mailto:u@sender.test>"}};
  std::string raw = BuildMessage(m);
  EXPECT_NE(raw.find("From: Sam Sender <sam@sender.test>\r\n"), std::string::npos) << raw;
  EXPECT_NE(raw.find("Message-Id: <msg_1@sender.test>\r\n"), std::string::npos) << raw;
  EXPECT_NE(raw.find("In-Reply-To: <msg_00@sender.test>\r\n"), std::string::npos) << raw;
  EXPECT_NE(raw.find("References: <msg_0@sender.test> <msg_00@sender.test>"), std::string::npos);
  EXPECT_NE(raw.find("Date: Wed, 15 Jan 2025 09:00:00 +0000"), std::string::npos) << raw;
  EXPECT_NE(raw.find("List-Unsubscribe: <mailto:u@sender.test>"), std::string::npos);
  // Non-ASCII headers are RFC 2047 encoded; nothing 8-bit goes on the wire.
  EXPECT_NE(raw.find("Subject: =?utf-8?b?"), std::string::npos) << raw;
  for (unsigned char c : raw) ASSERT_LT(c, 0x80) << raw;
  EXPECT_NE(raw.find("multipart/alternative"), std::string::npos);
  size_t plain = raw.find("text/plain");
  size_t html = raw.find("text/html");
  ASSERT_NE(plain, std::string::npos);
  ASSERT_NE(html, std::string::npos);
  EXPECT_LT(plain, html);  // the richest part comes last
  // Every line ends in CRLF.
  for (size_t i = raw.find('\n'); i != std::string::npos; i = raw.find('\n', i + 1)) {
    ASSERT_GT(i, 0u);
    ASSERT_EQ(raw[i - 1], '\r');
  }
}

// Parses `raw` with GMime and returns the decoded Subject and To name.
std::pair<std::string, std::string> DecodedSubjectAndToName(const std::string& raw) {
  GMimeStream* stream = g_mime_stream_mem_new_with_buffer(raw.data(), raw.size());
  GMimeParser* parser = g_mime_parser_new_with_stream(stream);
  GMimeMessage* message = g_mime_parser_construct_message(parser, nullptr);
  std::pair<std::string, std::string> out;
  if (message) {
    const char* subject = g_mime_message_get_subject(message);
    out.first = subject ? subject : "";
    InternetAddressList* to = g_mime_message_get_to(message);
    if (internet_address_list_length(to) > 0) {
      const char* name = internet_address_get_name(internet_address_list_get_address(to, 0));
      out.second = name ? name : "";
    }
    g_object_unref(message);
  }
  g_object_unref(parser);
  g_object_unref(stream);
  return out;
}

TEST(MimeBuilder, TextThatLooksLikeEncodedWordsDisplaysLiterally) {
  InitMime();
  OutgoingMessage m = Sample();
  m.to_name = "=?utf-8?b?QmNjOiBldmls?= Lee";
  m.subject =
      "Quick question, =?utf-8?b?QmNjOiBldmls?= and a long tail that must be folded, Zo\xc3\xab";
  const std::string raw = BuildMessage(m);
  EXPECT_EQ(raw.find("Bcc"), std::string::npos) << raw;
  for (unsigned char c : raw) ASSERT_LT(c, 0x80) << raw;
  auto [subject, to_name] = DecodedSubjectAndToName(raw);
  EXPECT_EQ(subject, m.subject) << raw;
  EXPECT_EQ(to_name, m.to_name) << raw;
  // Header lines stay within the 78-character recommendation.
  const std::string head = raw.substr(0, raw.find("\r\n\r\n"));
  size_t start = 0;
  while (start < head.size()) {
    size_t end = head.find("\r\n", start);
    if (end == std::string::npos) end = head.size();
    EXPECT_LE(end - start, 78u) << head.substr(start, end - start);
    start = end + 2;
  }
}

// What GMime (a real MIME parser) reads back from a built message.
struct ParsedBack {
  std::string subject, to_name, to_address, from_name, text, html;
};

ParsedBack ParseBack(const std::string& raw) {
  ParsedBack out;
  GMimeStream* stream = g_mime_stream_mem_new_with_buffer(raw.data(), raw.size());
  GMimeParser* parser = g_mime_parser_new_with_stream(stream);
  GMimeMessage* message = g_mime_parser_construct_message(parser, nullptr);
  if (message) {
    const char* subject = g_mime_message_get_subject(message);
    out.subject = subject ? subject : "";
    InternetAddressList* to = g_mime_message_get_to(message);
    if (internet_address_list_length(to) > 0) {
      InternetAddress* address = internet_address_list_get_address(to, 0);
      out.to_name = internet_address_get_name(address) ? internet_address_get_name(address) : "";
      out.to_address = internet_address_mailbox_get_addr(INTERNET_ADDRESS_MAILBOX(address));
    }
    InternetAddressList* from = g_mime_message_get_from(message);
    if (internet_address_list_length(from) > 0) {
      const char* name = internet_address_get_name(internet_address_list_get_address(from, 0));
      out.from_name = name ? name : "";
    }
    GMimeObject* body = g_mime_message_get_mime_part(message);
    if (GMIME_IS_MULTIPART(body) && g_mime_multipart_get_count(GMIME_MULTIPART(body)) == 2) {
      for (int i = 0; i < 2; ++i) {
        GMimeObject* part = g_mime_multipart_get_part(GMIME_MULTIPART(body), i);
        char* text =
            GMIME_IS_TEXT_PART(part) ? g_mime_text_part_get_text(GMIME_TEXT_PART(part)) : nullptr;
        (i == 0 ? out.text : out.html) = text ? text : "";
        g_free(text);
      }
    }
    g_object_unref(message);
  }
  g_object_unref(parser);
  g_object_unref(stream);
  return out;
}

// Every line of `raw` ends in CRLF, has no 8-bit byte, and stays within
// `limit` characters.
void ExpectSevenBitLines(const std::string& raw, size_t limit) {
  size_t start = 0;
  while (start < raw.size()) {
    const size_t end = raw.find("\r\n", start);
    ASSERT_NE(end, std::string::npos) << "last line without CRLF";
    const std::string line = raw.substr(start, end - start);
    EXPECT_LE(line.size(), limit) << line;
    EXPECT_EQ(line.find('\n'), std::string::npos) << line;
    for (unsigned char c : line) ASSERT_LT(c, 0x80) << line;
    start = end + 2;
  }
}

std::string Crlf(const std::string& text) {
  std::string out;
  for (char c : text) out += c == '\n' ? std::string("\r\n") : std::string(1, c);
  return out;
}

TEST(MimeBuilder, WhatItWritesAMimeParserReadsBack) {
  InitMime();
  struct Case {
    std::string to_name, subject, html;
  };
  const std::vector<Case> cases = {
      // ASCII, one long HTML line (over 998 characters: quoted-printable).
      {"Plain Name", "All ASCII", "<p>" + std::string(1500, 'x') + "</p>"},
      // Names that need quoting; a subject long enough to fold.
      {"Lee, Jr. \"The\" Boss",
       "A subject that goes on and on well past the seventy-eight characters of one line",
       "<p>Line one</p>\n<p>Line two = 2 \t</p>"},
      // Mostly non-ASCII (base64) and a little (quoted-printable).
      {"Дмитрий Иванов", "Привет, Дмитрий: быстрый вопрос о вашей компании и её планах",
       "<p>Здравствуйте, Дмитрий! Как дела в компании?</p>"},
      {"Zoë Lee", "Quick question, Zoë", "<p>Hi Zoë,</p><p>Tom &amp; Co</p>"},
  };
  for (const Case& c : cases) {
    OutgoingMessage m = Sample();
    m.to_name = c.to_name;
    m.subject = c.subject;
    m.body_html = c.html;
    m.references = {"<msg_0@sender.test>", "<msg_00000000000000000000000000@sender.test>",
                    "<msg_11111111111111111111111111@sender.test>"};
    const std::string raw = BuildMessage(m);
    ExpectSevenBitLines(raw, 998);
    ExpectSevenBitLines(raw.substr(0, raw.find("\r\n\r\n") + 2), 78);
    const ParsedBack back = ParseBack(raw);
    EXPECT_EQ(back.subject, c.subject) << raw;
    EXPECT_EQ(back.to_name, c.to_name) << raw;
    EXPECT_EQ(back.to_address, "zoe@lead.test");
    EXPECT_EQ(back.from_name, "Sam Sender");
    EXPECT_EQ(back.html, Crlf(c.html)) << raw;
    EXPECT_FALSE(back.text.empty()) << raw;
  }
}

TEST(MimeBuilder, InternationalizedDomainsAreWrittenInTheirAsciiForm) {
  OutgoingMessage m = Sample();
  m.to_name = "";
  m.to_email = "zoe@exämple.com";
  const std::string raw = BuildMessage(m);
  EXPECT_NE(raw.find("To: zoe@xn--exmple-cua.com\r\n"), std::string::npos) << raw;
}

TEST(MimeBuilder, QuotedPrintableLinesStayWithin76Characters) {
  InitMime();
  OutgoingMessage m = Sample();
  m.body_html = "<p>" + std::string(100, 'a') + "é" + std::string(200, '=') + " </p>\nnext ";
  const std::string raw = BuildMessage(m);
  const size_t html = raw.find("Content-Type: text/html");
  ASSERT_NE(html, std::string::npos);
  const size_t body = raw.find("\r\n\r\n", html) + 4;
  const std::string encoded = raw.substr(body, raw.find("\r\n--=_", body) - body + 2);
  ExpectSevenBitLines(encoded, 76);
  EXPECT_EQ(ParseBack(raw).html, Crlf(m.body_html)) << encoded;
}

TEST(MimeBuilder, FirstStepHasNoThreadHeaders) {
  InitMime();
  std::string raw = BuildMessage(Sample());
  EXPECT_EQ(raw.find("In-Reply-To"), std::string::npos);
  EXPECT_EQ(raw.find("References"), std::string::npos);
}

}  // namespace
}  // namespace leadterra::delivery
