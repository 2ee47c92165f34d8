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
  int threads = 2;  // HTTP I/O threads
  // Heavy request work (bulk uploads, key generation, lint, verify): threads
  // of the work pool and the requests it may hold, queued or running.
  int work_threads = 2;
  int work_queue = 64;
  int64_t max_body_bytes = 32LL << 20;
  double rate_limit = 100;  // requests/s per API key; 0 disables
  double rate_burst = 200;  // bucket size
  std::string log_level = "info";
  std::string log_format = "text";  // text | json (one object a line)
  std::string metrics_listen;       // HOST:PORT for /metrics apart from the API; empty: on the API
  int64_t max_leads_per_request = 10000;
  int smtp_connections = 8;         // mailboxes sending in parallel
  int64_t retry_base_seconds = 60;  // first retry after a 4xx or lost connection
  int max_attempts = 5;             // tries before a deferred message counts as bounced
  std::string master_key;           // LEADTERRA_MASTER_KEY; else a key file beside a SQLite file
  std::string workers = "sender,webhooks,inbound";  // background workers this process runs
  std::string public_url;  // base of unsubscribe links; default http://<listen>
  double webhook_timeout_seconds = 10;
  double webhook_retry_base_seconds = 10;
  int64_t webhook_retry_window_seconds = 86400;
  // PostgreSQL connection pool per process (SQLite uses threads + 2).
  int db_connections = 8;
  // How long a node holds claimed sends and IMAP polls before another node
  // may take over (a crashed node's work falls back); a live node renews its
  // sends' leases every third of it.
  int64_t lease_seconds = 30;
  // A dashboard session ends after this long without a request (12 h).
  int64_t session_idle_seconds = 12 * 3600;
  // Serve the dashboard from this directory (a `node web/build.mjs DIR`
  // output) instead of the files built into the binary: front-end work.
  std::string web_dir;
  // Opens and clicks this soon after delivery count as a machine's (SPEC §13).
  double tracking_grace_seconds = 5;
};

// Values given explicitly on the command line (unset = not given).
struct ConfigOverrides {
  std::optional<std::string> listen, database, log_level, log_format, metrics_listen;
  std::optional<int64_t> day_seconds, max_body_bytes, max_leads_per_request;
  std::optional<int> threads, work_threads, work_queue, smtp_connections, max_attempts,
      db_connections;
  std::optional<int64_t> lease_seconds, session_idle_seconds;
  std::optional<std::string> web_dir;
  std::optional<int64_t> retry_base_seconds, webhook_retry_window_seconds;
  std::optional<double> webhook_timeout_seconds, webhook_retry_base_seconds, tracking_grace_seconds;
  std::optional<std::string> workers, public_url;
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

// Which background workers run in this process (the API is always served).
struct Workers {
  bool sender = false;
  bool webhooks = false;
  bool inbound = false;
};
// "sender,webhooks", "sender", "" (none), …
Result<Workers> ParseWorkers(const std::string& list);

// Where the data lives: "sqlite:PATH" (one process) or a PostgreSQL URL
// "postgres://user:pass@host:port/db" (any number of nodes).
struct DatabaseUrl {
  bool postgres = false;
  std::string sqlite_path;  // when !postgres
  std::string url;          // as given
};
// Other schemes are rejected with a clear message.
Result<DatabaseUrl> ParseDatabaseUrl(const std::string& url);

}  // namespace leadterra::app
