// Fuzzes the personalization renderer: any template text rendered in every
// mode against lead values taken from the same input. Checks the safety
// promises: header mode never emits CR or LF, HTML mode never emits a '<'
// that came from a value.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "domain/template.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  size_t split = input.find('\0');
  std::string_view text = input.substr(0, split);
  std::string value = split == std::string_view::npos ? "" : std::string(input.substr(split + 1));
  using leadterra::domain::Template;
  using leadterra::domain::TextMode;
  Template t = Template::Parse(text);
  auto lookup = [&](std::string_view name) -> std::optional<std::string_view> {
    if (name.size() % 2) return std::nullopt;
    return std::string_view(value);
  };
  std::string header = t.Render(lookup, TextMode::kHeader);
  bool text_has_newline = text.find_first_of("\r\n") != std::string_view::npos;
  if (!text_has_newline && header.find_first_of("\r\n") != std::string::npos) __builtin_trap();
  // Values never add markup: with a template free of '<', the HTML output has none.
  std::string html = t.Render(lookup, TextMode::kHtml);
  if (text.find('<') == std::string_view::npos && html.find('<') != std::string::npos) {
    __builtin_trap();
  }
  (void)t.Render(lookup, TextMode::kPlain);
  return 0;
}
