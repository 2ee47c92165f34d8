#include "store/sql/json_rows.h"

#include <cstdio>

namespace leadterra::store::sql {

JsonRows& JsonRows::Row() {
  out_ += rows_ == 0 ? "[" : "],[";
  ++rows_;
  row_empty_ = true;
  return *this;
}

void JsonRows::Separate() {
  if (!row_empty_) out_.push_back(',');
  row_empty_ = false;
}

JsonRows& JsonRows::Add(std::string_view text) {
  Separate();
  out_.push_back('"');
  for (unsigned char c : text) {
    if (c == '"' || c == '\\') {
      out_.push_back('\\');
      out_.push_back(static_cast<char>(c));
    } else if (c < 0x20) {
      char escaped[8];
      std::snprintf(escaped, sizeof escaped, "\\u%04x", c);
      out_ += escaped;
    } else {
      out_.push_back(static_cast<char>(c));  // UTF-8 passes through
    }
  }
  out_.push_back('"');
  return *this;
}

JsonRows& JsonRows::Add(int64_t value) {
  Separate();
  out_ += std::to_string(value);
  return *this;
}

JsonRows& JsonRows::Add(const std::optional<int64_t>& value) {
  return value ? Add(*value) : AddNull();
}

JsonRows& JsonRows::AddNull() {
  Separate();
  out_ += "null";
  return *this;
}

std::string JsonRows::Json() const { return rows_ == 0 ? "[]" : "[" + out_ + "]]"; }

std::string InJsonList(Dialect dialect, int pos) {
  const std::string param = "?" + std::to_string(pos);
  return dialect == Dialect::kPostgres
             ? " = ANY(ARRAY(SELECT json_array_elements_text(CAST(" + param + " AS json))))"
             : " IN (SELECT value FROM json_each(" + param + "))";
}

std::string JsonRowsInts(std::string_view alias, int first, int count) {
  std::string out;
  for (int c = first; c < first + count; ++c) {
    if (!out.empty()) out += ", ";
    out += "CAST(" + std::string(alias) + ".c" + std::to_string(c) + " AS BIGINT)";
  }
  return out;
}

std::string PostgresOnly(Dialect dialect, const std::string& condition,
                         std::initializer_list<int> params) {
  if (dialect == Dialect::kPostgres) return "(" + condition + ")";
  std::string out = "(1 = 1";
  for (int pos : params) out += " OR ?" + std::to_string(pos) + " IS NULL";
  return out + ")";
}

std::string JsonList(const std::vector<std::string>& texts) {
  JsonRows list;
  list.Row();
  for (const std::string& text : texts) list.Add(text);
  return texts.empty() ? "[]" : list.Json().substr(1, list.Json().size() - 2);
}

std::string JsonRowsSource(Dialect dialect, int pos, int columns, std::string_view alias) {
  const std::string param = "?" + std::to_string(pos);
  std::string sql = "(SELECT ";
  for (int c = 0; c < columns; ++c) {
    if (c > 0) sql += ", ";
    const std::string index = std::to_string(c);
    sql += dialect == Dialect::kPostgres ? "r ->> " + index
                                         : "json_extract(value, '$[" + index + "]')";
    sql += " AS c" + std::to_string(c + 1);
  }
  sql += dialect == Dialect::kPostgres
             ? " FROM json_array_elements(CAST(" + param + " AS json)) AS r"
             : " FROM json_each(" + param + ")";
  return sql + ") AS " + std::string(alias);
}

}  // namespace leadterra::store::sql
