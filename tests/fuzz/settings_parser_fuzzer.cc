// Fuzzes the deliverability request parsers: the delivery-settings PATCH body
// (time zones, windows, limits) followed by the calendar rules it feeds, and
// the DKIM private-key parser (PEM from the request). Any crash, sanitizer
// report or exception is a bug; accepted settings must satisfy the rules.
#include <boost/json/value.hpp>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "api/delivery_settings_api.h"
#include "api/json_input.h"
#include "domain/delivery_settings.h"
#include "util/rsa_key.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  std::string_view raw(reinterpret_cast<const char*>(data) + 1, size - 1);
  if (data[0] % 4 == 0) {
    // Key material: whatever the bytes, a clear error or a usable key.
    auto key = leadterra::ParseRsaPrivateKey(raw);
    if (key.ok() && key->public_key_base64.empty()) __builtin_trap();
    return 0;
  }
  auto parsed = leadterra::api::ParseJsonBody(raw);
  if (!parsed.ok()) return 0;
  leadterra::domain::DeliverySettings settings;
  if (!leadterra::api::ApplyDeliverySettingsPatch(*parsed, settings).ok()) return 0;
  if (!leadterra::domain::ValidateDeliverySettings(settings).ok()) __builtin_trap();
  // The calendar rules must hold for any accepted settings.
  const int64_t now = 1772971200000;  // 2026-03-08T12:00:00Z (a DST change in the US)
  auto day = leadterra::domain::LocalDayOf(now, settings.timezone);
  if (day.next_start <= now) __builtin_trap();
  if (settings.window &&
      leadterra::domain::NextWindowOpening(now, *settings.window, settings.timezone) < now) {
    __builtin_trap();
  }
  return 0;
}
