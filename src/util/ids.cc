#include "util/ids.h"

#include <cstring>

#include "util/crypto.h"

namespace leadterra {
namespace {

constexpr char kCrockford[] = "0123456789abcdefghjkmnpqrstvwxyz";

bool IsCrockford(char c) { return std::strchr(kCrockford, c) != nullptr && c != '\0'; }

// 48-bit millisecond time + 80 random bits -> prefix + 26 base32 characters,
// most significant first (the first character carries only 3 bits).
std::string EncodeUlid(std::string_view prefix, uint64_t millis, const uint8_t random[10]) {
  uint8_t bytes[16];
  for (int i = 0; i < 6; ++i) bytes[i] = static_cast<uint8_t>(millis >> (8 * (5 - i)));
  std::memcpy(bytes + 6, random, 10);
  std::string out(prefix);
  out.reserve(prefix.size() + 26);
  unsigned __int128 value = 0;
  for (uint8_t b : bytes) value = (value << 8) | b;
  char chars[26];
  for (int i = 25; i >= 0; --i) {
    chars[i] = kCrockford[static_cast<int>(value & 31)];
    value >>= 5;
  }
  out.append(chars, 26);
  return out;
}

}  // namespace

std::string UlidSequence::Next(std::string_view prefix, int64_t unix_millis) {
  uint64_t now = static_cast<uint64_t>(unix_millis);
  uint8_t random[10];
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (now <= last_millis_) {
      // Same (or earlier) millisecond: keep the time, increment the random part.
      now = last_millis_;
      for (int i = 9; i >= 0; --i) {
        if (++last_random_[i] != 0) break;
      }
    } else {
      last_millis_ = now;
      FillRandom(last_random_, sizeof(last_random_));
      last_random_[0] &= 0x7f;  // headroom so increments never overflow
    }
    std::memcpy(random, last_random_, sizeof(random));
  }
  return EncodeUlid(prefix, now, random);
}

std::string NewIdAt(std::string_view prefix, int64_t unix_millis) {
  static UlidSequence sequence;
  return sequence.Next(prefix, unix_millis);
}

bool IsValidId(std::string_view id, std::string_view prefix) {
  if (id.size() != prefix.size() + 26 || id.substr(0, prefix.size()) != prefix) return false;
  std::string_view ulid = id.substr(prefix.size());
  if (ulid[0] > '7') return false;
  for (char c : ulid) {
    if (!IsCrockford(c)) return false;
  }
  return true;
}

}  // namespace leadterra
