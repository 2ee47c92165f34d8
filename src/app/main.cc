// leadterra: the one binary. This file is the only place that wires the
// layers together: it parses the command line, opens the store, builds the
// use cases, the router and the server, and runs the chosen command.
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <curl/curl.h>
#include <malloc.h>
#include <sys/resource.h>

#include <CLI/CLI.hpp>
#include <atomic>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>

#include "api/accounts.h"
#include "api/analytics_api.h"
#include "api/campaigns_api.h"
#include "api/delivery_settings_api.h"
#include "api/dkim_keys_api.h"
#include "api/idempotency.h"
#include "api/insights_api.h"
#include "api/leads_api.h"
#include "api/mailboxes_api.h"
#include "api/rate_limiter.h"
#include "api/suppressions_api.h"
#include "api/tracking_recorder.h"
#include "api/unsubscribe_api.h"
#include "api/webhooks_api.h"
#include "app/config.h"
#include "app/json_log_formatter.h"
#include "delivery/engine.h"
#include "delivery/inbound_poller.h"
#include "delivery/smtp_client.h"
#include "http/dispatcher.h"
#include "http/embedded_web_files.h"
#include "http/routes.h"
#include "http/server.h"
#include "mcp/mcp_server.h"
#include "mcp/stdio_bridge.h"
#include "store/postgres/pg_store.h"
#include "store/sqlite/sqlite_store.h"
#include "util/clock.h"
#include "util/fair_work_pool.h"
#include "util/ids.h"
#include "util/metrics.h"
#include "util/time_format.h"
#include "webhook/dispatcher.h"

namespace lt = leadterra;

