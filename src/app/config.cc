#include "app/config.h"

#include <toml++/toml.h>
#include <algorithm>
#include <charconv>
#include <cstdlib>

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

Status ApplyFile(const std::string& path, Config& config) {
  toml::table t;
  try {
    t = toml::parse_file(path);
  } catch (const toml::parse_error& e) {
    return InvalidArgument("config file " + path + ": " + std::string(e.description()));
  }
  for (const auto& [key, node] : t) {
    const std::string_view k = key.str();
    bool ok = true;
    if (k == "listen") {
      ok = node.is_string();
      if (ok) config.listen = *node.value<std::string>();
    } else if (k == "database") {
      ok = node.is_string();
      if (ok) config.database = *node.value<std::string>();
    } else if (k == "log_level") {
      ok = node.is_string();
      if (ok) config.log_level = *node.value<std::string>();
    } else if (k == "day_seconds") {
      ok = node.is_integer();
      if (ok) config.day_seconds = *node.value<int64_t>();
    } else if (k == "max_body_bytes") {
      ok = node.is_integer();
      if (ok) config.max_body_bytes = *node.value<int64_t>();
    } else if (k == "max_leads_per_request") {
      ok = node.is_integer();
      if (ok) config.max_leads_per_request = *node.value<int64_t>();
    } else if (k == "smtp_connections") {
      ok = node.is_integer();
      if (ok) config.smtp_connections = static_cast<int>(*node.value<int64_t>());
    } else if (k == "retry_base_seconds") {
      ok = node.is_integer();
      if (ok) config.retry_base_seconds = *node.value<int64_t>();
    } else if (k == "max_attempts") {
      ok = node.is_integer();
      if (ok) config.max_attempts = static_cast<int>(*node.value<int64_t>());
    } else if (k == "threads") {
      ok = node.is_integer();
      if (ok) config.threads = static_cast<int>(*node.value<int64_t>());
    } else if (k == "rate_limit") {
      ok = node.is_number();
      if (ok) config.rate_limit = *node.value<double>();
    } else if (k == "rate_burst") {
      ok = node.is_number();
      if (ok) config.rate_burst = *node.value<double>();
    } else {
      return InvalidArgument("config file " + path + ": unknown key '" + std::string(k) + "'");
    }
    if (!ok) {
      return InvalidArgument("config file " + path + ": '" + std::string(k) +
                             "' has the wrong type");
    }
  }
  return Status::Ok();
}

Status ApplyEnv(Config& config) {
  if (auto v = Env("LEADTERRA_LISTEN")) config.listen = *v;
  if (auto v = Env("LEADTERRA_DATABASE_URL")) config.database = *v;
  if (auto v = Env("LEADTERRA_LOG_LEVEL")) config.log_level = *v;
  if (auto v = Env("LEADTERRA_DAY_SECONDS")) {
    LT_RETURN_IF_ERROR(ParseNumber(*v, "LEADTERRA_DAY_SECONDS", &config.day_seconds));
  }
  if (auto v = Env("LEADTERRA_THREADS")) {
    LT_RETURN_IF_ERROR(ParseNumber(*v, "LEADTERRA_THREADS", &config.threads));
  }
  if (auto v = Env("LEADTERRA_MAX_BODY_BYTES")) {
    LT_RETURN_IF_ERROR(ParseNumber(*v, "LEADTERRA_MAX_BODY_BYTES", &config.max_body_bytes));
  }
  if (auto v = Env("LEADTERRA_MAX_LEADS_PER_REQUEST")) {
    LT_RETURN_IF_ERROR(
        ParseNumber(*v, "LEADTERRA_MAX_LEADS_PER_REQUEST", &config.max_leads_per_request));
  }
  if (auto v = Env("LEADTERRA_MASTER_KEY")) config.master_key = *v;
  if (auto v = Env("LEADTERRA_SMTP_CONNECTIONS")) {
    LT_RETURN_IF_ERROR(ParseNumber(*v, "LEADTERRA_SMTP_CONNECTIONS", &config.smtp_connections));
  }
  if (auto v = Env("LEADTERRA_RETRY_BASE_SECONDS")) {
    LT_RETURN_IF_ERROR(ParseNumber(*v, "LEADTERRA_RETRY_BASE_SECONDS", &config.retry_base_seconds));
  }
  if (auto v = Env("LEADTERRA_MAX_ATTEMPTS")) {
    LT_RETURN_IF_ERROR(ParseNumber(*v, "LEADTERRA_MAX_ATTEMPTS", &config.max_attempts));
  }
  if (auto v = Env("LEADTERRA_RATE_LIMIT")) {
    LT_RETURN_IF_ERROR(ParseNumber(*v, "LEADTERRA_RATE_LIMIT", &config.rate_limit));
  }
  if (auto v = Env("LEADTERRA_RATE_BURST")) {
    LT_RETURN_IF_ERROR(ParseNumber(*v, "LEADTERRA_RATE_BURST", &config.rate_burst));
  }
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

Result<std::string> SqlitePathFromUrl(const std::string& url) {
  constexpr std::string_view kSqlite = "sqlite:";
  if (url.rfind(kSqlite, 0) == 0 && url.size() > kSqlite.size()) {
    std::string path = url.substr(kSqlite.size());
    if (path.rfind("//", 0) == 0) path = path.substr(2);  // sqlite://path
    return path;
  }
  if (url.rfind("postgres://", 0) == 0 || url.rfind("postgresql://", 0) == 0) {
    return InvalidArgument("PostgreSQL is not supported by this build yet; use sqlite:PATH");
  }
  return InvalidArgument("--database must be sqlite:PATH, got '" + url + "'");
}

Result<Config> LoadConfig(const ConfigOverrides& flags) {
  Config config;
  std::optional<std::string> file = flags.config_file ? flags.config_file : Env("LEADTERRA_CONFIG");
  if (file) LT_RETURN_IF_ERROR(ApplyFile(*file, config));
  LT_RETURN_IF_ERROR(ApplyEnv(config));
  Override(flags.listen, config.listen);
  Override(flags.database, config.database);
  Override(flags.log_level, config.log_level);
  Override(flags.day_seconds, config.day_seconds);
  Override(flags.max_body_bytes, config.max_body_bytes);
  Override(flags.threads, config.threads);
  Override(flags.max_leads_per_request, config.max_leads_per_request);
  Override(flags.smtp_connections, config.smtp_connections);
  Override(flags.retry_base_seconds, config.retry_base_seconds);
  Override(flags.max_attempts, config.max_attempts);
  Override(flags.rate_limit, config.rate_limit);
  Override(flags.rate_burst, config.rate_burst);

  if (config.day_seconds < 1) return InvalidArgument("--day-seconds must be at least 1");
  if (config.threads < 1 || config.threads > 256) {
    return InvalidArgument("--threads must be from 1 to 256");
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
  static constexpr const char* kLevels[] = {"trace", "debug", "info", "warn", "error", "off"};
  if (std::find(std::begin(kLevels), std::end(kLevels), config.log_level) == std::end(kLevels)) {
    return InvalidArgument("--log-level must be trace, debug, info, warn, error or off");
  }
  LT_RETURN_IF_ERROR(ParseListen(config.listen).status());
  LT_RETURN_IF_ERROR(SqlitePathFromUrl(config.database).status());
  return config;
}

}  // namespace leadterra::app
