// Reads of the analytics counters (SPEC §10). The counters are written by
// the transactions that record each outcome (store/sql/counters.h), so a read
// costs the number of 15-minute slots, steps and variants in the range, not
// the number of leads or messages. Thread-safe; nothing throws.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "domain/analytics.h"
#include "util/status.h"

namespace leadterra::store {

class AnalyticsStore {
 public:
  virtual ~AnalyticsStore() = default;
  // The campaign's counter rows whose slot starts in [from, to) (unix
  // millis), in slot order; none for an unknown or another workspace's id.
  virtual Result<std::vector<domain::ActivityRow>> ReadCampaignActivity(
      const std::string& workspace_id, const std::string& campaign_id, int64_t from,
      int64_t to) = 0;
  // All-time counters of the campaign's variants, by (step number, variant
  // id); variants with nothing counted yet are absent.
  virtual Result<std::map<std::pair<int, std::string>, domain::ActivityCounts>> ReadVariantCounters(
      const std::string& workspace_id, const std::string& campaign_id) = 0;
  // Per mailbox (deleted ones too), the sums of its hours that start in
  // [from, to): sent, delivered, bounced, replied.
  virtual Result<std::map<std::string, domain::ActivityCounts>> SumMailboxActivity(
      const std::string& workspace_id, int64_t from, int64_t to) = 0;
  // Per mailbox, the sends counted against its daily limit on `day_key`
  // (domain::LocalDayOf(...).key); mailboxes without any are absent.
  virtual Result<std::map<std::string, int64_t>> MailboxSendsOn(const std::string& workspace_id,
                                                                const std::string& day_key) = 0;
};

}  // namespace leadterra::store
