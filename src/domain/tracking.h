// Open and click tracking (SPEC §13), off by default. A tracking token names
// one message (and, for a click, one link with its URL) and carries a MAC
// under a key derived from the master key: it needs no lookup to answer, an
// altered or forged token is refused, and a click can only ever redirect to
// a URL this server put into a message. The rules that tell machines (mail
// privacy proxies, link scanners, prefetchers) from people live here too.
// Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "domain/webhook.h"
#include "util/secret_box.h"

namespace leadterra::domain {

enum class TrackingKind { kOpen, kClick };

struct TrackingTarget {
  TrackingKind kind = TrackingKind::kOpen;
  std::string workspace_id;
  std::string message_id;  // msg_…
  int link_index = 0;      // a click: the link's position in the HTML, from 0
  std::string url;         // a click: where it goes
};

inline constexpr size_t kMaxTrackedUrlBytes = 2048;
inline constexpr size_t kMaxTrackingTokenBytes = 4096;

std::string TrackingToken(const SecretBox& box, const TrackingTarget& target);
// nullopt for anything this server did not issue (or issued for the other
// kind: an open token is no click token).
std::optional<TrackingTarget> ParseTrackingToken(const SecretBox& box, TrackingKind kind,
                                                 std::string_view token);

// "<public_url>/t/o/<token>" and "<public_url>/t/c/<token>".
std::string TrackingUrl(std::string_view public_url, const SecretBox& box,
                        const TrackingTarget& target);

// Whether a link's URL is one to track: http(s) with a host, no whitespace
// or control characters, not longer than kMaxTrackedUrlBytes, and not one of
// our own unsubscribe links (under `public_url`/u/).
bool IsTrackableUrl(std::string_view url, std::string_view public_url);

// The URL as a Location header value: bytes outside printable ASCII are
// percent-encoded (tracked URLs never hold control characters).
std::string LocationHeaderValue(std::string_view url);

// One fetch of a tracking URL, as the HTTP layer saw it.
struct TrackingHit {
  TrackingTarget target;
  bool head = false;  // a HEAD request
  std::string user_agent;
  std::string remote_ip;
  int64_t at = 0;
};

// What the store knows about the message when the hit is recorded.
struct TrackedMessage {
  std::optional<int64_t> delivered_at;  // nullopt: not (yet) delivered
  bool opened_before = false;           // any earlier open, person or machine
};

struct TrackingRules {
  // Hits this soon after delivery are a machine's (scanners and proxies
  // fetch on arrival; a person has not read the subject yet).
  int64_t grace_millis = 5'000;
};

// Why a hit was a machine's; nullopt when it was a person's. Reasons:
// "head_request", "before_delivery", "too_soon", "no_user_agent",
// "privacy_proxy" (mail privacy proxies that fetch every image),
// "scanner_user_agent" (link scanners, bots, HTTP libraries),
// "scanner_network" (a click, with no open before it, from a network where
// mail security scanners run).
std::optional<std::string> MachineReason(const TrackingHit& hit, const TrackedMessage& message,
                                         const TrackingRules& rules);

}  // namespace leadterra::domain