namespace {

int Fail(const lt::Status& status) {
  std::fprintf(stderr, "leadterra: %s\n", status.message().c_str());
  return status.code() == lt::ErrorCode::kInvalidArgument ? 2 : 1;
}

// Everything a command needs from the outside world.
struct Runtime {
  std::unique_ptr<lt::store::Store> store;
  lt::IdGenerator ids{lt::SystemClock::Instance()};
  std::unique_ptr<lt::api::Accounts> accounts;
  std::string database_path;
};

// The master key for secrets at rest: LEADTERRA_MASTER_KEY, or a key file
// created beside the database (mode 0600).
lt::Result<std::unique_ptr<lt::SecretBox>> OpenSecrets(const lt::app::Config& config,
                                                       const std::string& database_path) {
  std::array<uint8_t, lt::SecretBox::kKeySize> key{};
  if (!config.master_key.empty()) {
    LT_ASSIGN_OR_RETURN(key, lt::SecretBox::ParseKey(config.master_key));
  } else {
    LT_ASSIGN_OR_RETURN(key, lt::SecretBox::LoadOrCreateKeyFile(database_path + ".key"));
  }
  return std::make_unique<lt::SecretBox>(key);
}

lt::Result<std::unique_ptr<Runtime>> OpenRuntime(const lt::app::Config& config) {
  LT_ASSIGN_OR_RETURN(lt::app::DatabaseUrl database, lt::app::ParseDatabaseUrl(config.database));
  auto runtime = std::make_unique<Runtime>();
  runtime->database_path = database.sqlite_path;
  if (database.postgres) {
    LT_ASSIGN_OR_RETURN(runtime->store,
                        lt::store::OpenPostgresStore(
                            database.url, {config.db_connections, config.day_seconds * 1000,
                                           config.lease_seconds * 1000}));
  } else {
    LT_ASSIGN_OR_RETURN(
        runtime->store,
        lt::store::OpenSqliteStore(database.sqlite_path,
                                   {config.threads + config.work_threads + 2,
                                    config.day_seconds * 1000, config.lease_seconds * 1000}));
  }
  runtime->accounts = std::make_unique<lt::api::Accounts>(
      *runtime->store, lt::SystemClock::Instance(), runtime->ids);
  return runtime;
}

// Backlog gauges for /metrics: one store count a scrape (cached for a
// second, since three gauges read it).
void RegisterBacklogGauges(lt::store::Store& store, const lt::Clock& clock) {
  struct Cache {
    std::mutex mu;
    int64_t read_at = 0;
    std::optional<lt::store::Backlog> value;
  };
  auto cache = std::make_shared<Cache>();
  auto read = [cache, &store, &clock](int64_t lt::store::Backlog::*field) {
    return [cache, &store, &clock, field]() -> double {
      std::lock_guard<std::mutex> lock(cache->mu);
      const int64_t now = clock.NowMillis();
      if (!cache->value || now - cache->read_at > 1000) {
        auto backlog = store.CountBacklog(now);
        cache->value = backlog.ok() ? std::optional<lt::store::Backlog>(*backlog) : std::nullopt;
        cache->read_at = now;
      }
      return cache->value ? static_cast<double>((*cache->value).*field) : -1;
    };
  };
  lt::metrics::RegisterGauge("leadterra_enrollments_queued",
                             "Enrollments waiting for their next step, all workspaces",
                             read(&lt::store::Backlog::queued_enrollments));
  lt::metrics::RegisterGauge("leadterra_enrollments_due",
                             "Enrollments due now in running campaigns, all workspaces "
                             "(counted up to 1000)",
                             read(&lt::store::Backlog::due_enrollments));
  lt::metrics::RegisterGauge("leadterra_webhook_outbox_depth",
                             "Webhook deliveries not yet delivered or given up",
                             read(&lt::store::Backlog::webhook_outbox));
}

void PrintKey(const lt::domain::ApiKey& key) {
  std::printf("%s\t%s\t%s\tcreated %s%s\n", key.id.c_str(), key.prefix.c_str(), key.name.c_str(),
              lt::FormatIso8601(key.created_at).c_str(),
              key.revoked_at ? ("\trevoked " + lt::FormatIso8601(*key.revoked_at)).c_str() : "");
}

int Serve(const lt::app::Config& config) {
  auto runtime_or = OpenRuntime(config);
  if (!runtime_or.ok()) return Fail(runtime_or.status());
  Runtime& rt = **runtime_or;
  const lt::Clock& clock = lt::SystemClock::Instance();

  auto first = rt.accounts->CreateFirstWorkspace("Default");
  if (!first.ok()) return Fail(first.status());
  std::optional<lt::api::CreatedWorkspace> bootstrap = std::move(first).value();

  auto secrets = OpenSecrets(config, rt.database_path);
  if (!secrets.ok()) return Fail(secrets.status());
  lt::delivery::CurlSmtpConnector smtp;

  // The engine is built once the URL is known (below); a started campaign
  // wakes it from its idle sleep.
  std::atomic<lt::delivery::DeliveryEngine*> engine_to_wake{nullptr};
  lt::api::CampaignsApi campaigns(*rt.store, clock, rt.ids, [&engine_to_wake] {
    if (auto* engine = engine_to_wake.load()) engine->Wake();
  });
  lt::api::MailboxesApi mailboxes(*rt.store, clock, rt.ids, **secrets, smtp);
  lt::api::RateLimiter limiter(clock, config.rate_limit, config.rate_burst);
  lt::api::Idempotency idempotency(*rt.store, clock);
  lt::api::LeadsApi leads(*rt.store, clock, rt.ids,
                          {static_cast<size_t>(config.max_leads_per_request)});
  lt::api::InsightsApi insights(*rt.store);
  lt::api::AnalyticsApi analytics(*rt.store, clock);
  lt::webhook::DispatcherOptions dispatch_options;
  dispatch_options.timeout_millis = std::llround(config.webhook_timeout_seconds * 1000);
  dispatch_options.retry.base_millis = std::llround(config.webhook_retry_base_seconds * 1000);
  dispatch_options.retry.window_millis = config.webhook_retry_window_seconds * 1000;
  lt::webhook::WebhookDispatcher webhook_dispatcher(*rt.store, clock, **secrets, dispatch_options);
  lt::api::WebhooksApi webhooks(*rt.store, clock, rt.ids, **secrets,
                                [&webhook_dispatcher] { webhook_dispatcher.Wake(); });
  lt::api::UnsubscribeApi unsubscribe(*rt.store, clock, **secrets,
                                      [&webhook_dispatcher] { webhook_dispatcher.Wake(); });
  lt::api::SuppressionsApi suppressions(*rt.store, clock);
  lt::api::DeliverySettingsApi delivery_settings(*rt.store, clock);
  lt::api::DkimKeysApi dkim_keys(*rt.store, clock, rt.ids, **secrets);
  lt::api::SessionOptions session_options;
  session_options.idle_timeout_ms = config.session_idle_seconds * 1000;
  session_options.secure_cookie = config.public_url.rfind("https://", 0) == 0;
  lt::api::Sessions sessions(*rt.store, *rt.accounts, clock, session_options);
  lt::api::LeadDirectoryApi lead_directory(*rt.store, clock);
  lt::delivery::AnswerSender answer_sender(*rt.store, **secrets, smtp);
  lt::api::InboxApi inbox(*rt.store, clock, rt.ids, answer_sender);
  const lt::http::WebBundle web = config.web_dir.empty()
                                      ? lt::http::WebBundle::Embedded(lt::http::EmbeddedWebFiles())
                                      : lt::http::WebBundle::FromDirectory(config.web_dir);
  lt::store::Store& store = *rt.store;
  lt::domain::TrackingRules tracking_rules;
  tracking_rules.grace_millis = std::llround(config.tracking_grace_seconds * 1000);
  lt::api::TrackingRecorder tracking_recorder(store, tracking_rules);
  lt::http::TrackingPages tracking(**secrets, tracking_recorder, clock);
  lt::http::Router router = lt::http::BuildRouter(
      {*rt.accounts, campaigns, leads, insights, analytics, mailboxes, webhooks, unsubscribe,
       suppressions, delivery_settings, dkim_keys, sessions, lead_directory, inbox,
       [&store] { return store.CheckReady(); },
       /*serve_metrics=*/config.metrics_listen.empty(), &web, &tracking});
  RegisterBacklogGauges(store, clock);
  // MCP at POST /mcp: each tool call is one API request through the
  // dispatcher (built below), on the work pool like other heavy requests.
  auto tool_catalog = lt::mcp::ToolCatalog::Build(lt::http::OpenApiDocument());
  if (!tool_catalog.ok()) return Fail(tool_catalog.status());
  lt::http::Dispatcher* api_dispatcher = nullptr;
  lt::mcp::McpServer mcp(
      *tool_catalog, *rt.accounts,
      [&api_dispatcher](lt::http::HttpRequest request) {
        return api_dispatcher->HandleNow(std::move(request));
      },
      LEADTERRA_VERSION);
  router.Add(lt::mcp::McpRoute(mcp));
  // Heavy request work runs here, off the HTTP I/O threads, shared fairly
  // between workspaces. Reset after the server has drained (its tasks answer
  // through the server's io_context).
  lt::FairWorkPoolOptions pool_options;
  pool_options.threads = config.work_threads;
  pool_options.max_queued = static_cast<size_t>(config.work_queue);
  pool_options.max_queued_per_key = std::max<size_t>(1, pool_options.max_queued / 4);
  auto work_pool = std::make_unique<lt::FairWorkPool>(pool_options);
  lt::http::Dispatcher dispatcher(router, *rt.accounts, &sessions, limiter, idempotency, rt.ids,
                                  work_pool.get());
  api_dispatcher = &dispatcher;

  auto listen = lt::app::ParseListen(config.listen);
  if (!listen.ok()) return Fail(listen.status());
  lt::http::ServerOptions options;
  options.host = listen->host;
  options.port = listen->port;
  options.threads = config.threads;
  options.max_body_bytes = static_cast<size_t>(config.max_body_bytes);
  lt::http::Server server(dispatcher, options);
  auto port = server.Listen();
  if (!port.ok()) return Fail(port.status());
  // --metrics-listen: /metrics (and /healthz) on a listener of their own.
  std::unique_ptr<lt::http::Router> metrics_router;
  std::unique_ptr<lt::http::Dispatcher> metrics_dispatcher;
  std::unique_ptr<lt::http::Server> metrics_server;
  std::thread metrics_thread;
  if (!config.metrics_listen.empty()) {
    auto metrics_listen = lt::app::ParseListen(config.metrics_listen);
    if (!metrics_listen.ok()) return Fail(metrics_listen.status());
    metrics_router = std::make_unique<lt::http::Router>(lt::http::BuildMetricsRouter());
    metrics_dispatcher = std::make_unique<lt::http::Dispatcher>(
        *metrics_router, *rt.accounts, /*sessions=*/nullptr, limiter, idempotency, rt.ids);
    lt::http::ServerOptions metrics_options;
    metrics_options.host = metrics_listen->host;
    metrics_options.port = metrics_listen->port;
    metrics_options.threads = 1;
    metrics_server = std::make_unique<lt::http::Server>(*metrics_dispatcher, metrics_options);
    auto metrics_port = metrics_server->Listen();
    if (!metrics_port.ok()) return Fail(metrics_port.status());
    std::printf("Metrics on http://%s:%u/metrics\n", metrics_listen->host.c_str(), *metrics_port);
    std::fflush(stdout);
  }

  std::string host =
      listen->host.find(':') != std::string::npos ? "[" + listen->host + "]" : listen->host;
  const std::string url = "http://" + host + ":" + std::to_string(*port);
  std::printf("Leadterra listening on %s\n", url.c_str());
  if (bootstrap) {
    std::printf("Created workspace %s (\"%s\")\n", bootstrap->workspace.id.c_str(),
                bootstrap->workspace.name.c_str());
    std::printf("API key (shown once): %s\n", bootstrap->first_key.secret.c_str());
  }
  std::fflush(stdout);
  spdlog::info("serving backend={} listen={}:{} threads={} day_seconds={}", rt.store->Backend(),
               listen->host, *port, config.threads, config.day_seconds);
  lt::delivery::EngineOptions engine_options;
  engine_options.day_millis = config.day_seconds * 1000;
  engine_options.max_connections = config.smtp_connections;
  engine_options.max_attempts = config.max_attempts;
  engine_options.retry_base_millis = config.retry_base_seconds * 1000;
  engine_options.public_url = config.public_url.empty() ? url : config.public_url;
  engine_options.recover_interval_millis = std::max<int64_t>(1000, config.lease_seconds * 250);
  engine_options.lease_renew_interval_millis = config.lease_seconds * 1000 / 3;
  lt::delivery::DeliveryEngine engine(*rt.store, clock, rt.ids, **secrets, smtp, engine_options);
  auto workers = lt::app::ParseWorkers(config.workers);
  if (!workers.ok()) return Fail(workers.status());
  if (workers->sender) {
    engine.Start();
    engine_to_wake = &engine;
  }
  if (workers->webhooks) webhook_dispatcher.Start();
  tracking_recorder.Start();
  lt::delivery::InboundPoller inbound(*rt.store, clock, rt.ids, **secrets, {});
  if (workers->inbound) inbound.Start();
  if (metrics_server) metrics_thread = std::thread([&] { metrics_server->Run(); });
  server.Run();
  if (metrics_server) {
    metrics_server->Stop();
    metrics_thread.join();
  }
  work_pool.reset();
  inbound.Stop();
  tracking_recorder.Stop();  // writes every hit still queued
  engine_to_wake = nullptr;
  engine.Stop();
  webhook_dispatcher.Stop();
  spdlog::info("stopped");
  return 0;
}

}  // namespace

