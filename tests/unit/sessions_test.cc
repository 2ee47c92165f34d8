#include "api/sessions.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

#include "temp_store.h"

namespace leadterra::api {
namespace {

constexpr int64_t kIdleMs = 3600 * 1000;

class SessionsTest : public ::testing::Test {
 protected:
  // The token of a new session for the workspace's first key.
  std::string SignIn() {
    Request request;
    request.body = boost::json::parse(R"({"apiKey":")" + workspace_->first_key.secret + R"("})");
    auto response = sessions_.SignIn(request);
    EXPECT_TRUE(response.ok()) << response.status().message();
    for (const auto& [name, value] : response->headers) {
      if (name == "Set-Cookie") {
        return std::string(Sessions::TokenFromCookieHeader(value.substr(0, value.find(';'))));
      }
    }
    ADD_FAILURE() << "no Set-Cookie";
    return "";
  }

  FakeClock clock_{1736931600000};
  IdGenerator ids_{clock_};
  testing::TempStore store_;
  Accounts accounts_{*store_, clock_, ids_};
  Sessions sessions_{*store_, accounts_, clock_, {kIdleMs, false}};
  Result<CreatedWorkspace> workspace_ = accounts_.CreateWorkspace("Acme");
};

TEST_F(SessionsTest, CookieHeaderParsing) {
  EXPECT_EQ(Sessions::TokenFromCookieHeader("lt_session=abc"), "abc");
  EXPECT_EQ(Sessions::TokenFromCookieHeader("a=1; lt_session=abc ; b=2"), "abc");
  EXPECT_EQ(Sessions::TokenFromCookieHeader("xlt_session=abc; b=2"), "");
  EXPECT_EQ(Sessions::TokenFromCookieHeader(""), "");
  EXPECT_EQ(Sessions::TokenFromCookieHeader(";;="), "");
}

TEST_F(SessionsTest, ASessionAuthenticatesAsItsKey) {
  const std::string token = SignIn();
  ASSERT_EQ(token.size(), 43u);
  auto principal = sessions_.Authenticate(token);
  ASSERT_TRUE(principal.ok()) << principal.status().message();
  EXPECT_EQ(principal->workspace_id, workspace_->workspace.id);
  EXPECT_EQ(principal->key_id, workspace_->first_key.key.id);
  EXPECT_EQ(sessions_.Authenticate(token + "x").status().code(), ErrorCode::kUnauthenticated);
  EXPECT_EQ(sessions_.Authenticate("").status().code(), ErrorCode::kUnauthenticated);
}

TEST_F(SessionsTest, UseKeepsASessionAliveAndIdlenessEndsIt) {
  const std::string token = SignIn();
  for (int i = 0; i < 5; ++i) {
    clock_.Advance(kIdleMs - 1000);  // used just in time, again and again
    ASSERT_TRUE(sessions_.Authenticate(token).ok()) << i;
  }
  clock_.Advance(kIdleMs);
  EXPECT_EQ(sessions_.Authenticate(token).status().code(), ErrorCode::kUnauthenticated);
  clock_.Advance(-kIdleMs);  // once ended it stays ended
  EXPECT_EQ(sessions_.Authenticate(token).status().code(), ErrorCode::kUnauthenticated);
}

TEST_F(SessionsTest, RevokingTheKeyEndsItsSessions) {
  const std::string token = SignIn();
  ASSERT_TRUE(accounts_.RevokeKey(workspace_->workspace.id, workspace_->first_key.key.id).ok());
  EXPECT_EQ(sessions_.Authenticate(token).status().code(), ErrorCode::kUnauthenticated);
}

TEST_F(SessionsTest, SignOutEndsOnlyThatSession) {
  const std::string a = SignIn(), b = SignIn();
  Request request;
  request.session_token = a;
  ASSERT_TRUE(sessions_.SignOut(request).ok());
  EXPECT_FALSE(sessions_.Authenticate(a).ok());
  EXPECT_TRUE(sessions_.Authenticate(b).ok());
}

TEST_F(SessionsTest, SignInRefusesBadKeysNamingTheField) {
  Request request;
  request.body = boost::json::parse(R"({"apiKey":"sk_live_nope"})");
  auto response = sessions_.SignIn(request);
  EXPECT_EQ(response.status().code(), ErrorCode::kUnauthenticated);
  EXPECT_EQ(response.status().param(), "apiKey");
}

}  // namespace
}  // namespace leadterra::api
