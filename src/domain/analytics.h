// Campaign analytics (SPEC §10): what is counted, how instants fall into
// 15-minute activity slots, and how slots add up to hour or day buckets in
// the workspace's time zone.
//
// Counters are kept per (campaign, step, variant, slot) in the transactions
// that record each outcome; a slot is a UTC quarter hour, so every bucket
// boundary of every zone (all offsets in use are whole quarter hours) falls
// on a slot boundary, and a read costs the number of slots and steps in the
// range, never the number of leads or messages. Pure functions, thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "util/status.h"

namespace leadterra::domain {

inline constexpr int64_t kActivitySlotMillis = 15 * 60 * 1000;
inline constexpr size_t kMaxAnalyticsBuckets = 1000;
inline constexpr int64_t kDefaultAnalyticsRangeMillis = 30LL * 86400 * 1000;

// What one slot, bucket or step counts. `sent`: messages whose attempt
// ended (accepted, refused or interrupted); `delivered`: accepted by the
// receiving server, less those a later bounce report took back (taken back
// in the slot they were delivered in); `bounced`: refused at send time or
// reported later (counted when it happens); `replied`: leads, at their
// first reply; `unsubscribed`: leads, when they leave.
struct ActivityCounts {
  int64_t sent = 0, delivered = 0, bounced = 0, replied = 0, unsubscribed = 0, opened = 0,
          clicked = 0;
  ActivityCounts& operator+=(const ActivityCounts& other);
  bool empty() const;
};

// The slot `unix_millis` falls in, as the slot's start (a multiple of
// kActivitySlotMillis; floor division, so negative instants work too).
int64_t ActivitySlotOf(int64_t unix_millis);

// The UTC hour `unix_millis` falls in, as the hour's start (per-mailbox
// counters are kept by the hour).
int64_t ActivityHourOf(int64_t unix_millis);

enum class BucketInterval { kHour, kDay };

// Bucket starts (unix millis) covering [from, to): the first is the start of
// the hour or local day that holds `from`, each next one the next local hour
// or midnight in `zone` (nullptr-safe: an unknown zone is UTC), so DST days
// have 23 or 25 hour buckets and a day bucket lasts 23 or 25 hours. Fails
// (param "from") when that needs more than kMaxAnalyticsBuckets buckets.
// Requires from < to.
Result<std::vector<int64_t>> BucketStarts(int64_t from, int64_t to, BucketInterval interval,
                                          std::string_view zone);

// One stored counter row: a slot of one step's variant ("" without
// variants). Step 0 holds what belongs to no step (unsubscribes).
struct ActivityRow {
  int64_t slot_start = 0;  // unix millis
  int step_number = 0;
  std::string variant_id;
  ActivityCounts counts;
};

struct CampaignActivity {
  std::vector<ActivityCounts> buckets;  // parallel to the bucket starts
  // Totals over the range per (step number, variant id); the step's own
  // total is under variant "". Step 0 is left out.
  std::map<std::pair<int, std::string>, ActivityCounts> steps;
};

// Adds `rows` (slots within [starts.front(), to)) into buckets and steps.
// Rows outside the buckets are ignored.
CampaignActivity AggregateActivity(const std::vector<int64_t>& starts,
                                   const std::vector<ActivityRow>& rows);

// part / whole rounded to 3 decimals (reply rate: replied / delivered;
// bounce rate: bounced / sent); 0 when `whole` is 0.
double Rate(int64_t part, int64_t whole);

}  // namespace leadterra::domain
