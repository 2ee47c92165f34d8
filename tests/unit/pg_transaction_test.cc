// The PostgreSQL driver against a real server (skipped unless
// LEADTERRA_TEST_DATABASE_URL is set, as tests/peers/postgres_peer.py does):
// a transaction the server aborts to break a deadlock runs again.
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <future>
#include <string>

#include "store/postgres/pg_connection.h"
#include "store/sql/counters.h"
#include "store/sql/sql_connection.h"

namespace leadterra::store::postgres {
namespace {

class PgTransactionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* url = std::getenv("LEADTERRA_TEST_DATABASE_URL");
    if (!url || !*url) GTEST_SKIP() << "needs LEADTERRA_TEST_DATABASE_URL";
    schema_ = "tx_" + std::to_string(::getpid());
    admin_ = Open(url);
    ASSERT_TRUE(admin_->Exec("CREATE SCHEMA " + schema_).ok());
    ASSERT_TRUE(admin_
                    ->Exec("CREATE TABLE " + schema_ +
                           ".rows (id INT PRIMARY KEY, v INT NOT NULL);"
                           "INSERT INTO " +
                           schema_ + ".rows VALUES (1, 0), (2, 0)")
                    .ok());
    const char* sep = std::string(url).find('?') == std::string::npos ? "?" : "&";
    const std::string scoped = std::string(url) + sep + "options=-csearch_path%3D" + schema_;
    first_ = Open(scoped);
    second_ = Open(scoped);
  }
  void TearDown() override {
    if (admin_) (void)admin_->Exec("DROP SCHEMA IF EXISTS " + schema_ + " CASCADE");
  }

  static std::unique_ptr<PgConnection> Open(const std::string& url) {
    auto conn = PgConnection::Open(url);
    EXPECT_TRUE(conn.ok()) << conn.status().message();
    return conn.ok() ? std::move(conn).value() : nullptr;
  }

  // Adds 1 to row `a`, then, once the other transaction holds its first row
  // too (first attempt only), to row `b`.
  static Status AddInOrder(sql::Connection& conn, int a, int b, std::atomic<int>& ready,
                           std::atomic<int>& attempts) {
    return sql::InTransaction(conn, true, std::string(), [&]() -> Status {
      const bool first_attempt = attempts.fetch_add(1) < 2;
      LT_ASSIGN_OR_RETURN(auto add, conn.Prepare("UPDATE rows SET v = v + 1 WHERE id = ?"));
      add->Bind(1, a);
      LT_RETURN_IF_ERROR(add->Run());
      if (first_attempt) {
        ++ready;
        while (ready.load() < 2) std::this_thread::yield();
      }
      add->Reset();
      add->Bind(1, b);
      return add->Run();
    });
  }

  std::string schema_;
  std::unique_ptr<PgConnection> admin_, first_, second_;
};

TEST_F(PgTransactionTest, DeadlockVictimRunsAgain) {
  std::atomic<int> ready{0}, attempts{0};
  auto one =
      std::async(std::launch::async, [&] { return AddInOrder(*first_, 1, 2, ready, attempts); });
  auto two =
      std::async(std::launch::async, [&] { return AddInOrder(*second_, 2, 1, ready, attempts); });
  Status a = one.get(), b = two.get();
  EXPECT_TRUE(a.ok()) << a.message();
  EXPECT_TRUE(b.ok()) << b.message();
  // The server aborted one of the two at least once. Its retry can deadlock
  // again with the winner when it takes back a row before the winner does,
  // so only the lower bound is certain.
  EXPECT_GE(attempts.load(), 3);
  auto sum = admin_->Prepare("SELECT sum(v) FROM " + schema_ + ".rows");
  ASSERT_TRUE(sum.ok());
  ASSERT_TRUE(*(*sum)->Step());
  EXPECT_EQ((*sum)->ColumnInt(0), 4);  // both transactions applied, each once
}

TEST_F(PgTransactionTest, OtherErrorsAreNotRetried) {
  int attempts = 0;
  Status failed = sql::InTransaction(*first_, true, std::string(), [&]() -> Status {
    ++attempts;
    return first_->Exec("UPDATE rows SET v = 1 / 0");
  });
  EXPECT_FALSE(failed.ok());
  EXPECT_EQ(attempts, 1);
}

// RunLater's statements run before the transaction's next statement, which
// sees what they wrote, and with its COMMIT.
TEST_F(PgTransactionTest, StatementsRunLaterGoBeforeTheNextCommand) {
  auto v = [&](int id) {
    auto read = admin_->Prepare("SELECT v FROM " + schema_ + ".rows WHERE id = ?");
    (*read)->Bind(1, id);
    EXPECT_TRUE((*read)->Step().ok());
    return (*read)->ColumnInt(0);
  };
  auto set = [&](int id, int value) {
    auto stmt = first_->Prepare("UPDATE rows SET v = ? WHERE id = ?");
    EXPECT_TRUE(stmt.ok());
    (*stmt)->Bind(1, value).Bind(2, id);
    sql::Statements out;
    out.push_back(std::move(stmt).value());
    return out;
  };
  Status status = sql::InTransaction(*first_, true, std::string(), [&]() -> Status {
    LT_RETURN_IF_ERROR(first_->RunLater(set(1, 5)));
    LT_ASSIGN_OR_RETURN(auto read, first_->Prepare("SELECT v FROM rows WHERE id = 1"));
    LT_ASSIGN_OR_RETURN(bool row, read->Step());
    EXPECT_TRUE(row);
    EXPECT_EQ(read->ColumnInt(0), 5);  // the deferred update ran first
    read.reset();
    return first_->RunLater(set(2, 7));  // goes with the COMMIT
  });
  ASSERT_TRUE(status.ok()) << status.message();
  EXPECT_EQ(v(1), 5);
  EXPECT_EQ(v(2), 7);
}

// A deferred statement that fails fails the COMMIT: nothing of the
// transaction is kept, and the connection serves the next one.
TEST_F(PgTransactionTest, AFailedStatementRunLaterFailsTheCommit) {
  Status status = sql::InTransaction(*first_, true, std::string(), [&]() -> Status {
    LT_ASSIGN_OR_RETURN(auto add, first_->Prepare("UPDATE rows SET v = v + 1 WHERE id = 1"));
    LT_RETURN_IF_ERROR(add->Run());
    LT_ASSIGN_OR_RETURN(auto clash, first_->Prepare("INSERT INTO rows VALUES (?, 0)"));
    clash->Bind(1, 2);  // the key exists
    sql::Statements later;
    later.push_back(std::move(clash));
    return first_->RunLater(std::move(later));
  });
  EXPECT_FALSE(status.ok());
  auto read = admin_->Prepare("SELECT v FROM " + schema_ + ".rows WHERE id = 1");
  ASSERT_TRUE((*read)->Step().ok());
  EXPECT_EQ((*read)->ColumnInt(0), 0);
  Status next = sql::InTransaction(*first_, true, std::string(), [&]() -> Status {
    LT_ASSIGN_OR_RETURN(auto add, first_->Prepare("UPDATE rows SET v = v + 1 WHERE id = 1"));
    return add->Run();
  });
  EXPECT_TRUE(next.ok()) << next.message();
}

}  // namespace
}  // namespace leadterra::store::postgres
