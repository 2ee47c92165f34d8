#include "webhook/dispatcher.h"

#include <curl/curl.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <map>
#include <random>
#include <vector>

#include "util/metrics.h"
#include "webhook/signature.h"

namespace leadterra::webhook {
namespace {

constexpr size_t kMaxResponseExcerpt = 200;
// A lease outlives the attempt it covers by this much (answer recording).
constexpr int64_t kLeaseMarginMillis = 30'000;

// Keeps the first bytes of a receiver's answer, for the deliveries log.
size_t KeepExcerpt(char* data, size_t size, size_t count, void* user) {
  auto* out = static_cast<std::string*>(user);
  const size_t bytes = size * count;
  if (out->size() < kMaxResponseExcerpt) {
    out->append(data, std::min(bytes, kMaxResponseExcerpt - out->size()));
  }
  return bytes;
}

std::string Printable(std::string text) {
  for (char& c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7F) c = ' ';
  }
  return text;
}

double Jitter() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  return std::uniform_real_distribution<double>(-1.0, 1.0)(rng);
}

struct Finished {
  store::DispatchJob job;
  store::WebhookAttempt attempt;
  bool success = false;
};

}  // namespace

// The transfers in flight on one libcurl multi handle. Used by one thread.
class WebhookDispatcher::Transfers {
 public:
  Transfers() : multi_(curl_multi_init()) {}
  ~Transfers() {
    AbortAll();
    curl_multi_cleanup(multi_);
  }

  int InFlight() const { return static_cast<int>(transfers_.size()); }
  int InFlightFor(const std::string& webhook_id) const {
    auto it = per_endpoint_.find(webhook_id);
    return it == per_endpoint_.end() ? 0 : it->second;
  }

  void Add(store::DispatchJob job, const std::string& secret, int64_t now, int64_t timeout_millis) {
    auto t = std::make_unique<Transfer>();
    t->job = std::move(job);
    t->started_at = now;
    t->body = domain::EventEnvelope(t->job.event_id, t->job.event_type, t->job.event_created_at,
                                    t->job.data_json);
    const std::string signature = SignatureValue(secret, t->body, now / 1000);
    for (const std::string& h :
         {std::string("Content-Type: application/json"),
          std::string("User-Agent: Leadterra-Webhooks/1"), "Leadterra-Event-Id: " + t->job.event_id,
          std::string(kSignatureHeader) + ": " + signature, std::string("Expect:")}) {
      t->headers = curl_slist_append(t->headers, h.c_str());
    }
    CURL* easy = t->easy = curl_easy_init();
    curl_easy_setopt(easy, CURLOPT_URL, t->job.url.c_str());
    curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(easy, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, static_cast<long>(timeout_millis));
    curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(timeout_millis));
    curl_easy_setopt(easy, CURLOPT_HTTPHEADER, t->headers);
    curl_easy_setopt(easy, CURLOPT_POSTFIELDS, t->body.c_str());
    curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(t->body.size()));
    curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, KeepExcerpt);
    curl_easy_setopt(easy, CURLOPT_WRITEDATA, &t->response);
    curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, t->error);
    curl_easy_setopt(easy, CURLOPT_PRIVATE, t.get());
    curl_multi_add_handle(multi_, easy);
    ++per_endpoint_[t->job.webhook_id];
    transfers_.emplace(easy, std::move(t));
  }

  // Moves transfers along for up to `wait_millis` (less if one finishes or
  // Wakeup() is called) and appends those that finished to `done`.
  void Pump(int wait_millis, std::vector<Finished>& done) {
    int running = 0;
    curl_multi_perform(multi_, &running);
    if (!Harvest(done)) {
      curl_multi_poll(multi_, nullptr, 0, std::max(0, wait_millis), nullptr);
      curl_multi_perform(multi_, &running);
      Harvest(done);
    }
  }

  void Wakeup() { curl_multi_wakeup(multi_); }

  // Drops every transfer in flight; returns their jobs.
  std::vector<store::DispatchJob> AbortAll() {
    std::vector<store::DispatchJob> jobs;
    while (!transfers_.empty()) jobs.push_back(Remove(transfers_.begin()->first));
    return jobs;
  }

 private:
  struct Transfer {
    CURL* easy = nullptr;
    curl_slist* headers = nullptr;
    store::DispatchJob job;
    std::string body;
    std::string response;
    char error[CURL_ERROR_SIZE] = {};
    int64_t started_at = 0;
  };

  bool Harvest(std::vector<Finished>& done) {
    bool any = false;
    int left = 0;
    while (CURLMsg* msg = curl_multi_info_read(multi_, &left)) {
      if (msg->msg != CURLMSG_DONE) continue;
      auto it = transfers_.find(msg->easy_handle);
      if (it == transfers_.end()) continue;
      Transfer& t = *it->second;
      Finished f;
      f.attempt.attempted_at = t.started_at;
      curl_off_t micros = 0;
      curl_easy_getinfo(t.easy, CURLINFO_TOTAL_TIME_T, &micros);
      f.attempt.latency_ms = static_cast<int64_t>(micros / 1000);
      if (msg->data.result == CURLE_OK) {
        long code = 0;
        curl_easy_getinfo(t.easy, CURLINFO_RESPONSE_CODE, &code);
        f.attempt.status_code = static_cast<int>(code);
        f.success = code >= 200 && code < 300;
        if (!f.success) {
          f.attempt.error = "receiver answered HTTP " + std::to_string(code);
          if (!t.response.empty()) *f.attempt.error += ": " + Printable(t.response);
        }
      } else {
        f.attempt.error = t.error[0] != '\0' ? std::string(t.error)
                                             : std::string(curl_easy_strerror(msg->data.result));
      }
      f.job = Remove(msg->easy_handle);
      done.push_back(std::move(f));
      any = true;
    }
    return any;
  }

  // Ends a transfer and returns its job.
  store::DispatchJob Remove(CURL* easy) {
    auto it = transfers_.find(easy);
    Transfer& t = *it->second;
    if (--per_endpoint_[t.job.webhook_id] <= 0) per_endpoint_.erase(t.job.webhook_id);
    curl_multi_remove_handle(multi_, easy);
    curl_easy_cleanup(easy);
    curl_slist_free_all(t.headers);
    store::DispatchJob job = std::move(t.job);
    transfers_.erase(it);
    return job;
  }

  CURLM* multi_;
  std::map<CURL*, std::unique_ptr<Transfer>> transfers_;
  std::map<std::string, int> per_endpoint_;
};

