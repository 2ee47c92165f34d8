#include <gtest/gtest.h>

#include "delivery/html_to_text.h"
#include "domain/lead.h"

namespace leadterra {
namespace {

TEST(Email, Normalization) {
  EXPECT_EQ(domain::NormalizeEmail("  Ann.Lee@Example.COM \t"), "ann.lee@example.com");
  EXPECT_EQ(domain::EmailDomain("ann@example.com"), "example.com");
}

TEST(Email, Validity) {
  for (const char* good :
       {"a@b.co", "first.last+tag@sub.example.com", "o'neil@x-y.io", "müller@bücher.de"}) {
    EXPECT_TRUE(domain::IsValidEmail(good)) << good;
  }
  for (const char* bad : {"", "a", "a@", "@b.co", "a@b", "a@@b.co", "a b@c.co", "a@b..co",
                          ".a@b.co", "a.@b.co", "a@-b.co", "a@b.co.", "a@b_c.co", "a\n@b.co"}) {
    EXPECT_FALSE(domain::IsValidEmail(bad)) << bad;
  }
  EXPECT_FALSE(domain::IsValidEmail(std::string(250, 'a') + "@b.co"));
}

TEST(EnrollmentStatus, RoundTrip) {
  for (const char* s :
       {"queued", "active", "completed", "replied", "bounced", "unsubscribed", "removed"}) {
    auto parsed = domain::ParseEnrollmentStatus(s);
    ASSERT_TRUE(parsed) << s;
    EXPECT_EQ(domain::ToString(*parsed), s);
  }
  EXPECT_FALSE(domain::ParseEnrollmentStatus("sent"));
}

TEST(HtmlToText, BlocksListsLinks) {
  std::string text = delivery::HtmlToText(
      "<html><head><style>p{}</style></head><body><p>Hi  Ann,</p><p>See <a "
      "href=\"https://x.io/a\">our page</a>.<br>Thanks</p><ul><li>one</li><li>two</li></ul>"
      "<script>var x;</script></body></html>");
  EXPECT_EQ(text, "Hi Ann,\n\nSee our page (https://x.io/a).\nThanks\n\n- one\n- two");
}

TEST(HtmlToText, EntitiesAndMalformedHtml) {
  EXPECT_EQ(delivery::HtmlToText("<p>Tom &amp; Jerry &lt;3</p>"), "Tom & Jerry <3");
  EXPECT_EQ(delivery::HtmlToText("<p>unclosed <b>bold"), "unclosed bold");
  EXPECT_EQ(delivery::HtmlToText(""), "");
  EXPECT_EQ(delivery::HtmlToText("<a href=\"https://x.io\">https://x.io</a>"), "https://x.io");
}

}  // namespace
}  // namespace leadterra
