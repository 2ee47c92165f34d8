#include "api/list_params.h"

#include <boost/json/object.hpp>
#include <charconv>

#include "util/ids.h"
#include "util/secret_box.h"

namespace leadterra::api {
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
      const bool any = id_prefix == kAnyCursor;
      if (value.size() > (any ? 440 : 200) || !Base64UrlDecode(value, &decoded) ||
          (any ? decoded.empty() : !IsValidId(decoded, id_prefix))) {
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
