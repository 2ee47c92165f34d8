// UTF-8 helpers for validating user text. Pure functions, thread-safe.
#pragma once

#include <cstddef>
#include <string_view>

namespace leadterra {

// Number of code points in valid UTF-8 `text` (bytes that are not lead bytes
// are not counted).
size_t CountCodePoints(std::string_view text);
// True when `text` contains a C0 control character other than tab, or DEL.
bool HasControlCharacters(std::string_view text, bool allow_newlines);

}  // namespace leadterra
