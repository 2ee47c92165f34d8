// Inbound mail: parsing real-world shapes with GMime (a threaded reply, an
// out-of-office, a Postfix DSN) and the classification rules.
#include <gtest/gtest.h>

#include "delivery/inbound_parser.h"
#include "domain/inbound.h"

namespace leadterra {
namespace {

using domain::InboundKind;

constexpr char kReply[] =
    "From: \"Dana W.\" <Dana.W@Northwind.example>\r\n"
    "To: sales@sender.test\r\n"
    "Subject: =?UTF-8?Q?Re:_Caf=C3=A9_chat?=\r\n"
    "Message-ID: <CAF1@mail.northwind.example>\r\n"
    "In-Reply-To: <msg_01b@sender.test>\r\n"
    "References: <msg_01a@sender.test>\r\n <msg_01b@sender.test>\r\n"
    "Date: Thu, 15 Jan 2025 10:00:00 +0100\r\n"
    "MIME-Version: 1.0\r\n"
    "Content-Type: text/plain; charset=utf-8\r\n"
    "Content-Transfer-Encoding: quoted-printable\r\n"
    "\r\n"
    "Sounds good =E2=80=94 Tuesday?\r\n"
    "\r\n"
    "On Wed, Jan 14, 2025 at 9:00 AM Sam <sales@sender.test> wrote:\r\n"
    "> Hi Dana\r\n";

constexpr char kPostfixDsn[] =
    "From: MAILER-DAEMON@mx.sender.test (Mail Delivery System)\r\n"
    "To: sales@sender.test\r\n"
    "Subject: Undelivered Mail Returned to Sender\r\n"
    "Auto-Submitted: auto-replied\r\n"
    "MIME-Version: 1.0\r\n"
    "Content-Type: multipart/report; report-type=delivery-status;\r\n"
    "\tboundary=\"B1\"\r\n"
    "\r\n"
    "--B1\r\n"
    "Content-Description: Notification\r\n"
    "Content-Type: text/plain; charset=us-ascii\r\n"
    "\r\n"
    "I'm sorry to have to inform you that your message could not\r\n"
    "be delivered to one or more recipients.\r\n"
    "\r\n"
    "--B1\r\n"
    "Content-Description: Delivery report\r\n"
    "Content-Type: message/delivery-status\r\n"
    "\r\n"
    "Reporting-MTA: dns; mx.sender.test\r\n"
    "Arrival-Date: Thu, 15 Jan 2025 10:00:00 +0000 (UTC)\r\n"
    "\r\n"
    "Final-Recipient: rfc822; Ghost@Northwind.example\r\n"
    "Original-Recipient: rfc822;ghost@northwind.example\r\n"
    "Action: failed\r\n"
    "Status: 5.1.1\r\n"
    "Remote-MTA: dns; mx.northwind.example\r\n"
    "Diagnostic-Code: smtp; 550 5.1.1 <ghost@northwind.example>: Recipient address\r\n"
    "    rejected: User unknown in virtual mailbox table\r\n"
    "\r\n"
    "--B1\r\n"
    "Content-Description: Undelivered Message Headers\r\n"
    "Content-Type: text/rfc822-headers\r\n"
    "\r\n"
    "From: Sam <sales@sender.test>\r\n"
    "Message-ID: <msg_01c@sender.test>\r\n"
    "Subject: Hello\r\n"
    "\r\n"
    "--B1--\r\n";

TEST(InboundParser, ReadsAThreadedReply) {
  auto facts = delivery::ParseInbound(kReply);
  ASSERT_TRUE(facts.ok()) << facts.status().message();
  EXPECT_EQ(facts->from, "dana.w@northwind.example");
  EXPECT_EQ(facts->subject, "Re: Caf\xC3\xA9 chat");
  EXPECT_EQ(facts->message_id, "<CAF1@mail.northwind.example>");
  ASSERT_EQ(facts->thread_ids.size(), 3u);
  EXPECT_EQ(facts->thread_ids[0], "<msg_01b@sender.test>");  // In-Reply-To first
  EXPECT_EQ(facts->thread_ids[1], "<msg_01b@sender.test>");  // then newest reference
  EXPECT_EQ(facts->thread_ids[2], "<msg_01a@sender.test>");
  EXPECT_EQ(facts->date, 1736931600000);
  EXPECT_EQ(facts->snippet, "Sounds good \xE2\x80\x94 Tuesday?");  // quote dropped
  EXPECT_FALSE(facts->is_dsn);
  EXPECT_EQ(domain::Classify(*facts), InboundKind::kReply);
}

TEST(InboundParser, ReadsAPostfixBounceReport) {
  auto facts = delivery::ParseInbound(kPostfixDsn);
  ASSERT_TRUE(facts.ok());
  ASSERT_TRUE(facts->is_dsn);
  ASSERT_EQ(facts->dsn_recipients.size(), 1u);
  const auto& r = facts->dsn_recipients[0];
  EXPECT_EQ(r.final_recipient, "ghost@northwind.example");
  EXPECT_EQ(r.action, "failed");
  EXPECT_EQ(r.status, "5.1.1");
  EXPECT_NE(r.diagnostic.find("User unknown"), std::string::npos);  // folded line joined
  EXPECT_EQ(facts->original_message_id, "<msg_01c@sender.test>");
  // A report is a bounce even though it is also auto-submitted.
  EXPECT_EQ(domain::Classify(*facts), InboundKind::kBounce);
  EXPECT_EQ(domain::DiagnosticSmtpCode(r.diagnostic), 550);
}

TEST(InboundParser, RejectsGarbageWithoutCrashing) {
  for (std::string_view raw : {std::string_view(""), std::string_view("\x00\x01", 2),
                               std::string_view("Content-Type: multipart/report\r\n\r\n--")}) {
    auto facts = delivery::ParseInbound(raw);
    if (facts.ok()) {
      EXPECT_TRUE(facts->from.empty());
    }
  }
}

TEST(InboundRules, AutoRepliesBySignal) {
  domain::InboundFacts f;
  f.subject = "Re: hello";
  EXPECT_EQ(domain::Classify(f), InboundKind::kReply);
  f.auto_submitted = "no";
  EXPECT_EQ(domain::Classify(f), InboundKind::kReply);
  f.auto_submitted = "auto-replied";
  EXPECT_EQ(domain::Classify(f), InboundKind::kAutoReply);
  f.auto_submitted.clear();
  f.precedence = "auto_reply";
  EXPECT_EQ(domain::Classify(f), InboundKind::kAutoReply);
  f.precedence.clear();
  f.x_autoreply = true;
  EXPECT_EQ(domain::Classify(f), InboundKind::kAutoReply);
  f.x_autoreply = false;
  for (const char* subject : {"Out of Office: back Monday", "Automatic reply: hello", "AUTO: away",
                              "Abwesenheitsnotiz: Urlaub"}) {
    f.subject = subject;
    EXPECT_EQ(domain::Classify(f), InboundKind::kAutoReply) << subject;
  }
}

TEST(InboundRules, MailtoUnsubscribeRequests) {
  domain::InboundFacts f;
  for (const char* subject : {"unsubscribe", " Unsubscribe ", "UNSUBSCRIBE"}) {
    f.subject = subject;
    EXPECT_EQ(domain::Classify(f), InboundKind::kUnsubscribe) << subject;
  }
  // A person writing about unsubscribing is a reply, and an auto-responder
  // echoing the subject is not a request.
  f.subject = "Re: unsubscribe me please";
  EXPECT_EQ(domain::Classify(f), InboundKind::kReply);
  f.subject = "unsubscribe";
  f.auto_submitted = "auto-replied";
  EXPECT_EQ(domain::Classify(f), InboundKind::kAutoReply);
}

TEST(InboundRules, ReportsSplitIntoBouncesAndDelays) {
  domain::InboundFacts f;
  f.is_dsn = true;
  EXPECT_FALSE(domain::Classify(f));  // nothing actionable
  f.dsn_recipients.push_back({"a@x.com", "delayed", "4.4.1", ""});
  EXPECT_EQ(domain::Classify(f), InboundKind::kDelay);
  f.dsn_recipients.push_back({"b@x.com", "failed", "5.2.2", "smtp; 552 mailbox full"});
  EXPECT_EQ(domain::Classify(f), InboundKind::kBounce);
  EXPECT_EQ(domain::DecisiveRecipient(f)->final_recipient, "b@x.com");
  EXPECT_EQ(domain::DiagnosticSmtpCode("smtp; 552 mailbox full"), 552);
  EXPECT_EQ(domain::DiagnosticSmtpCode("X-Postfix; host unreachable"), 0);
}

}  // namespace
}  // namespace leadterra
