#include "api/list_params.h"

#include <gtest/gtest.h>

namespace leadterra::api {
namespace {

using Query = std::vector<std::pair<std::string, std::string>>;

TEST(ListParams, Defaults) {
  auto p = ParseListParams({}, {});
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->page.limit, 50);
  EXPECT_EQ(p->page.after_id, "");
}

TEST(ListParams, LimitBounds) {
  EXPECT_EQ(ParseListParams(Query{{"limit", "1000"}}, {})->page.limit, 1000);
  for (const char* bad : {"0", "1001", "-1", "abc", "5x", ""}) {
    auto p = ParseListParams(Query{{"limit", bad}}, {});
    ASSERT_FALSE(p.ok()) << bad;
    EXPECT_EQ(p.status().param(), "limit");
  }
}

TEST(ListParams, CursorRoundTrip) {
  for (std::string id : {"camp_01hx4mrqpbcn7wh2gfk9yz6e3s", "a", "ab", "abc"}) {
    auto p = ParseListParams(Query{{"cursor", EncodeCursor(id)}}, {});
    ASSERT_TRUE(p.ok()) << id;
    EXPECT_EQ(p->page.after_id, id);
  }
  auto bad = ParseListParams(Query{{"cursor", "!!"}}, {});
  EXPECT_EQ(bad.status().param(), "cursor");
}

TEST(ListParams, FiltersAndUnknowns) {
  auto p = ParseListParams(Query{{"status", "draft"}}, {"status"});
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->filters.at("status"), "draft");
  auto unknown = ParseListParams(Query{{"stauts", "draft"}}, {"status"});
  EXPECT_EQ(unknown.status().param(), "stauts");
}

}  // namespace
}  // namespace leadterra::api
