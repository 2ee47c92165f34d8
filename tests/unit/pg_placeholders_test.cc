// The PostgreSQL driver's rewrite of SQLite-style placeholders.
#include <gtest/gtest.h>

#include "store/postgres/pg_connection.h"

namespace leadterra::store::postgres {
namespace {

std::string Rewrite(std::string_view sql, int expected_params) {
  int params = -1;
  std::string out = RewritePlaceholders(sql, &params);
  EXPECT_EQ(params, expected_params) << sql;
  return out;
}

TEST(PgPlaceholders, NumbersBareMarksInOrder) {
  EXPECT_EQ(Rewrite("SELECT a FROM t WHERE b = ? AND c = ?", 2),
            "SELECT a FROM t WHERE b = $1 AND c = $2");
}

TEST(PgPlaceholders, KeepsExplicitNumbersAndContinuesAfterTheHighest) {
  // As in SQLite: a bare ? takes the number after the largest seen so far.
  EXPECT_EQ(Rewrite("x = ?2 AND y = ?1 AND z = ?", 3), "x = $2 AND y = $1 AND z = $3");
  EXPECT_EQ(Rewrite("a = ?10 OR a = ?10", 10), "a = $10 OR a = $10");
}

TEST(PgPlaceholders, LeavesQuotedTextAlone) {
  EXPECT_EQ(Rewrite("SELECT '?', \"col?\" FROM t WHERE v = ? AND w LIKE 'it''s ?%'", 1),
            "SELECT '?', \"col?\" FROM t WHERE v = $1 AND w LIKE 'it''s ?%'");
}

TEST(PgPlaceholders, CastsAfterAPlaceholderSurvive) {
  EXPECT_EQ(Rewrite("SELECT ?9::jsonb", 9), "SELECT $9::jsonb");
  EXPECT_EQ(Rewrite("no parameters", 0), "no parameters");
}

}  // namespace
}  // namespace leadterra::store::postgres
