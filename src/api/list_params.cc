#include "api/list_params.h"

#include <boost/json/object.hpp>
#include <charconv>

#include "util/ids.h"

namespace leadterra::api {
namespace {

constexpr char kB64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

std::string Base64UrlEncode(std::string_view in) {
  std::string out;
  size_t i = 0;
  while (i + 2 < in.size()) {
    uint32_t n = (uint8_t(in[i]) << 16) | (uint8_t(in[i + 1]) << 8) | uint8_t(in[i + 2]);
    for (int s = 18; s >= 0; s -= 6) out.push_back(kB64[(n >> s) & 63]);
    i += 3;
  }
  size_t rest = in.size() - i;
  if (rest == 1) {
    uint32_t n = uint8_t(in[i]) << 16;
    out.push_back(kB64[(n >> 18) & 63]);
    out.push_back(kB64[(n >> 12) & 63]);
  } else if (rest == 2) {
    uint32_t n = (uint8_t(in[i]) << 16) | (uint8_t(in[i + 1]) << 8);
    out.push_back(kB64[(n >> 18) & 63]);
    out.push_back(kB64[(n >> 12) & 63]);
    out.push_back(kB64[(n >> 6) & 63]);
  }
  return out;
}

bool Base64UrlDecode(std::string_view in, std::string* out) {
  if (in.size() % 4 == 1) return false;
  uint32_t buffer = 0;
  int bits = 0;
  for (char c : in) {
    const char* p = std::char_traits<char>::find(kB64, 64, c);
    if (!p) return false;
    buffer = (buffer << 6) | static_cast<uint32_t>(p - kB64);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out->push_back(static_cast<char>((buffer >> bits) & 0xff));
    }
  }
  return true;
}

}  // namespace

Result<ListParams> ParseListParams(const std::vector<std::pair<std::string, std::string>>& query,
                                   std::string_view id_prefix,
                                   std::initializer_list<std::string_view> filters) {
  ListParams params;
  params.page.limit = kDefaultLimit;
  for (const auto& [name, value] : query) {
    if (name == "limit") {
      int limit = 0;
      auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), limit);
      if (ec != std::errc() || end != value.data() + value.size() || limit < 1 ||
          limit > kMaxLimit) {
        return InvalidArgument("limit must be an integer from 1 to 1000", "limit");
      }
      params.page.limit = limit;
    } else if (name == "cursor" && !id_prefix.empty()) {
      std::string decoded;
      if (value.size() > 200 || !Base64UrlDecode(value, &decoded) ||
          !IsValidId(decoded, id_prefix)) {
        return InvalidArgument("cursor is not a cursor this API returned", "cursor");
      }
      params.page.after_id = std::move(decoded);
    } else {
      bool allowed = false;
      for (std::string_view f : filters) allowed = allowed || name == f;
      if (!allowed) return InvalidArgument("unknown query parameter '" + name + "'", name);
      params.filters[name] = value;
    }
  }
  return params;
}

std::string EncodeCursor(std::string_view last_id) { return Base64UrlEncode(last_id); }

boost::json::value ListBody(boost::json::value items, bool has_more, std::string_view last_id) {
  boost::json::object doc;
  doc["data"] = std::move(items);
  if (has_more) {
    doc["nextCursor"] = EncodeCursor(last_id);
  } else {
    doc["nextCursor"] = nullptr;
  }
  return doc;
}

}  // namespace leadterra::api
