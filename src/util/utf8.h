// UTF-8 helpers for validating user text. Pure functions, thread-safe.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace leadterra {

// Number of code points in valid UTF-8 `text` (bytes that are not lead bytes
// are not counted).
size_t CountCodePoints(std::string_view text);

// `text` cut to at most `max_bytes`, never inside a UTF-8 sequence.
std::string TruncateUtf8(std::string_view text, size_t max_bytes);

// Byte length of the character at text[i] when it is one that user text
// must not carry: a C0 control (tab only when `count_tab`), DEL, a C1
// control (U+0080–U+009F) or a line or paragraph separator (U+2028,
// U+2029); 0 for any other character.
size_t ControlCharacterLength(std::string_view text, size_t i, bool count_tab);

// True when `text` contains such a character other than tab (and, with
// `allow_newlines`, other than CR and LF).
bool HasControlCharacters(std::string_view text, bool allow_newlines);

}  // namespace leadterra
