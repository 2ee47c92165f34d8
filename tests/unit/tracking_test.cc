// Open and click tracking (SPEC §13): tokens that cannot be forged or
// altered, which URLs are tracked, the machine rules, and the link rewriter
// (gumbo) that changes nothing but the rewritten hrefs.
#include <gtest/gtest.h>

#include "delivery/html_to_text.h"
#include "delivery/link_rewriter.h"
#include "domain/tracking.h"

namespace leadterra {
namespace {

using domain::TrackingKind;
using domain::TrackingTarget;

constexpr char kWs[] = "ws_01hx4mrqpbcn7wh2gfk9yz6e3s";
constexpr char kMsg[] = "msg_01hx6c2n4a7b0c3d6e9f2g5h8j";

SecretBox Box(uint8_t seed = 7) {
  return SecretBox(std::array<uint8_t, SecretBox::kKeySize>{seed});
}

TrackingTarget Click(std::string url, int index = 0) {
  TrackingTarget t;
  t.kind = TrackingKind::kClick;
  t.workspace_id = kWs;
  t.message_id = kMsg;
  t.link_index = index;
  t.url = std::move(url);
  return t;
}

TEST(TrackingToken, RoundTripsAndIsUrlSafe) {
  const SecretBox box = Box();
  const std::string token = domain::TrackingToken(box, Click("https://example.com/a?b=1&c=d#e", 3));
  for (char c : token) {
    EXPECT_TRUE(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.');
  }
  auto parsed = domain::ParseTrackingToken(box, TrackingKind::kClick, token);
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->workspace_id, kWs);
  EXPECT_EQ(parsed->message_id, kMsg);
  EXPECT_EQ(parsed->link_index, 3);
  EXPECT_EQ(parsed->url, "https://example.com/a?b=1&c=d#e");
  TrackingTarget open;
  open.workspace_id = kWs;
  open.message_id = kMsg;
  auto opened =
      domain::ParseTrackingToken(box, TrackingKind::kOpen, domain::TrackingToken(box, open));
  ASSERT_TRUE(opened);
  EXPECT_EQ(opened->message_id, kMsg);
}

TEST(TrackingToken, RefusesForgedAlteredTruncatedAndCrossKindTokens) {
  const SecretBox box = Box();
  const std::string token = domain::TrackingToken(box, Click("https://example.com/"));
  EXPECT_FALSE(domain::ParseTrackingToken(Box(8), TrackingKind::kClick, token));  // other key
  EXPECT_FALSE(domain::ParseTrackingToken(box, TrackingKind::kOpen, token));      // other kind
  for (size_t i = 0; i < token.size(); ++i) {
    std::string altered = token;
    altered[i] = altered[i] == 'A' ? 'B' : 'A';
    EXPECT_FALSE(domain::ParseTrackingToken(box, TrackingKind::kClick, altered)) << i;
    EXPECT_FALSE(domain::ParseTrackingToken(box, TrackingKind::kClick, token.substr(0, i))) << i;
  }
  // A MAC over a payload that points elsewhere is not ours to give.
  EXPECT_FALSE(domain::ParseTrackingToken(box, TrackingKind::kClick, ""));
  EXPECT_FALSE(domain::ParseTrackingToken(box, TrackingKind::kClick, "."));
  EXPECT_FALSE(domain::ParseTrackingToken(box, TrackingKind::kClick, std::string(5000, 'a')));
}

TEST(TrackableUrl, OnlyHttpLinksWithAHostAndNotOurUnsubscribeLink) {
  const std::string pub = "https://t.example.com";
  EXPECT_TRUE(domain::IsTrackableUrl("https://acme.test/pricing", pub));
  EXPECT_TRUE(domain::IsTrackableUrl("HTTP://acme.test", pub));
  EXPECT_FALSE(domain::IsTrackableUrl("mailto:ann@acme.test", pub));
  EXPECT_FALSE(domain::IsTrackableUrl("#top", pub));
  EXPECT_FALSE(domain::IsTrackableUrl("/relative", pub));
  EXPECT_FALSE(domain::IsTrackableUrl("//evil.test", pub));
  EXPECT_FALSE(domain::IsTrackableUrl("https:evil.test", pub));
  EXPECT_FALSE(domain::IsTrackableUrl("https:///evil.test", pub));
  EXPECT_FALSE(domain::IsTrackableUrl("javascript:alert(1)", pub));
  EXPECT_FALSE(domain::IsTrackableUrl("https://acme.test/a b", pub));
  EXPECT_FALSE(domain::IsTrackableUrl("https://acme.test/\r\nSet-Cookie:x", pub));
  EXPECT_FALSE(domain::IsTrackableUrl("https://t.example.com/u/abc", pub));
  EXPECT_TRUE(domain::IsTrackableUrl("https://t.example.com/pricing", pub));
  EXPECT_FALSE(domain::IsTrackableUrl("https://acme.test/" + std::string(3000, 'a'), pub));
  EXPECT_EQ(domain::LocationHeaderValue("https://b\xc3\xbc.test/\xc3\xa9"),
            "https://b%C3%BC.test/%C3%A9");
}

domain::TrackingHit Hit(TrackingKind kind, int64_t at, std::string agent,
                        std::string ip = "203.0.113.5") {
  domain::TrackingHit hit;
  hit.target.kind = kind;
  hit.at = at;
  hit.user_agent = std::move(agent);
  hit.remote_ip = std::move(ip);
  return hit;
}

TEST(MachineRules, TellMachinesFromPeople) {
  const char* chrome =
      "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_0) AppleWebKit/537.36 (KHTML, like Gecko) "
      "Chrome/120.0 Safari/537.36";
  const domain::TrackingRules rules;  // 5 s grace
  const domain::TrackedMessage delivered{1'000'000, false};
  auto reason = [&](const domain::TrackingHit& h, domain::TrackedMessage m) {
    return domain::MachineReason(h, m, rules).value_or("person");
  };
  EXPECT_EQ(reason(Hit(TrackingKind::kOpen, 1'060'000, chrome), delivered), "person");
  EXPECT_EQ(reason(Hit(TrackingKind::kOpen, 1'004'999, chrome), delivered), "too_soon");
  EXPECT_EQ(reason(Hit(TrackingKind::kOpen, 1'005'000, chrome), delivered), "person");
  EXPECT_EQ(reason(Hit(TrackingKind::kOpen, 1'060'000, chrome), {std::nullopt, false}),
            "before_delivery");
  auto head = Hit(TrackingKind::kClick, 1'060'000, chrome);
  head.head = true;
  EXPECT_EQ(reason(head, delivered), "head_request");
  EXPECT_EQ(reason(Hit(TrackingKind::kOpen, 1'060'000, ""), delivered), "no_user_agent");
  EXPECT_EQ(reason(Hit(TrackingKind::kOpen, 1'060'000, "Mozilla/5.0"), delivered), "privacy_proxy");
  EXPECT_EQ(reason(Hit(TrackingKind::kOpen, 1'060'000,
                       "Mozilla/5.0 (Windows NT 5.1; rv:11.0) Gecko Firefox/11.0 "
                       "(via ggpht.com GoogleImageProxy)"),
                   delivered),
            "privacy_proxy");
  for (const char* agent :
       {"Barracuda Sentinel (EE)", "python-requests/2.31", "curl/8.5.0",
        "Mozilla/5.0 (compatible; Bingbot/2.0)", "Mozilla/5.0 HeadlessChrome/120.0"}) {
    EXPECT_EQ(reason(Hit(TrackingKind::kClick, 1'060'000, agent), delivered), "scanner_user_agent")
        << agent;
  }
  // A click from a scanner network with no open first is a scan; after an
  // open it is a person using a mail service there.
  EXPECT_EQ(reason(Hit(TrackingKind::kClick, 1'060'000, chrome, "40.107.22.9"), delivered),
            "scanner_network");
  EXPECT_EQ(reason(Hit(TrackingKind::kClick, 1'060'000, chrome, "::ffff:40.107.22.9"), delivered),
            "scanner_network");
  EXPECT_EQ(reason(Hit(TrackingKind::kClick, 1'060'000, chrome, "40.107.22.9"), {1'000'000, true}),
            "person");
  EXPECT_EQ(reason(Hit(TrackingKind::kOpen, 1'060'000, chrome, "40.107.22.9"), delivered),
            "person");
}

std::string Rewrite(const std::string& html, std::vector<std::string>* urls = nullptr) {
  return delivery::RewriteLinks(html, "https://t.example.com", [&](int i, const std::string& url) {
    if (urls) urls->push_back(url);
    return "https://t.example.com/t/c/" + std::to_string(i);
  });
}

TEST(LinkRewriter, RewritesOnlyHttpHrefsAndLeavesTheRestByteForByte) {
  const std::string html =
      "<p>Hi <b>Ann</b>, see <a href=\"https://acme.test/pricing?a=1&amp;b=2\" "
      "class=x>pricing</a>, <A HREF='http://acme.test/docs'>docs</A>, <a href=acme.test>bare</a>,"
      " <a href=\"mailto:sam@x.test\">mail</a>, <a href=\"#top\">top</a>, <a "
      "href=\"https://t.example.com/u/tok\">unsubscribe</a>, <a href=\"//evil.test\">e</a>, "
      "<a href=\"https:evil.test\">f</a>, <a href=\" https://acme.test/space \">g</a></p>";
  std::vector<std::string> urls;
  const std::string out = Rewrite(html, &urls);
  EXPECT_EQ(urls, (std::vector<std::string>{"https://acme.test/pricing?a=1&b=2",
                                            "http://acme.test/docs"}));
  EXPECT_EQ(out,
            "<p>Hi <b>Ann</b>, see <a href=\"https://t.example.com/t/c/0\" class=x>pricing</a>, "
            "<A HREF=\"https://t.example.com/t/c/1\">docs</A>, <a href=acme.test>bare</a>, "
            "<a href=\"mailto:sam@x.test\">mail</a>, <a href=\"#top\">top</a>, <a "
            "href=\"https://t.example.com/u/tok\">unsubscribe</a>, <a href=\"//evil.test\">e</a>, "
            "<a href=\"https:evil.test\">f</a>, <a href=\" https://acme.test/space \">g</a></p>");
  EXPECT_EQ(delivery::HtmlToText(out).find("pricing"), delivery::HtmlToText(html).find("pricing"));
  EXPECT_EQ(Rewrite("no links here <b>at all"), "no links here <b>at all");
  EXPECT_EQ(Rewrite(""), "");
}

TEST(LinkRewriter, AddsThePixelBeforeTheBodyEnds) {
  EXPECT_EQ(delivery::AddOpenPixel("<html><body><p>x</p></BODY></html>", "https://t/o/1"),
            "<html><body><p>x</p><img src=\"https://t/o/1\" width=\"1\" height=\"1\" alt=\"\" "
            "style=\"display:block;border:0\"></BODY></html>");
  EXPECT_EQ(delivery::AddOpenPixel("<p>x</p>", "https://t/o/1&x"),
            "<p>x</p><img src=\"https://t/o/1&amp;x\" width=\"1\" height=\"1\" alt=\"\" "
            "style=\"display:block;border:0\">");
}

}  // namespace
}  // namespace leadterra
