// Public identifiers: a type prefix plus a lowercase ULID, e.g.
// "camp_01hx4mrqpbcn7wh2gfk9yz6e3s". ULIDs sort by creation time; ids made by
// one IdGenerator are strictly increasing even within one millisecond, which
// is what cursor pagination relies on. Thread-safe.
#pragma once

#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>

#include "util/clock.h"

namespace leadterra {

namespace id_prefix {
inline constexpr std::string_view kWorkspace = "ws_";
inline constexpr std::string_view kApiKey = "key_";
inline constexpr std::string_view kCampaign = "camp_";
inline constexpr std::string_view kLead = "lead_";
inline constexpr std::string_view kVariant = "var_";
inline constexpr std::string_view kMessage = "msg_";
inline constexpr std::string_view kMailbox = "mbx_";
inline constexpr std::string_view kInbound = "inb_";  // mail read back (the inbox)
inline constexpr std::string_view kAnswer = "ans_";   // an answer sent from the inbox
inline constexpr std::string_view kWebhook = "whk_";
inline constexpr std::string_view kEvent = "evt_";
inline constexpr std::string_view kDkimKey = "dkim_";
inline constexpr std::string_view kRequest = "req_";
}  // namespace id_prefix

// Strictly increasing ULIDs for the times it is given: an id for a time not
// after the last one reuses the last time and increments the random part.
class UlidSequence {
 public:
  std::string Next(std::string_view prefix, int64_t unix_millis);

 private:
  std::mutex mu_;
  uint64_t last_millis_ = 0;
  uint8_t last_random_[10] = {};
};

class IdGenerator {
 public:
  explicit IdGenerator(const Clock& clock) : clock_(clock) {}
  // Returns prefix + 26 lowercase Crockford base32 characters.
  std::string Next(std::string_view prefix) { return sequence_.Next(prefix, clock_.NowMillis()); }

 private:
  const Clock& clock_;
  UlidSequence sequence_;
};

// An id for time `unix_millis` from one process-wide UlidSequence (for rows
// made where no IdGenerator is at hand, e.g. events written inside a store
// transaction): increasing within this process.
std::string NewIdAt(std::string_view prefix, int64_t unix_millis);

// True when `id` is `prefix` followed by a well-formed lowercase ULID.
bool IsValidId(std::string_view id, std::string_view prefix);

}  // namespace leadterra
