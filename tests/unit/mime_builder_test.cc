#include "delivery/mime_builder.h"

#include <gmime/gmime.h>
#include <gtest/gtest.h>

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
  EXPECT_NE(raw.find("Subject: Quick question, =?UTF-8?B?"), std::string::npos) << raw;
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

TEST(MimeBuilder, FirstStepHasNoThreadHeaders) {
  InitMime();
  std::string raw = BuildMessage(Sample());
  EXPECT_EQ(raw.find("In-Reply-To"), std::string::npos);
  EXPECT_EQ(raw.find("References"), std::string::npos);
}

}  // namespace
}  // namespace leadterra::delivery
