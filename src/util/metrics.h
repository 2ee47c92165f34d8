// Process-wide metrics in the Prometheus text exposition format, kept with
// prometheus-cpp (core). This header is deliberately small: callers record
// events through plain functions and never include prometheus-cpp.
//
// Label values are bounded by construction: HTTP requests are labelled with
// the route pattern ("/v1/campaigns/:id"), never the raw path; mailboxes by
// their id (a workspace has a handful). Thread-safe; recording costs an
// atomic add after a short locked label lookup.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

namespace leadterra::metrics {

// An HTTP exchange: method, route pattern ("unmatched" when no route), status.
void ObserveHttpRequest(std::string_view method, std::string_view route, int status,
                        double seconds);
// A message outcome: delivered, bounced, deferred, unknown, failed.
void CountMessage(std::string_view outcome);
// One SMTP transaction of a mailbox, and how it ended (ok, deferred, rejected, error).
void ObserveSmtp(std::string_view mailbox_id, std::string_view result, double seconds);
// One IMAP poll of a mailbox: ok or error.
void CountImapPoll(bool ok);
// One webhook delivery attempt: delivered, failed (retry later), or gave_up.
void CountWebhookDelivery(std::string_view result);
// A tracking hit: open or click (recorded), failed, dropped (queue full).
void CountTrackingHit(std::string_view result);
// A store transaction (backend "sqlite" or "postgres") and its retries.
void ObserveStoreTransaction(std::string_view backend, double seconds);
void CountStoreRetry(std::string_view backend);

// A gauge read when scraped (e.g. enrollments due now, outbox depth). The
// callback runs on the scraping thread; a negative value leaves the gauge out
// of that scrape (e.g. the database is unreachable).
void RegisterGauge(const std::string& name, const std::string& help, std::function<double()> read);

// Every metric as Prometheus text (version 0.0.4), including process RSS,
// CPU seconds, open file descriptors and uptime.
std::string Scrape();

}  // namespace leadterra::metrics
