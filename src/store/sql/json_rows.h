// Many rows handed to one SQL statement as a single JSON parameter, so an
// UPDATE ... FROM, INSERT ... SELECT or IN over a batch costs one round trip
// (on PostgreSQL) instead of one per row, and the same SQL serves both
// databases. JsonRows writes the parameter; JsonRowsSource is the FROM item
// that reads it back as columns c1..cN.
//
// Columns come back as text, or NULL; compare or store integers through
// CAST(cK AS BIGINT).
#pragma once

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "store/sql/sql_connection.h"

namespace leadterra::store::sql {

class JsonRows {
 public:
  // Starts the next row; the values added after it are its columns, in order.
  JsonRows& Row();
  JsonRows& Add(std::string_view text);
  JsonRows& Add(int64_t value);
  JsonRows& Add(const std::optional<int64_t>& value);
  JsonRows& AddNull();

  bool empty() const { return rows_ == 0; }
  int rows() const { return rows_; }
  // The JSON array of arrays, for binding.
  std::string Json() const;

 private:
  void Separate();
  std::string out_;
  int rows_ = 0;
  bool row_empty_ = true;
};

// `(SELECT ... ) AS alias` reading the JsonRows bound at parameter `pos`:
// columns c1..c`columns`.
//
// To join it to a table, give each row the table's whole key and join on
// it: SQLite then reads the rows first and the table by key per row (a key
// column compared to a constant instead can make it scan the table by that
// prefix). PostgreSQL estimates the rows blindly and may hash-join them
// against the whole table; add, through PostgresOnly, the key as constants
// and an InJsonList, so it reads the key. Compare the table's other indexed
// columns through `(column || '')`: an index on a status or lease owner can
// look cheaper to either planner than the key while it covers every row in
// flight.
std::string JsonRowsSource(Dialect dialect, int pos, int columns, std::string_view alias);

// `CAST(alias.cF AS BIGINT), ...` for the `count` columns from cF on.
std::string JsonRowsInts(std::string_view alias, int first, int count);

// `condition` on PostgreSQL; on SQLite a condition that is always true and
// uses `params` (their bindings stay valid) and nothing else.
std::string PostgresOnly(Dialect dialect, const std::string& condition,
                         std::initializer_list<int> params);

// ` IN (...)` (SQLite) or ` = ANY(...)` (PostgreSQL) over the JSON array of
// strings bound at `pos` (JsonList): an index lookup per element on both.
std::string InJsonList(Dialect dialect, int pos);
// A JSON array of `texts`, for InJsonList.
std::string JsonList(const std::vector<std::string>& texts);

}  // namespace leadterra::store::sql