namespace {

// Leases due deliveries into `transfers`; returns how many were added.
template <typename TransfersT>
Result<int> Fill(store::Store& store, const Clock& clock, const SecretBox& secrets,
                 const DispatcherOptions& options, TransfersT& transfers,
                 std::vector<Finished>& unsendable) {
  const int room = options.max_in_flight - transfers.InFlight();
  if (room <= 0) return 0;
  const int64_t now = clock.NowMillis();
  LT_ASSIGN_OR_RETURN(std::optional<int64_t> due, store.NextDeliveryDue());
  if (!due || *due > now) return 0;
  LT_ASSIGN_OR_RETURN(std::vector<store::DispatchJob> jobs,
                      store.LeaseDueDeliveries(
                          now, now + options.timeout_millis + kLeaseMarginMillis, room,
                          [&](const std::string& webhook_id) {
                            return options.max_per_endpoint - transfers.InFlightFor(webhook_id);
                          }));
  for (store::DispatchJob& job : jobs) {
    Result<std::string> secret =
        secrets.Open(job.secret_sealed, domain::WebhookSecretPurpose(job.webhook_id));
    if (!secret.ok()) {
      Finished f;
      f.attempt.attempted_at = now;
      f.attempt.error = "cannot decrypt the endpoint's secret (was the master key changed?)";
      f.job = std::move(job);
      unsendable.push_back(std::move(f));
      continue;
    }
    transfers.Add(std::move(job), *secret, now, options.timeout_millis);
  }
  return static_cast<int>(jobs.size());
}

Status Record(store::Store& store, const Clock& clock, const DispatcherOptions& options,
              std::vector<Finished>& finished) {
  const int64_t now = clock.NowMillis();
  std::vector<store::DispatchResult> results;
  results.reserve(finished.size());
  for (Finished& f : finished) {
    store::DispatchResult r;
    r.success = f.success;
    metrics::CountWebhookDelivery(f.success ? "delivered" : "failed");
    if (!f.success) {
      r.retry_at = domain::NextAttemptAt(options.retry, f.job.attempts_before + 1,
                                         f.job.event_created_at, now, Jitter());
    }
    r.job = std::move(f.job);
    r.attempt = std::move(f.attempt);
    results.push_back(std::move(r));
  }
  finished.clear();
  return store.RecordDispatchResults(results, now, options.retry.window_millis);
}

}  // namespace

WebhookDispatcher::WebhookDispatcher(store::Store& store, const Clock& clock,
                                     const SecretBox& secrets, DispatcherOptions options)
    : store_(store),
      clock_(clock),
      secrets_(secrets),
      options_(options),
      transfers_(std::make_unique<Transfers>()) {}

WebhookDispatcher::~WebhookDispatcher() { Stop(); }

Result<int> WebhookDispatcher::RunOnce() {
  std::vector<Finished> done;
  LT_ASSIGN_OR_RETURN(int leased, Fill(store_, clock_, secrets_, options_, *transfers_, done));
  while (transfers_->InFlight() > 0) transfers_->Pump(100, done);
  LT_RETURN_IF_ERROR(Record(store_, clock_, options_, done));
  return leased;
}

void WebhookDispatcher::Start() {
  if (thread_.joinable()) return;
  stopping_ = false;
  thread_ = std::thread([this] { Loop(); });
}

void WebhookDispatcher::Stop() {
  if (!thread_.joinable()) return;
  stopping_ = true;
  transfers_->Wakeup();
  thread_.join();
}

void WebhookDispatcher::Wake() {
  woken_ = true;
  transfers_->Wakeup();
}

void WebhookDispatcher::Loop() {
  std::vector<Finished> done;
  int64_t next_check = 0;
  while (!stopping_) {
    const int64_t now = clock_.NowMillis();
    if (woken_.exchange(false) || now >= next_check) {
      Result<int> leased = Fill(store_, clock_, secrets_, options_, *transfers_, done);
      if (!leased.ok()) {
        spdlog::error("webhooks: leasing deliveries failed: {}", leased.status().message());
      }
      next_check = now + options_.poll_millis;
    }
    const int wait =
        static_cast<int>(std::clamp<int64_t>(next_check - now, 0, options_.poll_millis));
    if (done.empty()) transfers_->Pump(wait, done);
    if (!done.empty()) {
      if (Status s = Record(store_, clock_, options_, done); !s.ok()) {
        // The leases run out and the deliveries go out again: at least once.
        spdlog::error("webhooks: recording attempts failed: {}", s.message());
      }
      next_check = 0;  // room freed: look for more at once
    }
  }
  std::vector<store::DispatchJob> aborted = transfers_->AbortAll();
  if (!aborted.empty()) {
    if (Status s = store_.ReleaseDeliveryLeases(aborted); !s.ok()) {
      spdlog::warn("webhooks: cannot release leases on stop: {}", s.message());
    }
  }
}

}  // namespace leadterra::webhook
