#include "util/utf8.h"

namespace leadterra {

size_t CountCodePoints(std::string_view text) {
  size_t n = 0;
  for (unsigned char c : text) {
    if ((c & 0xC0) != 0x80) ++n;
  }
  return n;
}

size_t ControlCharacterLength(std::string_view text, size_t i, bool count_tab) {
  const auto byte = [&](size_t k) { return static_cast<unsigned char>(text[k]); };
  const unsigned char c = byte(i);
  if (c == '\t') return count_tab ? 1 : 0;
  if (c < 0x20 || c == 0x7f) return 1;
  // C1 controls: U+0080..U+009F are C2 80..C2 9F.
  if (c == 0xC2 && i + 1 < text.size() && byte(i + 1) >= 0x80 && byte(i + 1) <= 0x9F) return 2;
  // U+2028 LINE SEPARATOR and U+2029 PARAGRAPH SEPARATOR: E2 80 A8/A9.
  if (c == 0xE2 && i + 2 < text.size() && byte(i + 1) == 0x80 &&
      (byte(i + 2) == 0xA8 || byte(i + 2) == 0xA9)) {
    return 3;
  }
  return 0;
}

bool HasControlCharacters(std::string_view text, bool allow_newlines) {
  for (size_t i = 0; i < text.size(); ++i) {
    if (allow_newlines && (text[i] == '\n' || text[i] == '\r')) continue;
    if (ControlCharacterLength(text, i, /*count_tab=*/false) > 0) return true;
  }
  return false;
}

std::string TruncateUtf8(std::string_view text, size_t max_bytes) {
  if (text.size() <= max_bytes) return std::string(text);
  size_t end = max_bytes;
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
  return std::string(text.substr(0, end));
}

}  // namespace leadterra
