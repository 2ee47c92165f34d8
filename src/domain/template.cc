#include "domain/template.h"

#include <algorithm>
#include <cctype>

#include "util/utf8.h"

namespace leadterra::domain {
namespace {

bool IsNameChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.' ||
         c == ' ';
}

std::string_view TrimSpaces(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  return s;
}

// Parses the inside of "{{ … }}"; nullopt when it is not a token.
std::optional<Template::Token> ParseToken(std::string_view inner) {
  size_t bar = inner.find('|');
  std::string_view name = TrimSpaces(inner.substr(0, bar));
  if (name.empty() || !std::all_of(name.begin(), name.end(), IsNameChar)) return std::nullopt;
  Template::Token token{std::string(name), std::nullopt};
  if (bar != std::string_view::npos)
    token.fallback = std::string(TrimSpaces(inner.substr(bar + 1)));
  return token;
}

void AppendHeaderSafe(std::string_view text, std::string* out) {
  bool last_space = !out->empty() && out->back() == ' ';
  for (size_t i = 0; i < text.size(); ++i) {
    if (size_t n = ControlCharacterLength(text, i, /*count_tab=*/true); n > 0) {
      if (!last_space) out->push_back(' ');
      last_space = true;
      i += n - 1;
      continue;
    }
    out->push_back(text[i]);
    last_space = text[i] == ' ';
  }
}

}  // namespace

void AppendHtmlEscaped(std::string_view text, std::string* out) {
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    // Control characters never reach the markup (tab and line breaks do).
    if (c != '\n' && c != '\r') {
      if (size_t n = ControlCharacterLength(text, i, /*count_tab=*/false); n > 0) {
        i += n - 1;
        continue;
      }
    }
    switch (c) {
      case '&':
        out->append("&amp;");
        break;
      case '<':
        out->append("&lt;");
        break;
      case '>':
        out->append("&gt;");
        break;
      case '"':
        out->append("&quot;");
        break;
      case '\'':
        out->append("&#39;");
        break;
      default:
        out->push_back(c);
    }
  }
}

std::string SanitizeHeaderText(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  AppendHeaderSafe(text, &out);
  std::string_view trimmed = TrimSpaces(out);
  return std::string(trimmed);
}

Template Template::Parse(std::string_view text) {
  Template t;
  std::string literal;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t open = text.find("{{", pos);
    if (open == std::string_view::npos) break;
    size_t close = text.find("}}", open + 2);
    if (close == std::string_view::npos) break;
    std::optional<Token> token = ParseToken(text.substr(open + 2, close - open - 2));
    if (!token) {
      // Not a token: keep the first '{' literally and look again after it
      // (so "{{{name}}}" renders as "{value}").
      literal.append(text.substr(pos, open + 1 - pos));
      pos = open + 1;
      continue;
    }
    literal.append(text.substr(pos, open - pos));
    if (!literal.empty()) t.segments_.push_back({std::move(literal), -1});
    literal.clear();
    t.segments_.push_back({{}, static_cast<int>(t.tokens_.size())});
    t.tokens_.push_back(std::move(*token));
    pos = close + 2;
  }
  literal.append(text.substr(pos));
  if (!literal.empty()) t.segments_.push_back({std::move(literal), -1});
  return t;
}

void Template::Render(const FieldLookup& lookup, TextMode mode, std::string* out,
                      std::vector<std::string>* missing) const {
  for (const Segment& segment : segments_) {
    if (segment.token < 0) {
      out->append(segment.literal);
      continue;
    }
    const Token& token = tokens_[segment.token];
    std::optional<std::string_view> value = lookup(token.name);
    if (!value || TrimSpaces(*value).empty()) {
      if (missing && std::find(missing->begin(), missing->end(), token.name) == missing->end()) {
        missing->push_back(token.name);
      }
      if (token.fallback) {
        if (mode == TextMode::kHeader) {
          AppendHeaderSafe(*token.fallback, out);
        } else {
          out->append(*token.fallback);
        }
      }
      continue;
    }
    switch (mode) {
      case TextMode::kHtml:
        AppendHtmlEscaped(*value, out);
        break;
      case TextMode::kHeader:
        AppendHeaderSafe(*value, out);
        break;
      case TextMode::kPlain:
        out->append(*value);
        break;
    }
  }
}

std::string Template::Render(const FieldLookup& lookup, TextMode mode,
                             std::vector<std::string>* missing) const {
  std::string out;
  Render(lookup, mode, &out, missing);
  return out;
}

}  // namespace leadterra::domain
