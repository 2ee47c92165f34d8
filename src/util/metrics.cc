#include "util/metrics.h"

#include <dirent.h>
#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>
#include <sys/resource.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <memory>
#include <mutex>
#include <vector>

namespace leadterra::metrics {
namespace {

using prometheus::Histogram;

const Histogram::BucketBoundaries& LatencyBuckets() {
  static const Histogram::BucketBoundaries kBuckets = {
      0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
  return kBuckets;
}

struct ScrapeGauge {
  prometheus::Gauge* gauge;
  std::function<double()> read;
};

struct State {
  std::shared_ptr<prometheus::Registry> registry = std::make_shared<prometheus::Registry>();
  std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now();

  prometheus::Family<prometheus::Counter>& http_requests =
      prometheus::BuildCounter()
          .Name("leadterra_http_requests_total")
          .Help("HTTP requests answered, by method, route pattern and status")
          .Register(*registry);
  prometheus::Family<Histogram>& http_seconds =
      prometheus::BuildHistogram()
          .Name("leadterra_http_request_duration_seconds")
          .Help("Time from a request's arrival to its answer, by method and route pattern")
          .Register(*registry);
  prometheus::Family<prometheus::Counter>& messages =
      prometheus::BuildCounter()
          .Name("leadterra_messages_total")
          .Help("Messages by outcome: delivered, bounced, deferred, unknown, failed")
          .Register(*registry);
  prometheus::Family<Histogram>& smtp_seconds =
      prometheus::BuildHistogram()
          .Name("leadterra_smtp_transaction_duration_seconds")
          .Help("One SMTP transaction (MAIL FROM to the end of DATA) by mailbox and result")
          .Register(*registry);
  prometheus::Family<prometheus::Counter>& imap_polls =
      prometheus::BuildCounter()
          .Name("leadterra_imap_polls_total")
          .Help("IMAP polls of mailboxes, by result")
          .Register(*registry);
  prometheus::Family<prometheus::Counter>& webhook_deliveries =
      prometheus::BuildCounter()
          .Name("leadterra_webhook_deliveries_total")
          .Help("Webhook delivery attempts, by result")
          .Register(*registry);
  prometheus::Family<prometheus::Counter>& tracking_hits =
      prometheus::BuildCounter()
          .Name("leadterra_tracking_hits_total")
          .Help("Open and click hits recorded (open, click), failed, or dropped on a full queue")
          .Register(*registry);
  prometheus::Family<Histogram>& store_seconds =
      prometheus::BuildHistogram()
          .Name("leadterra_store_transaction_duration_seconds")
          .Help("Store transactions, by backend")
          .Register(*registry);
  prometheus::Family<prometheus::Counter>& store_retries =
      prometheus::BuildCounter()
          .Name("leadterra_store_transaction_retries_total")
          .Help("Store transactions run again after a deadlock or serialization failure")
          .Register(*registry);
  prometheus::Gauge& resident = prometheus::BuildGauge()
                                    .Name("leadterra_process_resident_memory_bytes")
                                    .Help("Resident memory of the process")
                                    .Register(*registry)
                                    .Add({});
  prometheus::Gauge& cpu = prometheus::BuildGauge()
                               .Name("leadterra_process_cpu_seconds")
                               .Help("User and system CPU time the process has used")
                               .Register(*registry)
                               .Add({});
  prometheus::Gauge& fds = prometheus::BuildGauge()
                               .Name("leadterra_process_open_fds")
                               .Help("Open file descriptors (connections, database files, ...)")
                               .Register(*registry)
                               .Add({});
  prometheus::Gauge& uptime = prometheus::BuildGauge()
                                  .Name("leadterra_uptime_seconds")
                                  .Help("Seconds since the process started")
                                  .Register(*registry)
                                  .Add({});

  std::mutex gauges_mu;
  std::vector<ScrapeGauge> gauges;
};

State& Get() {
  static State* state = new State();  // never destroyed: threads may record at exit
  return *state;
}

double ResidentBytes() {
  FILE* f = std::fopen("/proc/self/statm", "r");
  if (!f) return 0;
  long pages = 0, resident = 0;
  const int n = std::fscanf(f, "%ld %ld", &pages, &resident);
  std::fclose(f);
  return n == 2 ? static_cast<double>(resident) * static_cast<double>(sysconf(_SC_PAGESIZE)) : 0;
}

double OpenFds() {
  DIR* dir = opendir("/proc/self/fd");
  if (!dir) return 0;
  double n = 0;
  while (readdir(dir)) ++n;
  closedir(dir);
  return n - 3;  // ".", ".." and the directory itself
}

double CpuSeconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  auto seconds = [](const timeval& tv) { return tv.tv_sec + tv.tv_usec / 1e6; };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

}  // namespace

void ObserveHttpRequest(std::string_view method, std::string_view route, int status,
                        double seconds) {
  State& s = Get();
  s.http_requests
      .Add({{"method", std::string(method)},
            {"route", std::string(route)},
            {"status", std::to_string(status)}})
      .Increment();
  s.http_seconds
      .Add({{"method", std::string(method)}, {"route", std::string(route)}}, LatencyBuckets())
      .Observe(seconds);
}

void CountMessage(std::string_view outcome) {
  Get().messages.Add({{"outcome", std::string(outcome)}}).Increment();
}

void ObserveSmtp(std::string_view mailbox_id, std::string_view result, double seconds) {
  Get()
      .smtp_seconds
      .Add({{"mailbox", std::string(mailbox_id)}, {"result", std::string(result)}},
           LatencyBuckets())
      .Observe(seconds);
}

void CountImapPoll(bool ok) { Get().imap_polls.Add({{"result", ok ? "ok" : "error"}}).Increment(); }

void CountWebhookDelivery(std::string_view result) {
  Get().webhook_deliveries.Add({{"result", std::string(result)}}).Increment();
}

void CountTrackingHit(std::string_view result) {
  Get().tracking_hits.Add({{"result", std::string(result)}}).Increment();
}

void ObserveStoreTransaction(std::string_view backend, double seconds) {
  Get().store_seconds.Add({{"backend", std::string(backend)}}, LatencyBuckets()).Observe(seconds);
}

void CountStoreRetry(std::string_view backend) {
  Get().store_retries.Add({{"backend", std::string(backend)}}).Increment();
}

void RegisterGauge(const std::string& name, const std::string& help, std::function<double()> read) {
  State& s = Get();
  auto& family = prometheus::BuildGauge().Name(name).Help(help).Register(*s.registry);
  std::lock_guard<std::mutex> lock(s.gauges_mu);
  s.gauges.push_back({&family.Add({}), std::move(read)});
}

std::string Scrape() {
  State& s = Get();
  s.resident.Set(ResidentBytes());
  s.cpu.Set(CpuSeconds());
  s.fds.Set(OpenFds());
  s.uptime.Set(std::chrono::duration<double>(std::chrono::steady_clock::now() - s.started).count());
  {
    std::lock_guard<std::mutex> lock(s.gauges_mu);
    for (auto& g : s.gauges) {
      const double value = g.read ? g.read() : -1;
      if (value >= 0) g.gauge->Set(value);
    }
  }
  return prometheus::TextSerializer().Serialize(s.registry->Collect());
}

}  // namespace leadterra::metrics
