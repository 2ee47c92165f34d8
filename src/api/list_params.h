// Query parameters of list endpoints: `limit` (1..1000, default 50), an
// opaque `cursor`, and endpoint-specific filters. Unknown parameters are
// rejected (400 with `param` naming them) so typos do not silently widen a
// query. Cursors are base64url of the last id returned and must decode to an
// id of the listed type; they carry no workspace, so a cursor from another
// workspace just yields the caller's own rows.
#pragma once

#include <boost/json/array.hpp>
#include <boost/json/value.hpp>
#include <initializer_list>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "api/request.h"
#include "store/store.h"
#include "util/status.h"

namespace leadterra::api {

inline constexpr int kDefaultLimit = 50;
inline constexpr int kMaxLimit = 1000;
// As `id_prefix`: the list is keyed by arbitrary strings, not typed ids.
inline constexpr std::string_view kAnyCursor = "*";

struct ListParams {
  store::PageRequest page;
  std::map<std::string, std::string> filters;  // only names listed as allowed
};

// `id_prefix` is the type of id the list is keyed by ("camp_"); empty for
// lists that take no cursor.
Result<ListParams> ParseListParams(const std::vector<std::pair<std::string, std::string>>& query,
                                   std::string_view id_prefix,
                                   std::initializer_list<std::string_view> filters);

std::string EncodeCursor(std::string_view last_id);

// {"data": items, "nextCursor": cursor-or-null}.
boost::json::value ListBody(boost::json::value items, bool has_more, std::string_view last_id);

// The 200 list response for a page: `to_json(item)` renders one item and
// `id_of(item)` gives the id the next cursor continues after.
template <typename T, typename ToJson, typename IdOf>
Response ListResponse(const store::Page<T>& page, ToJson&& to_json, IdOf&& id_of) {
  boost::json::array items;
  items.reserve(page.items.size());
  for (const T& item : page.items) items.push_back(to_json(item));
  std::string last = page.items.empty() ? std::string() : std::string(id_of(page.items.back()));
  return Response{200, ListBody(std::move(items), page.has_more, last), {}};
}

}  // namespace leadterra::api
