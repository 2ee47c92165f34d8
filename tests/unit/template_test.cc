#include "domain/template.h"

#include <gtest/gtest.h>

#include <map>

namespace leadterra::domain {
namespace {

FieldLookup From(const std::map<std::string, std::string>& values) {
  return [values](std::string_view name) -> std::optional<std::string_view> {
    auto it = values.find(std::string(name));
    if (it == values.end()) return std::nullopt;
    return std::string_view(it->second);
  };
}

TEST(Template, TokensSpacesAndFallbacks) {
  Template t =
      Template::Parse("Hi {{firstName}}, {{ company }} / {{jobTitle|friend}} {{ x | y z }}");
  ASSERT_EQ(t.tokens().size(), 4u);
  EXPECT_EQ(t.tokens()[1].name, "company");
  EXPECT_EQ(t.tokens()[2].fallback, "friend");
  EXPECT_EQ(t.tokens()[3].name, "x");
  EXPECT_EQ(t.tokens()[3].fallback, "y z");
  std::vector<std::string> missing;
  std::string out =
      t.Render(From({{"firstName", "Ann"}, {"company", "Acme"}}), TextMode::kPlain, &missing);
  EXPECT_EQ(out, "Hi Ann, Acme / friend y z");
  EXPECT_EQ(missing, (std::vector<std::string>{"jobTitle", "x"}));
}

TEST(Template, MissingWithoutFallbackIsEmpty) {
  Template t = Template::Parse("Hi {{firstName}},");
  EXPECT_EQ(t.Render(From({}), TextMode::kPlain), "Hi ,");
  EXPECT_EQ(t.Render(From({{"firstName", "  "}}), TextMode::kPlain), "Hi ,");  // blank = missing
}

TEST(Template, MalformedBracesStayLiteral) {
  for (std::string text :
       {"{{", "{{}}", "a {{ }} b", "{{first name", "x }} y", "{{a{b}}", "{{{firstName}}}"}) {
    Template t = Template::Parse(text);
    std::string out = t.Render(From({{"firstName", "Ann"}}), TextMode::kPlain);
    if (text == "{{{firstName}}}") {
      EXPECT_EQ(out, "{Ann}");
    } else {
      EXPECT_EQ(out, text) << text;
    }
  }
}

TEST(Template, HtmlModeEscapesValuesOnly) {
  Template t = Template::Parse("<p>Hi {{firstName}}</p>");
  EXPECT_EQ(
      t.Render(From({{"firstName", "<script>alert('x')</script> & \"co\""}}), TextMode::kHtml),
      "<p>Hi &lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;co&quot;</p>");
}

TEST(Template, HeaderModeNeutralisesLineBreaks) {
  Template t = Template::Parse("Quick question, {{firstName}}");
  std::string out =
      t.Render(From({{"firstName", "Ann\r\nBcc: victim@example.com\tX"}}), TextMode::kHeader);
  EXPECT_EQ(out.find('\r'), std::string::npos);
  EXPECT_EQ(out.find('\n'), std::string::npos);
  EXPECT_EQ(out, "Quick question, Ann Bcc: victim@example.com X");
  EXPECT_EQ(SanitizeHeaderText("  a\r\n\r\nb \x01 "), "a b");
}

TEST(Template, ParsedOnceRenderedMany) {
  Template t = Template::Parse("{{firstName}}-{{n}}");
  for (int i = 0; i < 100; ++i) {
    std::string n = std::to_string(i);
    EXPECT_EQ(t.Render(From({{"firstName", "A"}, {"n", n}}), TextMode::kPlain), "A-" + n);
  }
}

}  // namespace
}  // namespace leadterra::domain
