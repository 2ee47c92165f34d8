// SignerCache: a key is opened (decrypted and parsed) once, while the lookup
// still runs every time, so a deleted or replaced key takes effect at once.
#include <gtest/gtest.h>

#include "delivery/mailbox_transport.h"
#include "domain/dkim.h"
#include "temp_store.h"
#include "util/clock.h"
#include "util/ids.h"
#include "util/rsa_key.h"

namespace leadterra::delivery {
namespace {

class SignerCacheTest : public ::testing::Test {
 protected:
  void SetUp() override { ws_ = store_.AddWorkspace(ids_, clock_.NowMillis()); }

  std::string AddKey(const std::string& selector) {
    auto pair = GenerateRsaKey(1024);
    EXPECT_TRUE(pair.ok());
    domain::DkimKeyRecord key;
    key.id = ids_.Next(id_prefix::kDkimKey);
    key.workspace_id = ws_;
    key.domain = "sender.test";
    key.selector = selector;
    key.public_key_base64 = pair->public_key_base64;
    key.private_key_sealed =
        secrets_.Seal(pair->private_key_pem, domain::DkimSecretPurpose(key.id));
    key.created_at = clock_.NowMillis();
    clock_.Advance(1000);
    EXPECT_TRUE(store_->CreateDkimKey(key).ok());
    return key.id;
  }

  // The selector a signer signs with ("" for none).
  static std::string SelectorOf(const std::optional<DkimSigner>& signer) {
    if (!signer) return "";
    auto header = signer->Sign("From: a@sender.test\r\n\r\nbody\r\n", 1736931600);
    EXPECT_TRUE(header.ok());
    const size_t s = header->find(" s=");
    return header->substr(s + 3, header->find(';', s) - s - 3);
  }

  FakeClock clock_{1736931600000};
  IdGenerator ids_{clock_};
  leadterra::testing::TempStore store_;
  SecretBox secrets_{std::array<uint8_t, SecretBox::kKeySize>{1}};
  SecretBox wrong_secrets_{std::array<uint8_t, SecretBox::kKeySize>{2}};
  std::string ws_;
};

TEST_F(SignerCacheTest, OpensAKeyOnceAndFollowsItsChanges) {
  SignerCache cache;
  EXPECT_FALSE(cache.SignerFor(*store_, secrets_, ws_, "sam@sender.test"));  // no key yet
  const std::string first = AddKey("one");
  EXPECT_EQ(SelectorOf(cache.SignerFor(*store_, secrets_, ws_, "sam@sender.test")), "one");
  // Opened already: the cache does not need the secrets again (without it,
  // the wrong master key could not open the key).
  EXPECT_FALSE(SignerFor(*store_, wrong_secrets_, ws_, "sam@sender.test"));
  EXPECT_EQ(SelectorOf(cache.SignerFor(*store_, wrong_secrets_, ws_, "sam@sender.test")), "one");
  // A newer key signs from now on; a deleted one no longer signs.
  const std::string second = AddKey("two");
  EXPECT_EQ(SelectorOf(cache.SignerFor(*store_, secrets_, ws_, "sam@sender.test")), "two");
  ASSERT_TRUE(store_->DeleteDkimKey(ws_, second).ok());
  ASSERT_TRUE(store_->DeleteDkimKey(ws_, first).ok());
  EXPECT_FALSE(cache.SignerFor(*store_, secrets_, ws_, "sam@sender.test"));
}

}  // namespace
}  // namespace leadterra::delivery
