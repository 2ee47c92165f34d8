// Server configuration and where it comes from. Precedence, highest first:
// command-line flags, environment variables (LEADTERRA_*), the TOML config
// file (--config or LEADTERRA_CONFIG), built-in defaults.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "util/status.h"

namespace leadterra::app {

struct Config {
  std::string listen = "127.0.0.1:8080";
  std::string database = "sqlite:leadterra.db";
  int64_t day_seconds = 86400;
  int threads = 2;
  int64_t max_body_bytes = 32LL << 20;
  double rate_limit = 100;  // requests/s per API key; 0 disables
  double rate_burst = 200;  // bucket size
  std::string log_level = "info";
  int64_t max_leads_per_request = 10000;
  int smtp_connections = 8;         // mailboxes sending in parallel
  int64_t retry_base_seconds = 60;  // first retry after a 4xx or lost connection
  int max_attempts = 5;             // tries before a deferred message counts as bounced
  std::string master_key;           // LEADTERRA_MASTER_KEY; else a key file beside the database
};

// Values given explicitly on the command line (unset = not given).
struct ConfigOverrides {
  std::optional<std::string> listen, database, log_level;
  std::optional<int64_t> day_seconds, max_body_bytes, max_leads_per_request;
  std::optional<int> threads, smtp_connections, max_attempts;
  std::optional<int64_t> retry_base_seconds;
  std::optional<double> rate_limit, rate_burst;
  std::optional<std::string> config_file;
};

// Builds the effective configuration and validates it.
Result<Config> LoadConfig(const ConfigOverrides& flags);

struct ListenAddress {
  std::string host;
  uint16_t port = 0;
};
Result<ListenAddress> ParseListen(const std::string& listen);

// "sqlite:PATH" -> PATH; other schemes are rejected with a clear message.
Result<std::string> SqlitePathFromUrl(const std::string& url);

}  // namespace leadterra::app
