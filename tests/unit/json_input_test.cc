#include "api/json_input.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

namespace leadterra::api {
namespace {

TEST(ParseJsonBody, AcceptsObjects) {
  auto v = ParseJsonBody(R"({"name":"x"})");
  ASSERT_TRUE(v.ok());
  EXPECT_TRUE(v->is_object());
}

TEST(ParseJsonBody, RejectsBadInput) {
  for (std::string_view bad : {"", "{", "{\"a\":1} trailing", "{'a':1}", "[1,]", "nul"}) {
    auto v = ParseJsonBody(bad);
    ASSERT_FALSE(v.ok()) << bad;
    EXPECT_EQ(v.status().code(), ErrorCode::kInvalidArgument) << bad;
  }
}

TEST(ParseJsonBody, RejectsInvalidUtf8) {
  auto v = ParseJsonBody("{\"name\":\"\xff\xfe\"}");
  EXPECT_FALSE(v.ok());
}

TEST(ParseJsonBody, RejectsDeepNesting) {
  std::string deep(kMaxJsonDepth + 1, '[');
  deep += std::string(kMaxJsonDepth + 1, ']');
  auto v = ParseJsonBody(deep);
  ASSERT_FALSE(v.ok());
  EXPECT_NE(v.status().message().find("deeper"), std::string::npos);
  std::string ok(kMaxJsonDepth - 1, '[');
  ok += std::string(kMaxJsonDepth - 1, ']');
  EXPECT_TRUE(ParseJsonBody(ok).ok());
}

TEST(FieldReader, PathsAndTypes) {
  boost::json::value v = boost::json::parse(R"({"a":1,"b":"s","c":null,"d":1.5})");
  auto reader = FieldReader::Of(v, "sequenceSteps[2]");
  ASSERT_TRUE(reader.ok());
  auto s = reader->RequiredString("a");
  EXPECT_EQ(s.status().param(), "sequenceSteps[2].a");
  EXPECT_EQ(*reader->RequiredString("b"), "s");
  EXPECT_EQ(reader->RequiredString("c").status().param(), "sequenceSteps[2].c");
  EXPECT_EQ(reader->OptionalString("c").status().param(), "sequenceSteps[2].c");  // null
  auto lenient = FieldReader::Of(v, "", /*nulls_are_absent=*/true);
  EXPECT_FALSE(lenient->OptionalString("c")->has_value());
  EXPECT_EQ(**reader->OptionalNumber("d"), 1.5);
  EXPECT_FALSE(reader->OptionalInteger("d").ok());
  EXPECT_EQ(**reader->OptionalInteger("a"), 1);
  Status unknown = reader->RejectUnknown({"a", "b", "c"});
  EXPECT_EQ(unknown.param(), "sequenceSteps[2].d");
}

TEST(FieldReader, NonObject) {
  boost::json::value v = boost::json::parse("[1]");
  auto reader = FieldReader::Of(v, "");
  ASSERT_FALSE(reader.ok());
  EXPECT_NE(reader.status().message().find("an array"), std::string::npos);
}

}  // namespace
}  // namespace leadterra::api
