#include "util/secret_box.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <future>
#include <vector>

#include "util/crypto.h"

namespace leadterra {
namespace {

std::array<uint8_t, SecretBox::kKeySize> Key(uint8_t fill) {
  std::array<uint8_t, SecretBox::kKeySize> key;
  key.fill(fill);
  return key;
}

TEST(SecretBox, RoundTripAndNonceIsFresh) {
  SecretBox box(Key(7));
  std::string a = box.Seal("hunter2", "mailbox-smtp:mbx_1");
  std::string b = box.Seal("hunter2", "mailbox-smtp:mbx_1");
  EXPECT_NE(a, b);
  EXPECT_EQ(a.rfind("v1:", 0), 0u);
  EXPECT_EQ(a.find("hunter2"), std::string::npos);
  EXPECT_EQ(*box.Open(a, "mailbox-smtp:mbx_1"), "hunter2");
  EXPECT_EQ(*box.Open(box.Seal("", "p"), "p"), "");
}

TEST(SecretBox, RejectsWrongPurposeKeyOrTampering) {
  SecretBox box(Key(7));
  std::string sealed = box.Seal("hunter2", "mailbox-smtp:mbx_1");
  EXPECT_FALSE(box.Open(sealed, "mailbox-smtp:mbx_2").ok());
  EXPECT_FALSE(SecretBox(Key(8)).Open(sealed, "mailbox-smtp:mbx_1").ok());
  std::string tampered = sealed;
  tampered[tampered.size() - 3] = tampered[tampered.size() - 3] == 'A' ? 'B' : 'A';
  EXPECT_FALSE(box.Open(tampered, "mailbox-smtp:mbx_1").ok());
  EXPECT_FALSE(box.Open("v1:!!", "x").ok());
  EXPECT_FALSE(box.Open("plain", "x").ok());
}

TEST(SecretBox, ParsesKeys) {
  EXPECT_TRUE(SecretBox::ParseKey(std::string(64, 'a')).ok());
  EXPECT_FALSE(SecretBox::ParseKey(std::string(64, 'g')).ok());
  EXPECT_TRUE(SecretBox::ParseKey(Base64Encode(std::string(32, 'k'))).ok());
  EXPECT_FALSE(SecretBox::ParseKey(Base64Encode(std::string(31, 'k'))).ok());
}

TEST(SecretBox, KeyFileIsCreatedOnceWithMode0600) {
  auto path =
      std::filesystem::temp_directory_path() / ("lt-key-" + std::to_string(::getpid()) + ".key");
  std::filesystem::remove(path);
  auto first = SecretBox::LoadOrCreateKeyFile(path.string());
  ASSERT_TRUE(first.ok()) << first.status().message();
  auto second = SecretBox::LoadOrCreateKeyFile(path.string());
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(*first, *second);
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  std::filesystem::remove(path);
}

// Tokens already handed out (unsubscribe and tracking links) must keep
// verifying: Mac is HMAC-SHA256 under HMAC(master, "mac:" + purpose), from
// any thread, for any purpose, however it is computed.
TEST(SecretBox, MacIsHmacUnderThePurposeKeyFromEveryThread) {
  const auto master = Key(7);
  const SecretBox box(master);
  const std::string master_bytes(master.begin(), master.end());
  auto expected = [&](const std::string& purpose, const std::string& data) {
    return HmacSha256Hex(HmacSha256Hex(master_bytes, "mac:" + purpose), data);
  };
  std::vector<std::future<bool>> checks;
  for (int t = 0; t < 4; ++t) {
    checks.push_back(std::async(std::launch::async, [&, t] {
      bool same = true;
      for (int i = 0; i < 200; ++i) {
        const std::string purpose = i % 2 ? "unsubscribe" : "tracking";
        const std::string data = "payload " + std::to_string(t * 1000 + i);
        same = same && box.Mac(purpose, data) == expected(purpose, data);
      }
      return same;
    }));
  }
  for (auto& check : checks) EXPECT_TRUE(check.get());
  EXPECT_NE(box.Mac("unsubscribe", "x"), box.Mac("tracking", "x"));
  EXPECT_NE(box.Mac("unsubscribe", "x"), SecretBox(Key(8)).Mac("unsubscribe", "x"));
  const SecretBox copy = box;
  EXPECT_EQ(copy.Mac("unsubscribe", "x"), expected("unsubscribe", "x"));
}

}  // namespace
}  // namespace leadterra
