#include "http/framing.h"

#include <gtest/gtest.h>

namespace leadterra::http {
namespace {

RequestFraming Te(std::vector<std::string_view> values, unsigned version = 11,
                  bool content_length = false) {
  return RequestFraming{version, std::move(values), content_length};
}

TEST(RequestFraming, PlainAndChunkedRequestsPass) {
  EXPECT_TRUE(CheckRequestFraming(RequestFraming{}).ok());
  EXPECT_TRUE(CheckRequestFraming(RequestFraming{11, {}, true}).ok());
  EXPECT_TRUE(CheckRequestFraming(RequestFraming{10, {}, true}).ok());
  EXPECT_TRUE(CheckRequestFraming(Te({"chunked"})).ok());
  EXPECT_TRUE(CheckRequestFraming(Te({"Chunked"})).ok());
  EXPECT_TRUE(CheckRequestFraming(Te({" chunked "})).ok());
  EXPECT_TRUE(CheckRequestFraming(Te({", chunked"})).ok());  // empty list elements are skipped
}

TEST(RequestFraming, AFinalCodingOtherThanChunkedIs400) {
  for (auto value : {"gzip", "identity", "xchunked", "chunked, gzip", "chunkedx", "", " ",
                     "chunked;q=1, identity", "deflate", "; gzip, chunked", "\"chunked\"",
                     "chunked, ;x", "ch unked", "gzip chunked"}) {
    Status s = CheckRequestFraming(Te({value}));
    EXPECT_EQ(s.code(), ErrorCode::kInvalidArgument) << "'" << value << "'";
  }
  // The same split over two fields.
  EXPECT_EQ(CheckRequestFraming(Te({"chunked", "gzip"})).code(), ErrorCode::kInvalidArgument);
}

TEST(RequestFraming, ChunkedTwiceIs400) {
  EXPECT_EQ(CheckRequestFraming(Te({"chunked, chunked"})).code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(CheckRequestFraming(Te({"chunked", "chunked"})).code(), ErrorCode::kInvalidArgument);
}

TEST(RequestFraming, CodingsTheServerLacksBeforeChunkedAre501) {
  EXPECT_EQ(CheckRequestFraming(Te({"gzip, chunked"})).code(), ErrorCode::kNotImplemented);
  EXPECT_EQ(CheckRequestFraming(Te({"gzip", "chunked"})).code(), ErrorCode::kNotImplemented);
  EXPECT_EQ(CheckRequestFraming(Te({"identity, chunked"})).code(), ErrorCode::kNotImplemented);
}

TEST(RequestFraming, ContentLengthBesideTransferEncodingIs400) {
  EXPECT_EQ(CheckRequestFraming(Te({"chunked"}, 11, true)).code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(CheckRequestFraming(Te({"gzip"}, 11, true)).code(), ErrorCode::kInvalidArgument);
}

TEST(RequestFraming, TransferEncodingInHttp10Is400) {
  EXPECT_EQ(CheckRequestFraming(Te({"chunked"}, 10)).code(), ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace leadterra::http