// Every connection is a descriptor: take the hard limit, so that thousands of
// idle clients cannot exhaust a default soft limit of 1,024.
void RaiseDescriptorLimit() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    setrlimit(RLIMIT_NOFILE, &limit);
  }
}

int main(int argc, char** argv) {
  RaiseDescriptorLimit();
  // Bulk requests allocate and free tens of MiB each; keep that memory in the
  // heap instead of mapping and unmapping it (and page-faulting it in) for
  // every request.
  mallopt(M_MMAP_THRESHOLD, 64 << 20);
  mallopt(M_TRIM_THRESHOLD, 256 << 20);
  auto logger = spdlog::stderr_color_mt("leadterra");
  spdlog::set_default_logger(logger);
  spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%eZ %l %v", spdlog::pattern_time_type::utc);

  CLI::App app{"Leadterra: a self-hosted outbound email engine", "leadterra"};
  app.require_subcommand(1);
  lt::app::ConfigOverrides flags;

  auto add_database = [&](CLI::App* cmd) {
    // Environment fallbacks (LEADTERRA_DATABASE_URL, LEADTERRA_CONFIG) are
    // applied by LoadConfig, which owns the precedence rules.
    cmd->add_option("--database", flags.database,
                    "Database URL: sqlite:PATH (default sqlite:leadterra.db) or "
                    "postgres://user:pass@host:port/db (env "
                    "LEADTERRA_DATABASE_URL)");
    cmd->add_option("--config", flags.config_file, "TOML config file (env LEADTERRA_CONFIG)");
  };

  CLI::App* serve = app.add_subcommand("serve", "Run the API server");
  serve->add_option("--listen", flags.listen, "HOST:PORT to listen on (default 127.0.0.1:8080)");
  add_database(serve);
  serve->add_option("--day-seconds", flags.day_seconds,
                    "Length of one delayDays day in seconds (default 86400)");
  serve->add_option("--threads", flags.threads, "HTTP I/O threads (default 2)");
  serve->add_option("--work-threads", flags.work_threads,
                    "Threads for heavy requests: bulk uploads, key generation, lint (default 2)");
  serve->add_option("--work-queue", flags.work_queue,
                    "Heavy requests held at once, queued or running; a quarter per workspace; "
                    "beyond it 503 (default 64)");
  serve->add_option("--max-body-bytes", flags.max_body_bytes,
                    "Largest accepted request body (default 33554432)");
  serve->add_option("--rate-limit", flags.rate_limit,
                    "Requests per second per API key, 0 = unlimited (default 100)");
  serve->add_option("--rate-burst", flags.rate_burst, "Burst size per API key (default 200)");
  serve->add_option("--max-leads-per-request", flags.max_leads_per_request,
                    "Most leads accepted by one bulk request (default 10000)");
  serve->add_option("--log-level", flags.log_level, "trace|debug|info|warn|error (default info)");
  serve->add_option("--log-format", flags.log_format,
                    "text (default) or json: one JSON object a line");
  serve->add_option("--metrics-listen", flags.metrics_listen,
                    "HOST:PORT to serve /metrics on, apart from the API (default: on the API)");
  serve->add_option("--session-idle-seconds", flags.session_idle_seconds,
                    "A dashboard session ends after this long unused (default 43200)");
  serve->add_option("--web-dir", flags.web_dir,
                    "Serve the dashboard from this directory instead of the built-in files "
                    "(front-end development)");

  CLI::App* workspace = app.add_subcommand("workspace", "Manage workspaces");
  workspace->require_subcommand(1);
  std::string ws_name, ws_id;
  CLI::App* ws_create = workspace->add_subcommand("create", "Create a workspace and its first key");
  ws_create->add_option("NAME", ws_name, "Workspace name")->required();
  add_database(ws_create);
  CLI::App* ws_list = workspace->add_subcommand("list", "List workspaces");
  add_database(ws_list);
  CLI::App* ws_delete = workspace->add_subcommand("delete", "Delete a workspace");
  ws_delete->add_option("ID", ws_id, "Workspace id (ws_…)")->required();
  add_database(ws_delete);

  CLI::App* key = app.add_subcommand("key", "Manage API keys");
  key->require_subcommand(1);
  std::string key_ws, key_name = "CLI key", key_id;
  CLI::App* key_create = key->add_subcommand("create", "Create an API key (printed once)");
  key_create->add_option("--workspace", key_ws, "Workspace id")->required();
  key_create->add_option("--name", key_name, "Key name");
  add_database(key_create);
  CLI::App* key_list = key->add_subcommand("list", "List a workspace's API keys");
  key_list->add_option("--workspace", key_ws, "Workspace id")->required();
  add_database(key_list);
  CLI::App* key_revoke = key->add_subcommand("revoke", "Revoke an API key");
  key_revoke->add_option("--workspace", key_ws, "Workspace id")->required();
  key_revoke->add_option("KEY_ID", key_id, "Key id (key_…)")->required();
  add_database(key_revoke);

  serve->add_option("--smtp-connections", flags.smtp_connections,
                    "Mailboxes sending in parallel (default 8)");
  serve->add_option("--db-connections", flags.db_connections,
                    "PostgreSQL connections per process (default 8)");
  serve->add_option("--lease-seconds", flags.lease_seconds,
                    "How long a node holds claimed sends and IMAP polls before another node may "
                    "take over (default 30; renewed every third of it)");
  serve->add_option("--retry-base-seconds", flags.retry_base_seconds,
                    "First retry delay after a 4xx reply or lost connection (default 60)");
  serve->add_option("--max-attempts", flags.max_attempts,
                    "Tries before a deferred message counts as bounced (default 5)");
  serve->add_option("--public-url", flags.public_url,
                    "Base URL recipients reach this server at, for unsubscribe links "
                    "(default http://LISTEN)");
  serve->add_option(
      "--workers", flags.workers,
      "Background workers to run: comma list of sender, webhooks, inbound (default all)");
  serve->add_option("--tracking-grace-seconds", flags.tracking_grace_seconds,
                    "Opens and clicks this soon after delivery count as a machine's, not a "
                    "person's (default 5)");
  serve->add_option("--webhook-timeout-seconds", flags.webhook_timeout_seconds,
                    "Time a webhook receiver has to answer (default 10)");
  serve->add_option("--webhook-retry-base-seconds", flags.webhook_retry_base_seconds,
                    "First webhook retry delay; doubles per attempt up to 1 h (default 10)");
  serve->add_option("--webhook-retry-window-seconds", flags.webhook_retry_window_seconds,
                    "How long an event is retried before its delivery fails (default 86400)");

  CLI::App* backup = app.add_subcommand(
      "backup", "Copy a SQLite database consistently, even while a server runs on it");
  std::string backup_to;
  backup->add_option("--to", backup_to, "The new file to write")->required();
  add_database(backup);

  CLI::App* mcp = app.add_subcommand(
      "mcp", "Serve the MCP tools over stdio, forwarding to a running server (for agent hosts)");
  lt::mcp::StdioBridgeOptions bridge;
  bridge.url = "http://127.0.0.1:8080";
  mcp->add_option("--url", bridge.url,
                  "Base URL of the Leadterra server (default http://127.0.0.1:8080)");
  mcp->add_option("--api-key", bridge.api_key, "API key (default: env LEADTERRA_API_KEY)");

  CLI11_PARSE(app, argc, argv);
  curl_global_init(CURL_GLOBAL_DEFAULT);

  if (mcp->parsed()) {
    if (bridge.api_key.empty()) {
      if (const char* env = std::getenv("LEADTERRA_API_KEY")) bridge.api_key = env;
    }
    while (!bridge.url.empty() && bridge.url.back() == '/') bridge.url.pop_back();
    return lt::mcp::RunStdioBridge(bridge, std::cin, std::cout, std::cerr);
  }

  auto config = lt::app::LoadConfig(flags);
  if (!config.ok()) return Fail(config.status());
  spdlog::set_level(spdlog::level::from_str(config->log_level));
  if (config->log_format == "json") {
    spdlog::default_logger()->set_formatter(std::make_unique<lt::app::JsonLogFormatter>());
  }

  if (serve->parsed()) return Serve(*config);
  if (backup->parsed()) {
    auto database = lt::app::ParseDatabaseUrl(config->database);
    if (!database.ok()) return Fail(database.status());
    if (database->postgres) {
      return Fail(lt::InvalidArgument(
          "backup copies SQLite databases; for PostgreSQL use pg_dump (see the README)"));
    }
    lt::Status copied = lt::store::BackupSqliteDatabase(database->sqlite_path, backup_to);
    if (!copied.ok()) return Fail(copied);
    std::printf("backed up %s to %s\n", database->sqlite_path.c_str(), backup_to.c_str());
    return 0;
  }

  auto runtime_or = OpenRuntime(*config);
  if (!runtime_or.ok()) return Fail(runtime_or.status());
  lt::api::Accounts& accounts = *(*runtime_or)->accounts;

  if (ws_create->parsed()) {
    auto created = accounts.CreateWorkspace(ws_name);
    if (!created.ok()) return Fail(created.status());
    std::printf("%s\n%s\n", created->workspace.id.c_str(), created->first_key.secret.c_str());
  } else if (ws_list->parsed()) {
    auto all = accounts.ListWorkspaces();
    if (!all.ok()) return Fail(all.status());
    for (const auto& ws : *all) {
      std::printf("%s\t%s\t%s\n", ws.id.c_str(), ws.name.c_str(),
                  ws.deleted_at ? "deleted" : "active");
    }
  } else if (ws_delete->parsed()) {
    lt::Status status = accounts.DeleteWorkspace(ws_id);
    if (!status.ok()) return Fail(status);
    std::printf("deleted %s\n", ws_id.c_str());
  } else if (key_create->parsed()) {
    auto issued = accounts.CreateKey(key_ws, key_name);
    if (!issued.ok()) return Fail(issued.status());
    std::printf("%s\n%s\n", issued->key.id.c_str(), issued->secret.c_str());
  } else if (key_list->parsed()) {
    auto keys = accounts.ListKeys(key_ws);
    if (!keys.ok()) return Fail(keys.status());
    for (const auto& k : *keys) PrintKey(k);
  } else if (key_revoke->parsed()) {
    auto revoked = accounts.RevokeKey(key_ws, key_id);
    if (!revoked.ok()) return Fail(revoked.status());
    PrintKey(*revoked);
  }
  return 0;
}
