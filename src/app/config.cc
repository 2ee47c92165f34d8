#include "app/config.h"

#include <toml++/toml.h>
#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <type_traits>
#include <variant>
#include <vector>

namespace leadterra::app {
namespace {

std::optional<std::string> Env(const char* name) {
  const char* v = std::getenv(name);
  if (!v || !*v) return std::nullopt;
  return std::string(v);
}

template <typename T>
Status ParseNumber(const std::string& text, const char* what, T* out) {
  T value{};
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) {
    return InvalidArgument(std::string(what) + " must be a number, got '" + text + "'");
  }
  *out = value;
  return Status::Ok();
}

// Every setting a config file or the environment may give, by TOML key and
// environment variable.
using Member =
    std::variant<std::string Config::*, int64_t Config::*, int Config::*, double Config::*>;
struct Setting {
  std::string_view key;
  const char* env;
  Member member;
};

const std::vector<Setting>& Settings() {
  static const std::vector<Setting> kSettings = {
      {"listen", "LEADTERRA_LISTEN", &Config::listen},
      {"database", "LEADTERRA_DATABASE_URL", &Config::database},
      {"log_level", "LEADTERRA_LOG_LEVEL", &Config::log_level},
      {"log_format", "LEADTERRA_LOG_FORMAT", &Config::log_format},
      {"metrics_listen", "LEADTERRA_METRICS_LISTEN", &Config::metrics_listen},
      {"day_seconds", "LEADTERRA_DAY_SECONDS", &Config::day_seconds},
      {"threads", "LEADTERRA_THREADS", &Config::threads},
      {"work_threads", "LEADTERRA_WORK_THREADS", &Config::work_threads},
      {"work_queue", "LEADTERRA_WORK_QUEUE", &Config::work_queue},
      {"db_connections", "LEADTERRA_DB_CONNECTIONS", &Config::db_connections},
      {"lease_seconds", "LEADTERRA_LEASE_SECONDS", &Config::lease_seconds},
      {"session_idle_seconds", "LEADTERRA_SESSION_IDLE_SECONDS", &Config::session_idle_seconds},
      {"web_dir", "LEADTERRA_WEB_DIR", &Config::web_dir},
      {"max_body_bytes", "LEADTERRA_MAX_BODY_BYTES", &Config::max_body_bytes},
      {"max_leads_per_request", "LEADTERRA_MAX_LEADS_PER_REQUEST", &Config::max_leads_per_request},
      {"smtp_connections", "LEADTERRA_SMTP_CONNECTIONS", &Config::smtp_connections},
      {"retry_base_seconds", "LEADTERRA_RETRY_BASE_SECONDS", &Config::retry_base_seconds},
      {"max_attempts", "LEADTERRA_MAX_ATTEMPTS", &Config::max_attempts},
      {"rate_limit", "LEADTERRA_RATE_LIMIT", &Config::rate_limit},
      {"rate_burst", "LEADTERRA_RATE_BURST", &Config::rate_burst},
      {"workers", "LEADTERRA_WORKERS", &Config::workers},
      {"public_url", "LEADTERRA_PUBLIC_URL", &Config::public_url},
      {"webhook_timeout_seconds", "LEADTERRA_WEBHOOK_TIMEOUT_SECONDS",
       &Config::webhook_timeout_seconds},
      {"webhook_retry_base_seconds", "LEADTERRA_WEBHOOK_RETRY_BASE_SECONDS",
       &Config::webhook_retry_base_seconds},
      {"webhook_retry_window_seconds", "LEADTERRA_WEBHOOK_RETRY_WINDOW_SECONDS",
       &Config::webhook_retry_window_seconds},
      {"tracking_grace_seconds", "LEADTERRA_TRACKING_GRACE_SECONDS",
       &Config::tracking_grace_seconds},
  };
  return kSettings;
}

// Sets a field from environment text; `what` names the source in errors.
Status AssignText(const Member& member, const std::string& text, const char* what, Config& config) {
  return std::visit(
      [&](auto field) -> Status {
        using T = std::remove_reference_t<decltype(config.*field)>;
        if constexpr (std::is_same_v<T, std::string>) {
          config.*field = text;
          return Status::Ok();
        } else {
          return ParseNumber(text, what, &(config.*field));
        }
      },
      member);
}

// Sets a field from a TOML value; false when the value has the wrong type.
bool AssignToml(const Member& member, const toml::node& node, Config& config) {
  return std::visit(
      [&](auto field) -> bool {
        using T = std::remove_reference_t<decltype(config.*field)>;
        if constexpr (std::is_same_v<T, std::string>) {
          if (!node.is_string()) return false;
          config.*field = *node.value<std::string>();
        } else if constexpr (std::is_same_v<T, double>) {
          if (!node.is_number()) return false;
          config.*field = *node.value<double>();
        } else {
          if (!node.is_integer()) return false;
          config.*field = static_cast<T>(*node.value<int64_t>());
        }
        return true;
      },
      member);
}

Status ApplyFile(const std::string& path, Config& config) {
  toml::table t;
  try {
    t = toml::parse_file(path);
  } catch (const toml::parse_error& e) {
    return InvalidArgument("config file " + path + ": " + std::string(e.description()));
  }
  for (const auto& [key, node] : t) {
    const std::string_view k = key.str();
    const auto& settings = Settings();
    auto it = std::find_if(settings.begin(), settings.end(),
                           [&](const Setting& setting) { return setting.key == k; });
    if (it == settings.end()) {
      return InvalidArgument("config file " + path + ": unknown key '" + std::string(k) + "'");
    }
    if (!AssignToml(it->member, node, config)) {
      return InvalidArgument("config file " + path + ": '" + std::string(k) +
                             "' has the wrong type");
    }
  }
  return Status::Ok();
}

Status ApplyEnv(Config& config) {
  for (const Setting& setting : Settings()) {
    if (auto v = Env(setting.env)) {
      LT_RETURN_IF_ERROR(AssignText(setting.member, *v, setting.env, config));
    }
  }
  if (auto v = Env("LEADTERRA_MASTER_KEY")) config.master_key = *v;
  return Status::Ok();
}

template <typename T>
void Override(const std::optional<T>& flag, T& field) {
  if (flag) field = *flag;
}

}  // namespace

