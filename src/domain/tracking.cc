#include "domain/tracking.h"

#include <algorithm>
#include <cctype>
#include <cstdio>

#include "domain/signed_token.h"
#include "util/ids.h"

namespace leadterra::domain {
namespace {

constexpr char kPurpose[] = "tracking-link";

std::string Lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

bool StartsWithNoCase(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && Lower(s.substr(0, prefix.size())) == prefix;
}

// Splits on '\n' into at most `max` fields (the last keeps the rest).
std::vector<std::string_view> Fields(std::string_view payload, size_t max) {
  std::vector<std::string_view> out;
  while (out.size() + 1 < max) {
    const size_t nl = payload.find('\n');
    if (nl == std::string_view::npos) break;
    out.push_back(payload.substr(0, nl));
    payload.remove_prefix(nl + 1);
  }
  out.push_back(payload);
  return out;
}

// User agents of mail privacy proxies (they fetch every image of every
// message on arrival, whether or not anyone reads it). Apple's Mail Privacy
// Protection sends the bare "Mozilla/5.0".
constexpr std::string_view kProxyAgents[] = {"googleimageproxy", "yahoomailproxy", "ymailproxy",
                                             "outlook.com image proxy"};
// Link scanners, preview bots and HTTP libraries (lowercase substrings).
constexpr std::string_view kScannerAgents[] = {"bot",
                                               "crawler",
                                               "spider",
                                               "preview",
                                               "scanner",
                                               "barracuda",
                                               "mimecast",
                                               "proofpoint",
                                               "symantec",
                                               "messagelabs",
                                               "trendmicro",
                                               "trend micro",
                                               "fortiguard",
                                               "sophos",
                                               "ironport",
                                               "forcepoint",
                                               "zscaler",
                                               "safelinks",
                                               "urldefense",
                                               "checkpoint",
                                               "python-",
                                               "curl/",
                                               "wget/",
                                               "go-http",
                                               "java/",
                                               "okhttp",
                                               "libwww",
                                               "httpclient",
                                               "node-fetch",
                                               "axios/",
                                               "headlesschrome",
                                               "phantomjs",
                                               "facebookexternalhit",
                                               "whatsapp",
                                               "slack"};

// Networks where mail security gateways follow links before delivery
// (Microsoft Exchange Online Protection, Google, Mimecast, Proofpoint,
// Barracuda); a click from one with no open before it is a scan.
struct Cidr {
  uint32_t base;
  int bits;
};
constexpr uint32_t Ip(int a, int b, int c, int d) {
  return (static_cast<uint32_t>(a) << 24) | (static_cast<uint32_t>(b) << 16) |
         (static_cast<uint32_t>(c) << 8) | static_cast<uint32_t>(d);
}
constexpr Cidr kScannerNetworks[] = {
    {Ip(40, 92, 0, 0), 15},     {Ip(40, 107, 0, 0), 16},   {Ip(52, 100, 0, 0), 14},
    {Ip(104, 47, 0, 0), 17},    {Ip(66, 249, 64, 0), 19},  {Ip(66, 102, 0, 0), 20},
    {Ip(205, 139, 110, 0), 24}, {Ip(207, 211, 30, 0), 24}, {Ip(148, 163, 128, 0), 19},
    {Ip(67, 231, 144, 0), 20},  {Ip(64, 235, 144, 0), 20}};

std::optional<uint32_t> ParseIpv4(std::string_view text) {
  if (StartsWithNoCase(text, "::ffff:")) text.remove_prefix(7);
  uint32_t value = 0;
  int parts = 0;
  while (!text.empty()) {
    size_t dot = text.find('.');
    std::string_view part = text.substr(0, dot);
    if (part.empty() || part.size() > 3) return std::nullopt;
    int n = 0;
    for (char c : part) {
      if (c < '0' || c > '9') return std::nullopt;
      n = n * 10 + (c - '0');
    }
    if (n > 255) return std::nullopt;
    value = (value << 8) | static_cast<uint32_t>(n);
    ++parts;
    if (dot == std::string_view::npos) break;
    text.remove_prefix(dot + 1);
  }
  if (parts != 4) return std::nullopt;
  return value;
}

bool InScannerNetwork(std::string_view remote_ip) {
  const std::optional<uint32_t> ip = ParseIpv4(remote_ip);
  if (!ip) return false;
  for (const Cidr& net : kScannerNetworks) {
    const uint32_t mask = net.bits == 0 ? 0 : ~uint32_t{0} << (32 - net.bits);
    if ((*ip & mask) == (net.base & mask)) return true;
  }
  return false;
}

}  // namespace

std::string TrackingToken(const SecretBox& box, const TrackingTarget& target) {
  std::string payload = target.kind == TrackingKind::kOpen ? "o" : "c";
  payload += "\n" + target.workspace_id + "\n" + target.message_id;
  if (target.kind == TrackingKind::kClick) {
    payload += "\n" + std::to_string(target.link_index) + "\n" + target.url;
  }
  return SignPayload(box, kPurpose, payload);
}

std::optional<TrackingTarget> ParseTrackingToken(const SecretBox& box, TrackingKind kind,
                                                 std::string_view token) {
  const std::optional<std::string> payload =
      OpenSignedPayload(box, kPurpose, token, kMaxTrackingTokenBytes);
  if (!payload) return std::nullopt;
  const bool click = kind == TrackingKind::kClick;
  const std::vector<std::string_view> fields = Fields(*payload, click ? 5 : 3);
  if (fields.size() != (click ? 5u : 3u) || fields[0] != (click ? "c" : "o")) return std::nullopt;
  TrackingTarget target;
  target.kind = kind;
  target.workspace_id = std::string(fields[1]);
  target.message_id = std::string(fields[2]);
  if (!IsValidId(target.workspace_id, id_prefix::kWorkspace) ||
      !IsValidId(target.message_id, id_prefix::kMessage)) {
    return std::nullopt;
  }
  if (click) {
    const std::string_view index = fields[3];
    if (index.empty() || index.size() > 6 ||
        !std::all_of(index.begin(), index.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      return std::nullopt;
    }
    target.link_index = std::stoi(std::string(index));
    target.url = std::string(fields[4]);
    if (!IsTrackableUrl(target.url, "")) return std::nullopt;
  }
  return target;
}

std::string TrackingUrl(std::string_view public_url, const SecretBox& box,
                        const TrackingTarget& target) {
  std::string base(public_url);
  while (!base.empty() && base.back() == '/') base.pop_back();
  return base + (target.kind == TrackingKind::kOpen ? "/t/o/" : "/t/c/") +
         TrackingToken(box, target);
}

bool IsTrackableUrl(std::string_view url, std::string_view public_url) {
  if (url.empty() || url.size() > kMaxTrackedUrlBytes) return false;
  for (unsigned char c : url) {
    if (c <= 0x20 || c == 0x7f) return false;  // whitespace and control characters
  }
  size_t rest;
  if (StartsWithNoCase(url, "https://")) {
    rest = 8;
  } else if (StartsWithNoCase(url, "http://")) {
    rest = 7;
  } else {
    return false;
  }
  // A host must follow: not "http:///x", not "http://?".
  if (rest >= url.size() || url[rest] == '/' || url[rest] == '?' || url[rest] == '#' ||
      url[rest] == '\\') {
    return false;
  }
  if (!public_url.empty()) {
    std::string own(public_url);
    while (!own.empty() && own.back() == '/') own.pop_back();
    if (StartsWithNoCase(url, Lower(own) + "/u/")) return false;
  }
  return true;
}

std::string LocationHeaderValue(std::string_view url) {
  std::string out;
  for (unsigned char c : url) {
    if (c > 0x20 && c < 0x7f) {
      out.push_back(static_cast<char>(c));
    } else {
      char hex[4];
      std::snprintf(hex, sizeof hex, "%%%02X", c);
      out += hex;
    }
  }
  return out;
}

std::optional<std::string> MachineReason(const TrackingHit& hit, const TrackedMessage& message,
                                         const TrackingRules& rules) {
  if (hit.head) return "head_request";
  if (!message.delivered_at) return "before_delivery";
  if (hit.at - *message.delivered_at < rules.grace_millis) return "too_soon";
  const std::string agent = Lower(hit.user_agent);
  if (agent.empty()) return "no_user_agent";
  if (agent == "mozilla/5.0") return "privacy_proxy";
  for (std::string_view proxy : kProxyAgents) {
    if (agent.find(proxy) != std::string::npos) return "privacy_proxy";
  }
  for (std::string_view scanner : kScannerAgents) {
    if (agent.find(scanner) != std::string::npos) return "scanner_user_agent";
  }
  if (hit.target.kind == TrackingKind::kClick && !message.opened_before &&
      InScannerNetwork(hit.remote_ip)) {
    return "scanner_network";
  }
  return std::nullopt;
}

}  // namespace leadterra::domain
