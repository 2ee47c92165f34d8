#include "domain/template.h"

#include <gtest/gtest.h>

#include "util/utf8.h"

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

// Values stored before lead text refused controls still cannot reach a
// header as a line break or the markup as a NUL.
TEST(Template, ControlsAndSeparatorsNeverReachHeadersOrMarkup) {
  Template subject = Template::Parse("Hi {{firstName}}!");
  const std::string hostile = std::string(
                                  "A\xc2\x85"
                                  "B\xe2\x80\xa8"
                                  "C\xe2\x80\xa9"
                                  "D") +
                              std::string(
                                  "\0E\x1b"
                                  "F",
                                  4);
  EXPECT_EQ(subject.Render(From({{"firstName", hostile}}), TextMode::kHeader), "Hi A B C D E F!");
  Template body = Template::Parse("<p>{{firstName}}</p>");
  EXPECT_EQ(body.Render(From({{"firstName", hostile}}), TextMode::kHtml), "<p>ABCDEF</p>");
  // Other non-ASCII text is untouched.
  EXPECT_EQ(subject.Render(From({{"firstName", "Zo\xc3\xab \xc2\xa0X"}}), TextMode::kHeader),
            "Hi Zo\xc3\xab \xc2\xa0X!");
}

TEST(Utf8, ControlCharacters) {
  EXPECT_FALSE(HasControlCharacters("plain text, Zo\xc3\xab", false));
  EXPECT_FALSE(HasControlCharacters("tab\tinside", false));
  EXPECT_TRUE(HasControlCharacters(std::string("nul\0", 4), false));
  EXPECT_TRUE(HasControlCharacters("esc\x1b", false));
  EXPECT_TRUE(HasControlCharacters("bel\x07", false));
  EXPECT_TRUE(HasControlCharacters("del\x7f", false));
  EXPECT_TRUE(HasControlCharacters("nel\xc2\x85", false));
  EXPECT_TRUE(HasControlCharacters("c1 end\xc2\x9f", false));
  EXPECT_FALSE(HasControlCharacters("nbsp\xc2\xa0", false));
  EXPECT_TRUE(HasControlCharacters("ls\xe2\x80\xa8", false));
  EXPECT_TRUE(HasControlCharacters("ps\xe2\x80\xa9", false));
  EXPECT_FALSE(HasControlCharacters("dash\xe2\x80\x94", false));
  EXPECT_TRUE(HasControlCharacters("line\nbreak", false));
  EXPECT_FALSE(HasControlCharacters("line\r\nbreak", true));
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
