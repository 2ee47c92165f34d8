#include "app/json_log_formatter.h"

#include <spdlog/details/log_msg.h>

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <cctype>
#include <charconv>
#include <chrono>
#include <ctime>
#include <string>
#include <string_view>
#include <vector>

namespace leadterra::app {
namespace {

bool IsKeyChar(char c) { return std::islower(static_cast<unsigned char>(c)) || c == '_'; }

// Splits "a=1 b=\"x y\" c=z" into pairs; false when the text is not such a list.
bool ParseFields(std::string_view text, std::vector<std::pair<std::string, std::string>>* out) {
  size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && text[i] == ' ') ++i;
    if (i == text.size()) break;
    const size_t key_start = i;
    while (i < text.size() && IsKeyChar(text[i])) ++i;
    if (i == key_start || i == text.size() || text[i] != '=') return false;
    std::string key(text.substr(key_start, i - key_start));
    ++i;
    std::string value;
    if (i < text.size() && text[i] == '"') {
      const size_t end = text.find('"', i + 1);
      if (end == std::string_view::npos) return false;
      value = std::string(text.substr(i + 1, end - i - 1));
      i = end + 1;
    } else {
      const size_t end = std::min(text.find(' ', i), text.size());
      value = std::string(text.substr(i, end - i));
      i = end;
    }
    out->emplace_back(std::move(key), std::move(value));
  }
  return !out->empty();
}

boost::json::value FieldValue(const std::string& text) {
  if (text == "-") return nullptr;
  int64_t integer = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), integer);
  if (ec == std::errc() && end == text.data() + text.size() && !text.empty()) return integer;
  double real = 0;
  auto [end2, ec2] = std::from_chars(text.data(), text.data() + text.size(), real);
  if (ec2 == std::errc() && end2 == text.data() + text.size() && !text.empty()) return real;
  return boost::json::string(text);
}

std::string Timestamp(spdlog::log_clock::time_point when) {
  const auto millis =
      std::chrono::duration_cast<std::chrono::milliseconds>(when.time_since_epoch()).count();
  const std::time_t seconds = static_cast<std::time_t>(millis / 1000);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char buf[96];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<int>(millis % 1000));
  return buf;
}

}  // namespace

void JsonLogFormatter::format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) {
  const std::string_view text(msg.payload.data(), msg.payload.size());
  boost::json::object line;
  line["time"] = Timestamp(msg.time);
  const auto level = spdlog::level::to_string_view(msg.level);
  line["level"] = std::string_view(level.data(), level.size());
  std::vector<std::pair<std::string, std::string>> fields;
  if (ParseFields(text, &fields)) {
    bool request = false, method = false;
    for (const auto& [key, value] : fields) {
      request |= key == "path";
      method |= key == "method";
    }
    line["message"] = request && method ? "request" : "event";
    for (auto& [key, value] : fields) line[key] = FieldValue(value);
  } else {
    const size_t colon = text.find(": ");
    const std::string_view head = text.substr(0, colon);
    const bool has_component = colon != std::string_view::npos && !head.empty() &&
                               head.find(' ') == std::string_view::npos;
    if (has_component) {
      line["component"] = head;
      line["message"] = text.substr(colon + 2);
    } else {
      line["message"] = text;
    }
  }
  const std::string out = boost::json::serialize(line);
  dest.append(out.data(), out.data() + out.size());
  dest.push_back('\n');
}

std::unique_ptr<spdlog::formatter> JsonLogFormatter::clone() const {
  return std::make_unique<JsonLogFormatter>();
}

}  // namespace leadterra::app
