// Recording opens and clicks (SPEC §13). The HTTP layer answers a tracking
// request without touching the database; the hits are queued and written
// here in batches, one transaction per batch. Thread-safe; nothing throws.
#pragma once

#include <vector>

#include "domain/tracking.h"
#include "util/status.h"

namespace leadterra::store {

class TrackingStore {
 public:
  virtual ~TrackingStore() = default;
  // For each hit of a message that exists (others are ignored): decides
  // person or machine (domain::MachineReason, with what the message row
  // knows), and the first open / click of each kind per message is counted
  // in stats (opened, clicked, machineOpened, machineClicked), a person's
  // also in analytics (campaign, step and variant) with a message.opened /
  // message.clicked event. Later hits of a kind change nothing.
  virtual Status RecordTrackingHits(const std::vector<domain::TrackingHit>& hits,
                                    const domain::TrackingRules& rules) = 0;
};

}  // namespace leadterra::store