Result<ListenAddress> ParseListen(const std::string& listen) {
  size_t colon = listen.rfind(':');
  if (colon == std::string::npos || colon == 0) {
    return InvalidArgument("--listen must be HOST:PORT, got '" + listen + "'");
  }
  ListenAddress out;
  out.host = listen.substr(0, colon);
  if (out.host.size() > 2 && out.host.front() == '[' && out.host.back() == ']') {
    out.host = out.host.substr(1, out.host.size() - 2);
  }
  unsigned port = 0;
  std::string port_text = listen.substr(colon + 1);
  auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (ec != std::errc() || end != port_text.data() + port_text.size() || port > 65535) {
    return InvalidArgument("--listen port must be 0..65535, got '" + port_text + "'");
  }
  out.port = static_cast<uint16_t>(port);
  return out;
}

Result<Workers> ParseWorkers(const std::string& list) {
  Workers out;
  if (list.empty()) return out;
  size_t start = 0;
  while (start <= list.size()) {
    const size_t end = std::min(list.find(',', start), list.size());
    const std::string name = list.substr(start, end - start);
    if (name == "sender") {
      out.sender = true;
    } else if (name == "webhooks") {
      out.webhooks = true;
    } else if (name == "inbound") {
      out.inbound = true;
    } else {
      return InvalidArgument("--workers takes a comma list of sender, webhooks, inbound; got '" +
                             name + "'");
    }
    start = end + 1;
  }
  return out;
}

Result<DatabaseUrl> ParseDatabaseUrl(const std::string& url) {
  constexpr std::string_view kSqlite = "sqlite:";
  DatabaseUrl out;
  out.url = url;
  if (url.rfind(kSqlite, 0) == 0 && url.size() > kSqlite.size()) {
    out.sqlite_path = url.substr(kSqlite.size());
    if (out.sqlite_path.rfind("//", 0) == 0) out.sqlite_path = out.sqlite_path.substr(2);
    return out;
  }
  if (url.rfind("postgres://", 0) == 0 || url.rfind("postgresql://", 0) == 0) {
    out.postgres = true;
    return out;
  }
  return InvalidArgument(
      "--database must be sqlite:PATH or postgres://user:pass@host:port/db, got '" + url + "'");
}

