#include "api/list_params.h"

#include <gtest/gtest.h>

namespace leadterra::api {
namespace {

using Query = std::vector<std::pair<std::string, std::string>>;

TEST(ListParams, Defaults) {
  auto p = ParseListParams({}, "camp_", {});
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->page.limit, 50);
  EXPECT_EQ(p->page.after_id, "");
}

TEST(ListParams, LimitBounds) {
  EXPECT_EQ(ParseListParams(Query{{"limit", "1000"}}, "camp_", {})->page.limit, 1000);
  for (const char* bad : {"0", "1001", "-1", "abc", "5x", ""}) {
    auto p = ParseListParams(Query{{"limit", bad}}, "camp_", {});
    ASSERT_FALSE(p.ok()) << bad;
    EXPECT_EQ(p.status().param(), "limit");
  }
}

TEST(ListParams, CursorRoundTrip) {
  std::string id = "camp_01hx4mrqpbcn7wh2gfk9yz6e3s";
  auto p = ParseListParams(Query{{"cursor", EncodeCursor(id)}}, "camp_", {});
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->page.after_id, id);
  for (std::string bad : {std::string("!!"), std::string(""), EncodeCursor("abc"),
                          EncodeCursor("lead_01hx4mrqpbcn7wh2gfk9yz6e3s")}) {
    auto rejected = ParseListParams(Query{{"cursor", bad}}, "camp_", {});
    EXPECT_EQ(rejected.status().param(), "cursor") << bad;
  }
}

TEST(ListParams, FiltersAndUnknowns) {
  auto p = ParseListParams(Query{{"status", "draft"}}, "camp_", {"status"});
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->filters.at("status"), "draft");
  auto unknown = ParseListParams(Query{{"stauts", "draft"}}, "camp_", {"status"});
  EXPECT_EQ(unknown.status().param(), "stauts");
}

}  // namespace
}  // namespace leadterra::api
