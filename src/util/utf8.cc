#include "util/utf8.h"

namespace leadterra {

size_t CountCodePoints(std::string_view text) {
  size_t n = 0;
  for (unsigned char c : text) {
    if ((c & 0xC0) != 0x80) ++n;
  }
  return n;
}

bool HasControlCharacters(std::string_view text, bool allow_newlines) {
  for (unsigned char c : text) {
    if (c == '\t') continue;
    if (allow_newlines && (c == '\n' || c == '\r')) continue;
    if (c < 0x20 || c == 0x7f) return true;
  }
  return false;
}

}  // namespace leadterra
