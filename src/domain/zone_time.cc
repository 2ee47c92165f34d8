#include "domain/zone_time.h"

#include <exception>

namespace leadterra::domain {

const date::time_zone* FindZone(std::string_view name) {
  if (name.empty() || name == "UTC") return nullptr;
  try {
    return date::locate_zone(name);
  } catch (const std::exception&) {
    return nullptr;
  }
}

LocalMillis ToLocal(int64_t unix_millis, const date::time_zone* zone) {
  const date::sys_time<std::chrono::milliseconds> instant{std::chrono::milliseconds{unix_millis}};
  if (zone == nullptr) return LocalMillis{instant.time_since_epoch()};
  return zone->to_local(instant);
}

int64_t ToUnixMillis(LocalMillis local, const date::time_zone* zone, bool latest) {
  if (zone == nullptr) return local.time_since_epoch().count();
  return zone->to_sys(local, latest ? date::choose::latest : date::choose::earliest)
      .time_since_epoch()
      .count();
}

}  // namespace leadterra::domain
