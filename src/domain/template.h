// Personalization templates: "Hi {{firstName|there}}, how is {{ company }}?".
//
// A Template is parsed once per step and rendered for every lead without
// re-parsing. Tokens are `{{name}}` or `{{name|fallback}}`, spaces inside the
// braces allowed; names are letters, digits, '_', '-', '.' and inner spaces.
// Anything that is not a well-formed token (an unclosed "{{", "{{}}") is kept
// as literal text. A missing or empty value renders the fallback, or nothing.
//
// Output modes: kHtml escapes values (& < > " ') so lead data can never inject
// markup and drops control characters; kHeader turns CR, LF, tab, C1
// controls, U+2028/U+2029 and other control characters in values
// into single spaces so lead data can never inject a header; kPlain inserts
// values as they are. Immutable after Parse; thread-safe.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace leadterra::domain {

enum class TextMode { kHtml, kHeader, kPlain };

// Returns a field's value, or nullopt when the lead has none.
using FieldLookup = std::function<std::optional<std::string_view>(std::string_view name)>;

class Template {
 public:
  struct Token {
    std::string name;
    std::optional<std::string> fallback;
  };

  static Template Parse(std::string_view text);

  const std::vector<Token>& tokens() const { return tokens_; }

  // Appends the rendering to `out`. Names of fields that were missing (even
  // if a fallback covered them) are appended to `missing` once each.
  void Render(const FieldLookup& lookup, TextMode mode, std::string* out,
              std::vector<std::string>* missing = nullptr) const;
  std::string Render(const FieldLookup& lookup, TextMode mode,
                     std::vector<std::string>* missing = nullptr) const;

 private:
  struct Segment {
    std::string literal;  // used when token < 0
    int token = -1;
  };
  std::vector<Segment> segments_;
  std::vector<Token> tokens_;
};

// HTML-escapes text (& < > " ') and drops control characters and line
// separators other than tab, CR and LF (see util/utf8.h).
void AppendHtmlEscaped(std::string_view text, std::string* out);
// Replaces control characters (CR, LF, tab, C1, U+2028/2029, …) with single
// spaces and trims.
std::string SanitizeHeaderText(std::string_view text);

}  // namespace leadterra::domain
