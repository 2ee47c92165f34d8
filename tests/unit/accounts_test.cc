#include "api/accounts.h"

#include <gtest/gtest.h>

#include "temp_store.h"
#include "util/crypto.h"

namespace leadterra::api {
namespace {

class AccountsTest : public ::testing::Test {
 protected:
  FakeClock clock_{1736931600000};
  IdGenerator ids_{clock_};
  testing::TempStore store_;
  Accounts accounts_{*store_, clock_, ids_};
};

TEST_F(AccountsTest, WorkspaceKeyAuthenticates) {
  auto created = accounts_.CreateWorkspace("Acme");
  ASSERT_TRUE(created.ok());
  const std::string& secret = created->first_key.secret;
  EXPECT_EQ(secret.rfind("sk_live_", 0), 0u);
  EXPECT_EQ(secret.size(), 8u + 32u);
  auto principal = accounts_.Authenticate("Bearer " + secret);
  ASSERT_TRUE(principal.ok());
  EXPECT_EQ(principal->workspace_id, created->workspace.id);
  EXPECT_EQ(principal->key_id, created->first_key.key.id);
}

TEST_F(AccountsTest, OnlyTheHashIsStored) {
  auto created = accounts_.CreateWorkspace("Acme");
  auto keys = accounts_.ListKeys(created->workspace.id);
  ASSERT_EQ(keys->size(), 1u);
  EXPECT_EQ((*keys)[0].key_hash, Sha256Hex(created->first_key.secret));
  EXPECT_EQ((*keys)[0].key_hash.find(created->first_key.secret.substr(8)), std::string::npos);
}

TEST_F(AccountsTest, RejectsBadHeaders) {
  auto created = accounts_.CreateWorkspace("Acme");
  for (std::string header :
       {std::string(""), std::string("Bearer"), std::string("Bearer "), std::string("Basic abc"),
        "Basic " + created->first_key.secret, "Bearer" + created->first_key.secret,
        "Bearerx " + created->first_key.secret, std::string("Bearer sk_live_unknown")}) {
    auto p = accounts_.Authenticate(header);
    ASSERT_FALSE(p.ok()) << header;
    EXPECT_EQ(p.status().code(), ErrorCode::kUnauthenticated) << header;
  }
}

// RFC 9110 §11.1: the scheme is case-insensitive; one or more spaces follow it.
TEST_F(AccountsTest, BearerSchemeIsCaseInsensitive) {
  auto created = accounts_.CreateWorkspace("Acme");
  for (std::string scheme : {"Bearer ", "bearer ", "BEARER ", "bEaReR   "}) {
    auto p = accounts_.Authenticate(scheme + created->first_key.secret);
    ASSERT_TRUE(p.ok()) << scheme << p.status().message();
    EXPECT_EQ(p->workspace_id, created->workspace.id);
  }
}

TEST_F(AccountsTest, RevokedKeyFails) {
  auto created = accounts_.CreateWorkspace("Acme");
  auto second = accounts_.CreateKey(created->workspace.id, "ci");
  ASSERT_TRUE(second.ok());
  ASSERT_TRUE(accounts_.RevokeKey(created->workspace.id, second->key.id).ok());
  EXPECT_EQ(accounts_.Authenticate("Bearer " + second->secret).status().code(),
            ErrorCode::kUnauthenticated);
  EXPECT_TRUE(accounts_.Authenticate("Bearer " + created->first_key.secret).ok());
}

TEST_F(AccountsTest, DeletedWorkspaceIsWorkspaceNotFound) {
  auto created = accounts_.CreateWorkspace("Acme");
  ASSERT_TRUE(accounts_.DeleteWorkspace(created->workspace.id).ok());
  EXPECT_EQ(accounts_.Authenticate("Bearer " + created->first_key.secret).status().code(),
            ErrorCode::kWorkspaceNotFound);
  EXPECT_EQ(accounts_.CreateKey(created->workspace.id, "x").status().code(),
            ErrorCode::kWorkspaceNotFound);
}

TEST_F(AccountsTest, WorkspaceNameValidated) {
  EXPECT_EQ(accounts_.CreateWorkspace("").status().code(), ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace leadterra::api