Result<Config> LoadConfig(const ConfigOverrides& flags) {
  Config config;
  std::optional<std::string> file = flags.config_file ? flags.config_file : Env("LEADTERRA_CONFIG");
  if (file) LT_RETURN_IF_ERROR(ApplyFile(*file, config));
  LT_RETURN_IF_ERROR(ApplyEnv(config));
  Override(flags.listen, config.listen);
  Override(flags.database, config.database);
  Override(flags.log_level, config.log_level);
  Override(flags.log_format, config.log_format);
  Override(flags.metrics_listen, config.metrics_listen);
  Override(flags.day_seconds, config.day_seconds);
  Override(flags.max_body_bytes, config.max_body_bytes);
  Override(flags.threads, config.threads);
  Override(flags.work_threads, config.work_threads);
  Override(flags.work_queue, config.work_queue);
  Override(flags.max_leads_per_request, config.max_leads_per_request);
  Override(flags.smtp_connections, config.smtp_connections);
  Override(flags.db_connections, config.db_connections);
  Override(flags.lease_seconds, config.lease_seconds);
  Override(flags.session_idle_seconds, config.session_idle_seconds);
  Override(flags.web_dir, config.web_dir);
  Override(flags.retry_base_seconds, config.retry_base_seconds);
  Override(flags.max_attempts, config.max_attempts);
  Override(flags.rate_limit, config.rate_limit);
  Override(flags.rate_burst, config.rate_burst);
  Override(flags.workers, config.workers);
  Override(flags.public_url, config.public_url);
  Override(flags.webhook_timeout_seconds, config.webhook_timeout_seconds);
  Override(flags.webhook_retry_base_seconds, config.webhook_retry_base_seconds);
  Override(flags.webhook_retry_window_seconds, config.webhook_retry_window_seconds);
  Override(flags.tracking_grace_seconds, config.tracking_grace_seconds);

  if (config.log_format != "text" && config.log_format != "json") {
    return InvalidArgument("--log-format must be text or json, got '" + config.log_format + "'");
  }
  if (!config.metrics_listen.empty())
    LT_RETURN_IF_ERROR(ParseListen(config.metrics_listen).status());
  if (config.day_seconds < 1) return InvalidArgument("--day-seconds must be at least 1");
  if (!(config.tracking_grace_seconds >= 0 && config.tracking_grace_seconds <= 3600)) {
    return InvalidArgument("--tracking-grace-seconds must be from 0 to 3600");
  }
  if (config.session_idle_seconds < 60 || config.session_idle_seconds > 30LL * 86400) {
    return InvalidArgument("--session-idle-seconds must be from 60 to 2592000 (30 days)");
  }
  if (config.db_connections < 1 || config.db_connections > 256) {
    return InvalidArgument("--db-connections must be from 1 to 256");
  }
  if (config.lease_seconds < 5 || config.lease_seconds > 86400) {
    return InvalidArgument("--lease-seconds must be from 5 to 86400");
  }
  if (config.threads < 1 || config.threads > 256) {
    return InvalidArgument("--threads must be from 1 to 256");
  }
  if (config.work_threads < 1 || config.work_threads > 256) {
    return InvalidArgument("--work-threads must be from 1 to 256");
  }
  if (config.work_queue < 1 || config.work_queue > 100000) {
    return InvalidArgument("--work-queue must be from 1 to 100000");
  }
  if (config.max_body_bytes < 1024) return InvalidArgument("--max-body-bytes must be >= 1024");
  if (config.max_leads_per_request < 1 || config.max_leads_per_request > 1000000) {
    return InvalidArgument("--max-leads-per-request must be from 1 to 1000000");
  }
  if (config.smtp_connections < 1 || config.smtp_connections > 256) {
    return InvalidArgument("--smtp-connections must be from 1 to 256");
  }
  if (config.retry_base_seconds < 1) return InvalidArgument("--retry-base-seconds must be >= 1");
  if (config.max_attempts < 1 || config.max_attempts > 20) {
    return InvalidArgument("--max-attempts must be from 1 to 20");
  }
  if (config.rate_limit < 0) return InvalidArgument("--rate-limit must be >= 0");
  if (config.rate_burst < 1) return InvalidArgument("--rate-burst must be >= 1");
  if (!(config.webhook_timeout_seconds > 0 && config.webhook_timeout_seconds <= 300)) {
    return InvalidArgument("--webhook-timeout-seconds must be > 0 and at most 300");
  }
  if (!(config.webhook_retry_base_seconds > 0 && config.webhook_retry_base_seconds <= 3600)) {
    return InvalidArgument("--webhook-retry-base-seconds must be > 0 and at most 3600");
  }
  if (config.webhook_retry_window_seconds < 1) {
    return InvalidArgument("--webhook-retry-window-seconds must be >= 1");
  }
  LT_RETURN_IF_ERROR(ParseWorkers(config.workers).status());
  if (!config.public_url.empty() && config.public_url.rfind("http://", 0) != 0 &&
      config.public_url.rfind("https://", 0) != 0) {
    return InvalidArgument("--public-url must start with http:// or https://");
  }
  static constexpr const char* kLevels[] = {"trace", "debug", "info", "warn", "error", "off"};
  if (std::find(std::begin(kLevels), std::end(kLevels), config.log_level) == std::end(kLevels)) {
    return InvalidArgument("--log-level must be trace, debug, info, warn, error or off");
  }
  LT_RETURN_IF_ERROR(ParseListen(config.listen).status());
  LT_ASSIGN_OR_RETURN(DatabaseUrl database, ParseDatabaseUrl(config.database));
  if (database.postgres && config.master_key.empty()) {
    return InvalidArgument(
        "a PostgreSQL database needs LEADTERRA_MASTER_KEY, the same on every node");
  }
  return config;
}

}  // namespace leadterra::app
