// The MCP tool catalog against the OpenAPI document, and the JSON-RPC
// endpoint against a recording stand-in for the API.
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <set>

#include "http/routes.h"
#include "mcp/mcp_server.h"
#include "temp_store.h"

namespace leadterra::mcp {
namespace {

namespace json = boost::json;

const ToolCatalog& Catalog() {
  static const ToolCatalog catalog = [] {
    auto built = ToolCatalog::Build(http::OpenApiDocument());
    EXPECT_TRUE(built.ok()) << built.status().message();
    return std::move(built).value();
  }();
  return catalog;
}

// Every parameter and body field of each tool's operation is an argument of
// the tool, so a route that gains a field cannot drift from its tool.
TEST(McpTools, SchemasCoverTheirOperations) {
  json::value doc = json::parse(http::OpenApiDocument());
  const std::set<std::string> kSpecTools = {"list_campaigns",     "get_campaign",
                                            "create_campaign",    "update_campaign",
                                            "start_campaign",     "pause_campaign",
                                            "enroll_leads",       "list_campaign_leads",
                                            "get_campaign_stats", "get_campaign_analytics",
                                            "preview_step",       "lint_campaign",
                                            "list_mailboxes",     "list_suppressions",
                                            "add_suppression",    "search_leads",
                                            "get_lead",           "list_inbox",
                                            "get_inbox_item",     "label_reply",
                                            "answer_reply"};
  std::set<std::string> names;
  for (const ToolDefinition& tool : Catalog().tools()) {
    names.insert(tool.name);
    EXPECT_GE(tool.description.size(), 60u) << tool.name;
    const json::object& schema = tool.input_schema;
    EXPECT_EQ(schema.at("type"), "object") << tool.name;
    const json::object& props = schema.at("properties").as_object();
    std::string lower = tool.method;
    for (char& c : lower) c = static_cast<char>(std::tolower(c));
    const json::object& item = doc.at("paths").at(tool.path).as_object();
    const json::object& op = item.at(lower).as_object();
    EXPECT_EQ(op.at("operationId").as_string(), tool.operation_id);
    size_t path_params = 0;
    for (char c : tool.path) path_params += c == '{';
    EXPECT_EQ(tool.path_params.size(), path_params) << tool.name;
    for (const auto& [name, argument] : tool.path_params) {
      EXPECT_TRUE(props.contains(argument)) << tool.name << " " << argument;
    }
    for (const auto& q : tool.query_params) EXPECT_TRUE(props.contains(q)) << tool.name << " " << q;
    if (const json::value* rb = op.if_contains("requestBody")) {
      std::string ref(rb->at("content").at("application/json").at("schema").at("$ref").as_string());
      const std::string name = ref.substr(ref.rfind('/') + 1);
      const json::value& body = doc.at("components").at("schemas").at(name);
      for (const auto& [field, _] : body.at("properties").as_object()) {
        EXPECT_TRUE(props.contains(field)) << tool.name << " lacks body field " << field;
      }
    }
    // Every $ref points into the schema's own $defs.
    const std::string text = json::serialize(schema);
    EXPECT_EQ(text.find("#/components/"), std::string::npos) << tool.name;
    size_t at = 0;
    while ((at = text.find("#/$defs/", at)) != std::string::npos) {
      at += 8;
      const std::string def = text.substr(at, text.find('"', at) - at);
      EXPECT_TRUE(schema.at("$defs").as_object().contains(def)) << tool.name << " " << def;
    }
  }
  for (const auto& name : kSpecTools) EXPECT_TRUE(names.count(name)) << name;
}

TEST(McpTools, ArgumentsMapToTheOperationsRequest) {
  const ToolDefinition* leads = Catalog().Find("list_campaign_leads");
  ASSERT_TRUE(leads);
  auto call = ToolCatalog::Map(
      *leads, json::parse(R"({"campaignId":"camp_1","status":"replied","limit":5})"));
  ASSERT_TRUE(call.ok()) << call.status().message();
  EXPECT_EQ(call->method, "GET");
  EXPECT_EQ(call->target, "/v1/campaigns/camp_1/leads?status=replied&limit=5");
  EXPECT_TRUE(call->body.empty());

  const ToolDefinition* enroll = Catalog().Find("enroll_leads");
  call = ToolCatalog::Map(*enroll, json::parse(R"({"campaignId":"camp_1",
      "idempotencyKey":"k1","leads":[{"email":"a@b.co"}]})"));
  ASSERT_TRUE(call.ok());
  EXPECT_EQ(call->method, "POST");
  EXPECT_EQ(call->target, "/v1/campaigns/camp_1/leads/bulk");
  EXPECT_EQ(call->idempotency_key, "k1");
  EXPECT_EQ(call->body, R"({"leads":[{"email":"a@b.co"}]})");

  auto missing = ToolCatalog::Map(*enroll, json::parse(R"({"leads":[]})"));
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().param(), "campaignId");
  auto unknown = ToolCatalog::Map(*Catalog().Find("get_campaign"),
                                  json::parse(R"({"campaignId":"c","bogus":1})"));
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.status().param(), "bogus");
  // Path values are percent-encoded: they cannot climb out of their segment.
  call =
      ToolCatalog::Map(*Catalog().Find("get_campaign"), json::parse(R"({"campaignId":"../x?y"})"));
  ASSERT_TRUE(call.ok());
  EXPECT_EQ(call->target, "/v1/campaigns/..%2Fx%3Fy");
}

