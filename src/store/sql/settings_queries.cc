#include "store/sql/settings_queries.h"

namespace leadterra::store::sql {
namespace {

// Window days are stored as digits, "12345" for Monday to Friday.
std::string EncodeDays(const std::vector<int>& days) {
  std::string out;
  for (int day : days) out += static_cast<char>('0' + day);
  return out;
}

std::vector<int> DecodeDays(const std::string& text) {
  std::vector<int> days;
  for (char c : text) {
    if (c >= '1' && c <= '7') days.push_back(c - '0');
  }
  return days;
}

}  // namespace

Result<domain::DeliverySettings> LoadDeliverySettings(Connection& conn,
                                                      const std::string& workspace_id) {
  LT_ASSIGN_OR_RETURN(auto stmt,
                      conn.Prepare("SELECT daily_limit, timezone, window_days, window_start, "
                                   "window_end, min_gap_seconds, updated_at FROM "
                                   "delivery_settings WHERE workspace_id = ?"));
  stmt->Bind(1, workspace_id);
  domain::DeliverySettings settings;
  LT_ASSIGN_OR_RETURN(bool found, stmt->Step());
  if (!found) return settings;
  if (std::optional<int64_t> limit = stmt->ColumnOptionalInt(0)) {
    settings.daily_limit = static_cast<int>(*limit);
  }
  settings.timezone = stmt->ColumnText(1);
  if (std::optional<std::string> days = stmt->ColumnOptionalText(2)) {
    domain::SendingWindow window;
    window.days = DecodeDays(*days);
    window.start_minute = static_cast<int>(stmt->ColumnInt(3));
    window.end_minute = static_cast<int>(stmt->ColumnInt(4));
    settings.window = std::move(window);
  }
  settings.min_gap_seconds = static_cast<int>(stmt->ColumnInt(5));
  settings.updated_at = stmt->ColumnInt(6);
  return settings;
}

Status WriteDeliverySettings(Connection& conn, const std::string& workspace_id,
                             const domain::DeliverySettings& settings) {
  LT_ASSIGN_OR_RETURN(
      auto stmt,
      conn.Prepare("INSERT INTO delivery_settings(workspace_id, daily_limit, timezone, "
                   "window_days, window_start, window_end, min_gap_seconds, updated_at) VALUES "
                   "(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) ON CONFLICT (workspace_id) DO UPDATE SET "
                   "daily_limit = ?2, timezone = ?3, window_days = ?4, window_start = ?5, "
                   "window_end = ?6, min_gap_seconds = ?7, updated_at = ?8"));
  stmt->Bind(1, workspace_id)
      .Bind(2, settings.daily_limit ? std::optional<int64_t>(*settings.daily_limit) : std::nullopt)
      .Bind(3, settings.timezone);
  if (settings.window) {
    stmt->Bind(4, EncodeDays(settings.window->days))
        .Bind(5, settings.window->start_minute)
        .Bind(6, settings.window->end_minute);
  } else {
    stmt->BindNull(4).BindNull(5).BindNull(6);
  }
  stmt->Bind(7, settings.min_gap_seconds).Bind(8, settings.updated_at);
  return stmt->Run();
}

}  // namespace leadterra::store::sql
