// Unsubscribe link tokens: they round-trip, and anything altered, truncated
// or made under another master key is refused.
#include <gtest/gtest.h>

#include "domain/unsubscribe.h"

namespace leadterra {
namespace {

constexpr char kWs[] = "ws_01hx4mrqpbcn7wh2gfk9yz6e3s";
constexpr char kLead[] = "lead_01hx4p8m2k7q9r3t5v6w8y0zab";

TEST(UnsubscribeToken, RoundTrips) {
  SecretBox box(std::array<uint8_t, SecretBox::kKeySize>{1, 2, 3});
  const std::string token = domain::UnsubscribeToken(box, {kWs, kLead});
  for (char c : token) {
    EXPECT_TRUE(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.')
        << token;  // URL-safe as is
  }
  auto target = domain::ParseUnsubscribeToken(box, token);
  ASSERT_TRUE(target);
  EXPECT_EQ(target->workspace_id, kWs);
  EXPECT_EQ(target->lead_id, kLead);
}

TEST(UnsubscribeToken, RefusesAlteredOrForeignTokens) {
  SecretBox box(std::array<uint8_t, SecretBox::kKeySize>{1, 2, 3});
  SecretBox other(std::array<uint8_t, SecretBox::kKeySize>{9});
  const std::string token = domain::UnsubscribeToken(box, {kWs, kLead});
  EXPECT_FALSE(domain::ParseUnsubscribeToken(other, token));
  std::string flipped = token;
  flipped[3] = flipped[3] == 'A' ? 'B' : 'A';  // payload
  EXPECT_FALSE(domain::ParseUnsubscribeToken(box, flipped));
  flipped = token;
  flipped.back() = flipped.back() == '0' ? '1' : '0';  // MAC
  EXPECT_FALSE(domain::ParseUnsubscribeToken(box, flipped));
  EXPECT_FALSE(domain::ParseUnsubscribeToken(box, token.substr(0, token.size() - 1)));
  EXPECT_FALSE(domain::ParseUnsubscribeToken(box, ""));
  EXPECT_FALSE(domain::ParseUnsubscribeToken(box, "."));
  // A MAC made for another purpose is no unsubscribe token.
  const std::string payload = std::string(kWs) + "." + kLead;
  EXPECT_FALSE(domain::ParseUnsubscribeToken(
      box, Base64UrlEncode(payload) + "." + box.Mac("other", payload).substr(0, 32)));
}

TEST(UnsubscribeToken, HeaderNamesUrlAndMailto) {
  EXPECT_EQ(domain::ListUnsubscribeHeader("https://mail.example.com/", "T", "sales@x.test"),
            "<https://mail.example.com/u/T>, <mailto:sales@x.test?subject=unsubscribe>");
}

}  // namespace
}  // namespace leadterra