class McpServerTest : public ::testing::Test {
 protected:
  McpServerTest()
      : ids_(clock_),
        accounts_(*store_, clock_, ids_),
        server_(
            Catalog(), accounts_,
            [this](http::HttpRequest request) {
              calls_.push_back(request);
              return next_;
            },
            "1.2.3") {
    key_ = accounts_.CreateWorkspace("Acme")->first_key.secret;
  }

  http::HttpResponse Post(const std::string& body, std::string key = "") {
    http::HttpRequest request;
    request.method = "POST";
    request.target = "/mcp";
    request.headers = {{"authorization", "Bearer " + (key.empty() ? key_ : key)},
                       {"content-type", "application/json"}};
    request.body = body;
    return server_.Handle(request);
  }
  json::value Reply(const std::string& body) {
    http::HttpResponse response = Post(body);
    EXPECT_EQ(response.status, 200) << response.body;
    return json::parse(response.body);
  }

  FakeClock clock_{1736931600000};
  IdGenerator ids_;
  leadterra::testing::TempStore store_;
  api::Accounts accounts_;
  std::vector<http::HttpRequest> calls_;
  http::HttpResponse next_{200, "application/json", {}, R"({"data":{"id":"camp_1"}})"};
  McpServer server_;
  std::string key_;
};

TEST_F(McpServerTest, InitializeNegotiatesTheVersion) {
  json::value r = Reply(
      R"({"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"t","version":"1"}}})");
  EXPECT_EQ(r.at("id"), 1);
  EXPECT_EQ(r.at("result").at("protocolVersion"), "2025-06-18");
  EXPECT_EQ(r.at("result").at("serverInfo").at("version"), "1.2.3");
  EXPECT_TRUE(r.at("result").at("capabilities").as_object().contains("tools"));
  r = Reply(
      R"({"jsonrpc":"2.0","id":"a","method":"initialize","params":{"protocolVersion":"1999-01-01"}})");
  EXPECT_EQ(r.at("result").at("protocolVersion"), kProtocolVersions[0]);
  EXPECT_EQ(Reply(R"({"jsonrpc":"2.0","id":2,"method":"ping"})").at("result"), json::object());
}

TEST_F(McpServerTest, ToolsAreListedAndCalledThroughTheApi) {
  json::value list = Reply(R"({"jsonrpc":"2.0","id":1,"method":"tools/list"})");
  EXPECT_EQ(list.at("result").at("tools").as_array().size(), Catalog().tools().size());
  json::value r = Reply(
      R"({"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"start_campaign","arguments":{"campaignId":"camp_1"}}})");
  ASSERT_EQ(calls_.size(), 1u);
  EXPECT_EQ(calls_[0].method, "POST");
  EXPECT_EQ(calls_[0].target, "/v1/campaigns/camp_1/start");
  EXPECT_EQ(calls_[0].Header("authorization"), "Bearer " + key_);
  EXPECT_EQ(r.at("result").at("isError"), false);
  EXPECT_EQ(r.at("result").at("structuredContent").at("data").at("id"), "camp_1");
  EXPECT_EQ(r.at("result").at("content").at(0).at("text").as_string(), next_.body);

  next_ = {404,
           "application/json",
           {},
           R"({"error":{"code":"not_found","message":"no such campaign"}})"};
  r = Reply(
      R"({"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"get_campaign","arguments":{"campaignId":"camp_x"}}})");
  EXPECT_EQ(r.at("result").at("isError"), true);
  EXPECT_EQ(r.at("result").at("structuredContent").at("error").at("code"), "not_found");

  // A bad argument never reaches the API.
  r = Reply(
      R"({"jsonrpc":"2.0","id":4,"method":"tools/call","params":{"name":"get_campaign","arguments":{}}})");
  EXPECT_EQ(r.at("result").at("isError"), true);
  EXPECT_EQ(r.at("result").at("structuredContent").at("error").at("param"), "campaignId");
  EXPECT_EQ(calls_.size(), 2u);
}

TEST_F(McpServerTest, MalformedMessagesGetJsonRpcErrors) {
  http::HttpResponse parse = Post("{not json");
  EXPECT_EQ(parse.status, 400);
  EXPECT_EQ(json::parse(parse.body).at("error").at("code"), -32700);
  EXPECT_EQ(Reply(R"([1])").at(0).at("error").at("code"), -32600);
  EXPECT_EQ(Reply(R"({"jsonrpc":"1.0","id":1,"method":"ping"})").at("error").at("code"), -32600);
  EXPECT_EQ(Reply(R"({"jsonrpc":"2.0","id":1,"method":"nope"})").at("error").at("code"), -32601);
  EXPECT_EQ(Reply(R"({"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"nope"}})")
                .at("error")
                .at("code"),
            -32602);
  EXPECT_EQ(Post(R"({"jsonrpc":"2.0","method":"notifications/initialized"})").status, 202);
  EXPECT_EQ(Post(R"({"jsonrpc":"2.0","id":9,"result":{}})").status, 202);
  json::value batch =
      Reply(R"([{"jsonrpc":"2.0","id":1,"method":"ping"},{"jsonrpc":"2.0","method":"x"}])");
  EXPECT_EQ(batch.as_array().size(), 1u);
  EXPECT_EQ(Post(R"({"jsonrpc":"2.0","id":1,"method":"ping"})", "sk_live_wrong").status, 401);
}

}  // namespace
}  // namespace leadterra::mcp
