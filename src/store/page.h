// Keyset pagination shared by the store interfaces: rows after `after_id`
// in the list's order, at most `limit` of them.
#pragma once

#include <string>
#include <vector>

namespace leadterra::store {

struct PageRequest {
  int limit = 50;
  std::string after_id;
};

template <typename T>
struct Page {
  std::vector<T> items;
  bool has_more = false;

  // After fetching limit + 1 rows: keeps `limit` and records whether more exist.
  void TrimTo(int limit) {
    if (static_cast<int>(items.size()) > limit) {
      items.resize(limit);
      has_more = true;
    }
  }
};

}  // namespace leadterra::store
