// Plain-text rendering of an email's HTML body, for the text/plain part and
// previews. Parsed with gumbo (a real HTML5 parser): paragraphs and headings
// become blank-line separated blocks, <br> a line break, list items "- item",
// links "text (url)" when the URL differs from the text; script, style and
// head are dropped; runs of whitespace collapse. Pure and thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace leadterra::delivery {

std::string HtmlToText(std::string_view html);

}  // namespace leadterra::delivery
