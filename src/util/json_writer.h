// A minimal JSON object writer for layers that must not pull in a JSON
// library (the domain and the store build event payloads with it). Keys are
// written in call order; strings are escaped per RFC 8259 and invalid UTF-8
// is replaced by U+FFFD, so the output is always valid JSON. Not thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace leadterra {

class JsonObjectWriter {
 public:
  JsonObjectWriter& String(std::string_view key, std::string_view value);
  JsonObjectWriter& OptionalString(std::string_view key, const std::optional<std::string>& value);
  JsonObjectWriter& Int(std::string_view key, int64_t value);
  JsonObjectWriter& Null(std::string_view key);
  // `json` must already be valid JSON text (a nested object, say).
  JsonObjectWriter& Raw(std::string_view key, std::string_view json);
  // The finished object, e.g. {"a":1}.
  std::string Finish() const { return out_ + "}"; }

 private:
  void Key(std::string_view key);
  std::string out_ = "{";
};

// Appends `text` as a quoted JSON string.
void AppendJsonString(std::string& out, std::string_view text);

}  // namespace leadterra
