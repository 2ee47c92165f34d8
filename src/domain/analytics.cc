#include "domain/analytics.h"

#include <algorithm>
#include <cmath>

#include "domain/zone_time.h"

namespace leadterra::domain {
namespace {

constexpr int64_t kHourMillis = 3600 * 1000;

int64_t FloorMod(int64_t a, int64_t b) { return ((a % b) + b) % b; }

// Offset of `zone` from UTC at `unix_millis`, in millis.
int64_t OffsetAt(int64_t unix_millis, const date::time_zone* zone) {
  return ToLocal(unix_millis, zone).time_since_epoch().count() - unix_millis;
}

// The last local hour boundary at or before `t`.
int64_t HourStartOf(int64_t t, const date::time_zone* zone) {
  return t - FloorMod(t + OffsetAt(t, zone), kHourMillis);
}

// The next local hour boundary after `start` (itself a boundary): an hour
// later, unless the offset changed by a part of an hour in between.
int64_t NextHourStart(int64_t start, const date::time_zone* zone) {
  const int64_t candidate = start + kHourMillis;
  const int64_t aligned = HourStartOf(candidate, zone);
  return aligned > start ? aligned : candidate;
}

}  // namespace

ActivityCounts& ActivityCounts::operator+=(const ActivityCounts& o) {
  sent += o.sent;
  delivered += o.delivered;
  bounced += o.bounced;
  replied += o.replied;
  unsubscribed += o.unsubscribed;
  opened += o.opened;
  clicked += o.clicked;
  return *this;
}

bool ActivityCounts::empty() const {
  return sent == 0 && delivered == 0 && bounced == 0 && replied == 0 && unsubscribed == 0 &&
         opened == 0 && clicked == 0;
}

int64_t ActivitySlotOf(int64_t unix_millis) {
  return unix_millis - FloorMod(unix_millis, kActivitySlotMillis);
}

int64_t ActivityHourOf(int64_t unix_millis) {
  return unix_millis - FloorMod(unix_millis, kHourMillis);
}

Result<std::vector<int64_t>> BucketStarts(int64_t from, int64_t to, BucketInterval interval,
                                          std::string_view zone_name) {
  const date::time_zone* zone = FindZone(zone_name);
  std::vector<int64_t> starts;
  const auto too_many = [] {
    return InvalidArgument("the range holds more than " + std::to_string(kMaxAnalyticsBuckets) +
                               " buckets: narrow it or use a longer interval",
                           "from");
  };
  if (interval == BucketInterval::kHour) {
    for (int64_t t = HourStartOf(from, zone); t < to; t = NextHourStart(t, zone)) {
      if (starts.size() == kMaxAnalyticsBuckets) return too_many();
      starts.push_back(t);
    }
    return starts;
  }
  date::local_days day = date::floor<date::days>(ToLocal(from, zone));
  for (int64_t t = ToUnixMillis(LocalMillis{day}, zone); t < to;
       day += date::days{1}, t = ToUnixMillis(LocalMillis{day}, zone)) {
    if (starts.size() == kMaxAnalyticsBuckets) return too_many();
    starts.push_back(t);
  }
  return starts;
}

CampaignActivity AggregateActivity(const std::vector<int64_t>& starts,
                                   const std::vector<ActivityRow>& rows) {
  CampaignActivity out;
  out.buckets.resize(starts.size());
  if (starts.empty()) return out;
  for (const ActivityRow& row : rows) {
    auto next = std::upper_bound(starts.begin(), starts.end(), row.slot_start);
    if (next == starts.begin()) continue;  // before the first bucket
    out.buckets[static_cast<size_t>(next - starts.begin() - 1)] += row.counts;
    if (row.step_number <= 0) continue;
    out.steps[{row.step_number, std::string()}] += row.counts;
    if (!row.variant_id.empty()) out.steps[{row.step_number, row.variant_id}] += row.counts;
  }
  return out;
}

double Rate(int64_t part, int64_t whole) {
  if (whole <= 0) return 0.0;
  return std::round(1000.0 * static_cast<double>(part) / static_cast<double>(whole)) / 1000.0;
}

}  // namespace leadterra::domain
