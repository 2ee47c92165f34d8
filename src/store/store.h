// Store interfaces: everything the API and engine persist goes through these.
//
// Contract shared by every implementation (SQLite today, PostgreSQL next):
// - Every method that touches tenant data takes the workspace id and never
//   reads or writes another workspace's rows; an id from another workspace
//   answers kNotFound exactly like an unknown id.
// - Every method is one transaction: it either fully applies or changes
//   nothing. Methods are thread-safe.
// - Failures are returned as Status (kNotFound, kInvalidState from a mutator,
//   kInternal for storage errors); nothing throws across this interface.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "domain/campaign.h"
#include "domain/delivery_settings.h"
#include "domain/dkim.h"
#include "domain/inbound.h"
#include "domain/lead.h"
#include "domain/mailbox.h"
#include "domain/webhook.h"
#include "domain/workspace.h"
#include "store/analytics_store.h"
#include "store/inbox_store.h"
#include "store/lead_directory_store.h"
#include "store/page.h"
#include "store/tracking_store.h"
#include "util/status.h"

namespace leadterra::store {

// How a backend opens its database (OpenSqliteStore, OpenPostgresStore).
struct OpenOptions {
  int connections = 3;  // pool size of this process
  // Length of one `delayDays` day (--day-seconds), for scheduling sends.
  int64_t day_millis = 86400LL * 1000;
  // How long a process holds claimed sends and IMAP polls before another
  // may take its work over (--lease-seconds; see SqlStoreOptions).
  int64_t lease_millis = 30'000;
};

class WorkspaceStore {
 public:
  virtual ~WorkspaceStore() = default;
  // Creates the workspace and its first key atomically.
  virtual Status CreateWorkspace(const domain::Workspace& workspace,
                                 const domain::ApiKey& first_key) = 0;
  // The same, only if the database has no workspace at all (start-up of a
  // fresh install; several nodes may race): true if this call created it.
  virtual Result<bool> CreateFirstWorkspace(const domain::Workspace& workspace,
                                            const domain::ApiKey& first_key) = 0;
  // Returns deleted workspaces too (deleted_at set): callers decide.
  virtual Result<domain::Workspace> GetWorkspace(const std::string& id) = 0;
  virtual Result<std::vector<domain::Workspace>> ListWorkspaces() = 0;
  virtual Status DeleteWorkspace(const std::string& id, int64_t now) = 0;
};

class ApiKeyStore {
 public:
  virtual ~ApiKeyStore() = default;
  virtual Status CreateApiKey(const domain::ApiKey& key) = 0;
  // The one lookup not scoped by workspace: authentication finds the workspace.
  virtual Result<domain::ApiKey> FindApiKeyByHash(const std::string& key_hash) = 0;
  virtual Result<Page<domain::ApiKey>> ListApiKeys(const std::string& workspace_id,
                                                   const PageRequest& page) = 0;
  // Sets revoked_at (idempotent: a revoked key keeps its first revocation time).
  virtual Result<domain::ApiKey> RevokeApiKey(const std::string& workspace_id,
                                              const std::string& key_id, int64_t now) = 0;
};

class SessionStore {
 public:
  virtual ~SessionStore() = default;
  virtual Status CreateSession(const domain::Session& session) = 0;
  struct SessionLookup {
    domain::Session session;
    bool key_revoked = false;
  };
  // The one other lookup not scoped by workspace; kNotFound when unknown.
  virtual Result<SessionLookup> FindSession(const std::string& token_hash) = 0;
  virtual Status TouchSession(const std::string& token_hash, int64_t now) = 0;
  // Idempotent: an unknown hash is not an error.
  virtual Status DeleteSession(const std::string& token_hash) = 0;
  // Removes sessions last seen before `idle_before`; how many went.
  virtual Result<int64_t> DeleteIdleSessions(int64_t idle_before) = 0;
};

class CampaignStore {
 public:
  virtual ~CampaignStore() = default;
  virtual Status CreateCampaign(const domain::Campaign& campaign) = 0;
  // Deleted campaigns answer kNotFound.
  virtual Result<domain::Campaign> GetCampaign(const std::string& workspace_id,
                                               const std::string& id) = 0;
  virtual Result<Page<domain::Campaign>> ListCampaigns(const std::string& workspace_id,
                                                       std::optional<domain::CampaignStatus> status,
                                                       const PageRequest& page) = 0;
  // Atomic read-modify-write: loads the campaign under a write lock, applies
  // `mutate`, and persists the result only if it returns OK. Returns the
  // stored campaign or the mutator's error.
  using Mutator = std::function<Status(domain::Campaign&)>;
  virtual Result<domain::Campaign> UpdateCampaign(const std::string& workspace_id,
                                                  const std::string& id, const Mutator& mutate) = 0;
  // Removes the campaign from reads if `check` allows it.
  using DeleteCheck = std::function<Status(const domain::Campaign&)>;
  virtual Status DeleteCampaign(const std::string& workspace_id, const std::string& id,
                                const DeleteCheck& check, int64_t now) = 0;
};

// Idempotency-Key bookkeeping (SPEC §1): one row per (workspace, key).
class IdempotencyStore {
 public:
  virtual ~IdempotencyStore() = default;

  enum class Outcome {
    kProceed,     // key reserved for this request: run it, then Complete/Release
    kReplay,      // same request seen before: answer `status`/`body`
    kMismatch,    // key used before with a different request
    kInProgress,  // the first request with this key is still running
  };
  struct Begin {
    Outcome outcome = Outcome::kProceed;
    int status = 0;
    std::string body;
  };
  // Reserves `key` for `request_hash`. Records created before `expire_before`
  // (and reservations older than `stale_before`) are forgotten first.
  virtual Result<Begin> BeginIdempotent(const std::string& workspace_id, const std::string& key,
                                        const std::string& request_hash, int64_t now,
                                        int64_t expire_before, int64_t stale_before) = 0;
  virtual Status CompleteIdempotent(const std::string& workspace_id, const std::string& key,
                                    int status, const std::string& body) = 0;
  virtual Status ReleaseIdempotent(const std::string& workspace_id, const std::string& key) = 0;
};

// One valid row of a bulk lead upload, ready to write.
struct LeadUpsert {
  std::string new_id;  // used only if the lead does not exist yet
  std::string email;   // trimmed, as given
  std::string email_normalized;
  // nullopt leaves the stored value as it is.
  std::optional<std::string> first_name, last_name, company, job_title;
  std::optional<std::string> timezone;  // a known IANA zone
  // A flat JSON object merged into the stored custom fields (RFC 7396: a null
  // value removes that key). "{}" changes nothing.
  std::string custom_fields_patch = "{}";
};

struct BulkEnrollCounts {
  int64_t created = 0;
  int64_t updated = 0;
  int64_t enrolled = 0;
  int64_t already_enrolled = 0;
};

// Per-campaign counters, maintained in the transactions that change them so
// reading them costs the same at any campaign size.
struct CampaignCounters {
  int64_t enrolled = 0;  // enrollments not removed
  int64_t queued = 0;    // leads whose next message is waiting
  int64_t delivered = 0;
  int64_t bounced = 0;
  int64_t replied = 0;
  int64_t unsubscribed = 0;
  int64_t updated_at = 0;
  int64_t unknown = 0;    // messages interrupted by a crash mid-send (not resent)
  int64_t completed = 0;  // leads that received every step
  // Messages first opened / clicked by a person, and by a machine (SPEC §13).
  int64_t opened = 0, clicked = 0, machine_opened = 0, machine_clicked = 0;
};

// How many enrolled leads lack a personalization field.
struct FieldGap {
  std::string field;
  int64_t missing = 0;
  std::vector<std::string> sample_lead_ids;
};

class LeadStore {
 public:
  virtual ~LeadStore() = default;
  // Upserts `rows` (deduplicated by normalized email, workspace-wide) and
  // enrolls each in the campaign unless already enrolled, updating the
  // campaign's counters and the workspace's known custom field keys, all in
  // one transaction. kNotFound if the campaign does not exist.
  virtual Result<BulkEnrollCounts> UpsertAndEnroll(const std::string& workspace_id,
                                                   const std::string& campaign_id,
                                                   const std::vector<LeadUpsert>& rows,
                                                   const std::vector<std::string>& custom_keys,
                                                   int64_t now) = 0;
  virtual Result<domain::Lead> GetLead(const std::string& workspace_id,
                                       const std::string& lead_id) = 0;
  // Enrollments of a campaign ordered by lead id (after_id = a lead id).
  virtual Result<Page<domain::Enrollment>> ListEnrollments(
      const std::string& workspace_id, const std::string& campaign_id,
      std::optional<domain::EnrollmentStatus> status, const PageRequest& page) = 0;
  // Marks the enrollment removed (idempotent); kNotFound if never enrolled.
  virtual Status RemoveEnrollment(const std::string& workspace_id, const std::string& campaign_id,
                                  const std::string& lead_id, int64_t now) = 0;
  virtual Result<CampaignCounters> GetCampaignCounters(const std::string& workspace_id,
                                                       const std::string& campaign_id) = 0;
  // Custom field keys any lead of the workspace has ever had.
  virtual Result<std::vector<std::string>> ListCustomFieldKeys(const std::string& workspace_id) = 0;
  // For each field (standard camelCase name or custom key), counts enrolled,
  // not removed leads of the campaign with no non-empty value.
  virtual Result<std::vector<FieldGap>> CountMissingFields(const std::string& workspace_id,
                                                           const std::string& campaign_id,
                                                           const std::vector<std::string>& fields,
                                                           int samples) = 0;
};

class MailboxStore {
 public:
  virtual ~MailboxStore() = default;
  virtual Status CreateMailbox(const domain::Mailbox& mailbox) = 0;
  // Deleted mailboxes answer kNotFound.
  virtual Result<domain::Mailbox> GetMailbox(const std::string& workspace_id,
                                             const std::string& id) = 0;
  virtual Result<Page<domain::Mailbox>> ListMailboxes(const std::string& workspace_id,
                                                      const PageRequest& page) = 0;
  using MailboxMutator = std::function<Status(domain::Mailbox&)>;
  virtual Result<domain::Mailbox> UpdateMailbox(const std::string& workspace_id,
                                                const std::string& id,
                                                const MailboxMutator& mutate) = 0;
  virtual Status DeleteMailbox(const std::string& workspace_id, const std::string& id,
                               int64_t now) = 0;
  virtual Result<int64_t> CountActiveMailboxes(const std::string& workspace_id) = 0;
};

// One (lead, step) claimed for sending: the message row exists in state
// `claimed`; the engine moves it to `sending` (CommitProgress) right before
// the SMTP transaction, so a crash leaves at most the messages then on the
// wire in doubt.
// A message row a process holds a lease on.
struct HeldMessage {
  std::string workspace_id;
  std::string message_row_id;  // msg_…
};

struct SendClaim {
  std::string message_row_id;     // msg_…
  std::string message_id_header;  // "<msg_…@domain>", stable across retries
  std::string workspace_id;
  std::string campaign_id;
  domain::Lead lead;
  int step_index = 0;
  int attempt = 1;  // 1 on the first try
  std::string mailbox_id;
  // Message-ID headers of the lead's earlier steps in this campaign, oldest first.
  std::vector<std::string> thread;
  // The variant this message is sent as ("" for a step without variants):
  // given on the first claim and kept by every retry.
  std::string variant_id;
  // The variants the lead got at earlier steps, by step index ("" none).
  std::vector<std::string> earlier_variants;
};

struct SendOutcome {
  enum class Kind { kDelivered, kBounced, kRetry };
  Kind kind = Kind::kDelivered;
  std::string workspace_id;
  std::string campaign_id;
  std::string lead_id;
  std::string lead_email;  // for the message.sent / message.bounced event
  std::string message_row_id;
  int step_index = 0;
  std::string mailbox_id;
  std::string variant_id;
  std::string subject;
  int smtp_code = 0;
  std::string smtp_reply;
  // kDelivered: when the next step is due (nullopt: that was the last step).
  std::optional<int64_t> next_send_at;
  // kRetry: when to try again.
  int64_t retry_at = 0;
};

class DeliveryStore {
 public:
  virtual ~DeliveryStore() = default;
  // Running campaigns of every workspace, with their steps.
  virtual Result<std::vector<domain::Campaign>> ListRunningCampaigns() = 0;
  // Claims up to `limit` due enrollments of a running campaign, in one
  // transaction that applies the workspace's delivery settings: a lead
  // outside the sending window (in its own time zone, else the workspace's)
  // waits for the window to open; when the workspace or the lead's mailbox
  // has used its daily limit (days start at local midnight) the lead waits
  // for the next day; a mailbox paced by minGapSeconds takes one lead and
  // the others wait for its next slot. Waiting leads stay `queued` with a
  // later next_send_at. Each claimed lead gets a mailbox (kept for the whole
  // sequence, spread across active mailboxes with capacity left today), a
  // message row in state `claimed`, and its send is counted against the
  // limits. `new_id` makes message row ids.
  virtual Result<std::vector<SendClaim>> ClaimDueSends(
      const std::string& workspace_id, const std::string& campaign_id, int64_t now, int limit,
      const std::function<std::string()>& new_id) = 0;
  // In one transaction: applies `outcomes` (message status, enrollment
  // progress, counters) and moves each claim of `next` from `claimed` to
  // `sending`. Returns, for each of `next` in order, whether it may be sent
  // (false: its claim was released meanwhile, e.g. the campaign paused).
  virtual Result<std::vector<bool>> CommitProgress(const std::vector<SendOutcome>& outcomes,
                                                   const std::vector<const SendClaim*>& next,
                                                   int64_t now) = 0;
  // A/B winners (SPEC §11), for a running campaign whose abTest has
  // autoSelectWinner: each step with variants and no winner yet whose
  // all-time tallies (delivered, replied per variant) make
  // domain::ChooseWinner pick one gets it, with `now` as its time and a
  // step.winner_selected event, in one transaction; a step another node
  // decided meanwhile is left alone. Returns the step numbers decided.
  virtual Result<std::vector<int>> SelectWinners(const std::string& workspace_id,
                                                 const std::string& campaign_id, int64_t now) = 0;
  // Claims are leased to the process (store instance) that made them, for
  // the store's lease length; RenewLeases keeps them while it lives.
  // Once a lease has run out its process is taken for dead, and any process
  // resolves its work: a message still `sending` becomes `unknown` (never
  // resent) and its lead moves on to the next step as if it had been sent; a
  // message only `claimed` was never attempted and goes back to the queue.
  // Returns how many were marked unknown. (SQLite has one process: opening
  // the file ends every lease of the previous one.)
  virtual Result<int64_t> ResolveInterrupted(int64_t now) = 0;
  // Extends this store instance's leases on `held` (those still claimed or
  // sending) to `now` + the lease length: the engine's heartbeat for the
  // claims it is working on. Claims a failed batch left behind are not
  // renewed, so they run out and ResolveInterrupted takes them back. Each
  // message is renewed on its own, never waiting on two rows at once.
  virtual Status RenewLeases(const std::vector<HeldMessage>& held, int64_t now) = 0;
  // The earliest next_send_at of a queued lead in a running campaign.
  virtual Result<std::optional<int64_t>> NextDueTime() = 0;
};

// One delivery attempt of an event to an endpoint.
struct WebhookAttempt {
  int64_t attempted_at = 0;
  std::optional<int> status_code;  // nullopt: no HTTP answer (timeout, refused, …)
  int64_t latency_ms = 0;
  std::optional<std::string> error;
};

enum class DeliveryStatus { kPending, kDelivered, kFailed };
inline std::string_view ToString(DeliveryStatus status) {
  return status == DeliveryStatus::kDelivered ? "delivered"
         : status == DeliveryStatus::kFailed  ? "failed"
                                              : "pending";
}
inline std::optional<DeliveryStatus> ParseDeliveryStatus(std::string_view text) {
  if (text == "pending") return DeliveryStatus::kPending;
  if (text == "delivered") return DeliveryStatus::kDelivered;
  if (text == "failed") return DeliveryStatus::kFailed;
  return std::nullopt;
}

// An event's delivery to one endpoint, as the deliveries log shows it.
struct WebhookDelivery {
  std::string webhook_id;
  std::string event_id;
  std::string event_type;
  DeliveryStatus status = DeliveryStatus::kPending;
  int attempt_count = 0;
  int64_t created_at = 0;
  std::optional<int64_t> next_attempt_at;  // while pending
  std::optional<int64_t> delivered_at;
  std::vector<WebhookAttempt> attempts;  // oldest first
};

// A delivery leased to the dispatcher: everything needed to POST it.
struct DispatchJob {
  std::string workspace_id;
  std::string webhook_id;
  std::string event_id;
  std::string event_type;
  int64_t event_created_at = 0;
  std::string data_json;
  std::string url;
  std::string secret_sealed;
  int attempts_before = 0;  // failed attempts so far
};

// What one attempt of a leased job came to.
struct DispatchResult {
  DispatchJob job;
  WebhookAttempt attempt;
  bool success = false;
  // When !success: the next attempt's time, or nullopt if the delivery failed
  // for good (retry window over).
  std::optional<int64_t> retry_at;
};

// Webhook endpoints and the event outbox. Events are written by the other
// stores inside the transactions that cause them (campaign status changes,
// message outcomes) and fanned out at that moment into one pending delivery
// per subscribed endpoint; the dispatcher leases due deliveries, POSTs them
// and records every attempt.
class WebhookStore {
 public:
  virtual ~WebhookStore() = default;
  virtual Status CreateWebhook(const domain::Webhook& webhook) = 0;
  // Deleted webhooks answer kNotFound.
  virtual Result<domain::Webhook> GetWebhook(const std::string& workspace_id,
                                             const std::string& id) = 0;
  virtual Result<Page<domain::Webhook>> ListWebhooks(const std::string& workspace_id,
                                                     const PageRequest& page) = 0;
  // Stops the endpoint's pending deliveries too.
  virtual Status DeleteWebhook(const std::string& workspace_id, const std::string& id,
                               int64_t now) = 0;
  // Writes `event` with a delivery to that one endpoint only (webhook.test);
  // returns the event id.
  virtual Result<std::string> EmitEventTo(const std::string& workspace_id,
                                          const std::string& webhook_id, const domain::Event& event,
                                          int64_t now) = 0;
  // Newest first: `page.after_id` is an event id and rows older than it follow.
  virtual Result<Page<WebhookDelivery>> ListWebhookDeliveries(const std::string& workspace_id,
                                                              const std::string& webhook_id,
                                                              std::optional<DeliveryStatus> status,
                                                              const PageRequest& page) = 0;

  // Leases up to `limit` due deliveries (pending, next attempt due, no live
  // lease) until `lease_until`, at most `room(webhook_id)` per endpoint, so
  // one slow endpoint cannot take every slot.
  virtual Result<std::vector<DispatchJob>> LeaseDueDeliveries(
      int64_t now, int64_t lease_until, int limit,
      const std::function<int(const std::string& webhook_id)>& room) = 0;
  // Records attempts and their consequences (delivered / retry / failed, and
  // the endpoint's active/failing state: failing once a delivery failed for
  // good or it has had no success for `failing_after` millis) in one
  // transaction; clears the leases.
  virtual Status RecordDispatchResults(const std::vector<DispatchResult>& results, int64_t now,
                                       int64_t failing_after) = 0;
  // Gives leased but unrecorded deliveries back (shutdown). A crashed
  // process's leases simply run out.
  virtual Status ReleaseDeliveryLeases(const std::vector<DispatchJob>& jobs) = 0;
  // The earliest next attempt of any pending delivery of a live endpoint.
  virtual Result<std::optional<int64_t>> NextDeliveryDue() = 0;
};

// Where IMAP polling of a mailbox resumes. UIDs only mean something for one
// server account and one UIDVALIDITY; a change of either starts over.
struct PollCursor {
  std::string account;  // "host:port:username"
  std::optional<int64_t> uidvalidity;
  int64_t last_uid = 0;
};

struct InboundMailbox {
  domain::Mailbox mailbox;
  PollCursor cursor;
};

// One message read back from a mailbox, classified.
struct InboundRecord {
  std::string workspace_id;
  std::string mailbox_id;
  int64_t uidvalidity = 0;
  int64_t uid = 0;
  std::string id;  // msg_… for the stored row
  domain::InboundKind kind = domain::InboundKind::kReply;
  domain::InboundFacts facts;
  int64_t received_at = 0;
};

struct InboundResult {
  bool matched = false;    // tied to a message we sent (else not stored)
  bool duplicate = false;  // this mailbox message was processed before
  std::string campaign_id, lead_id;
};

// One entry of a lead's thread in a campaign.
struct ThreadItem {
  bool inbound = false;
  std::string id;
  std::string kind;  // "step" outbound; reply|auto_reply|bounce|delay inbound
  std::optional<int> step_index;
  std::string subject;
  std::optional<std::string> status;  // outbound message status
  std::optional<std::string> from;
  std::string message_id_header;
  int64_t at = 0;
  std::optional<std::string> snippet;
  std::optional<int64_t> smtp_code;
  std::optional<std::string> smtp_reply;
  std::optional<std::string> dsn_status;
  std::string variant_id;  // outbound: the A/B variant sent ("" none)
};

// Mail read back over IMAP: which mailboxes to poll and from where, and what
// each message read means for the campaign it answers.
class InboundStore {
 public:
  virtual ~InboundStore() = default;
  // Active, not deleted mailboxes of every workspace that have IMAP settings
  // and are due at `now` (never polled, or their interval has passed), each
  // leased to the caller for the store's lease length so no other process
  // polls it meanwhile.
  virtual Result<std::vector<InboundMailbox>> LeaseDueInboundMailboxes(int64_t now) = 0;
  // Records a poll and ends its lease: the new cursor, the time, and its
  // error ("" = success, which clears an earlier "imap: " error on the mailbox).
  virtual Status RecordPoll(const std::string& workspace_id, const std::string& mailbox_id,
                            const PollCursor& cursor, int64_t now, const std::string& error) = 0;
  // Ties the message to what we sent (thread headers, the DSN's original
  // Message-ID, else the sender / failed recipient as a lead mailed from this
  // mailbox), stores it, and applies it in one transaction: a reply marks the
  // enrollment replied (and, with stopOnReply "company", stops the queued
  // leads at the same email domain); a bounce report marks the message and
  // enrollment bounced; each with its webhook event. Idempotent per
  // (mailbox, uidvalidity, uid). Unmatched messages are not stored.
  virtual Result<InboundResult> RecordInbound(const InboundRecord& record, int64_t now) = 0;
  // kNotFound unless the lead is enrolled in the campaign. Oldest first.
  virtual Result<std::vector<ThreadItem>> ListThread(const std::string& workspace_id,
                                                     const std::string& campaign_id,
                                                     const std::string& lead_id) = 0;
};

struct UnsubscribeResult {
  bool already = false;  // the address was already suppressed: nothing changed
  std::string email;
  std::vector<std::string> campaign_ids;  // campaigns whose sequence it stopped
};

// An address (normalized) or a whole domain a workspace must not mail.
struct Suppression {
  std::string value;
  bool domain = false;
  std::string reason;
  std::string source;  // "api", "unsubscribe_link", "unsubscribe_email", "erasure"
  int64_t created_at = 0;
  // An erased person's address, kept only as domain::AddressHash.
  bool hashed = false;
};

// Suppression: addresses and domains a workspace must not mail again. They
// are refused at enrollment and skipped at send time.
class SuppressionStore {
 public:
  virtual ~SuppressionStore() = default;
  // Adds those not present yet; returns how many were added.
  virtual Result<int64_t> AddSuppressions(const std::string& workspace_id,
                                          const std::vector<Suppression>& entries) = 0;
  // Ordered by value; `page.after_id` is a value. `domains`: only domains
  // (true) or only addresses (false).
  virtual Result<Page<Suppression>> ListSuppressions(const std::string& workspace_id,
                                                     std::optional<bool> domains,
                                                     const PageRequest& page) = 0;
  virtual Status DeleteSuppression(const std::string& workspace_id, const std::string& value) = 0;
  // Which of `emails` (normalized) are suppressed, by address or domain.
  virtual Result<std::vector<std::string>> FindSuppressed(
      const std::string& workspace_id, const std::vector<std::string>& emails) = 0;
  // One-click unsubscribe of a lead: suppresses its address workspace-wide,
  // moves its enrollments in every campaign to `unsubscribed` (counted), and
  // writes a lead.unsubscribed event, in one transaction. Idempotent.
  // kNotFound for an unknown lead.
  virtual Result<UnsubscribeResult> UnsubscribeLead(const std::string& workspace_id,
                                                    const std::string& lead_id, int64_t now) = 0;
};

// Per-workspace delivery settings (SPEC §6).
class DeliverySettingsStore {
 public:
  virtual ~DeliverySettingsStore() = default;
  // The defaults (UTC, no window, no cap, no gap) until first changed.
  virtual Result<domain::DeliverySettings> GetDeliverySettings(const std::string& workspace_id) = 0;
  using DeliverySettingsMutator = std::function<Status(domain::DeliverySettings&)>;
  // Reads, applies `mutate` and writes in one transaction; nothing is
  // written when `mutate` fails. Sets updated_at to `now`.
  virtual Result<domain::DeliverySettings> UpdateDeliverySettings(
      const std::string& workspace_id, const DeliverySettingsMutator& mutate, int64_t now) = 0;
};

// DKIM signing keys per sending domain.
class DkimKeyStore {
 public:
  virtual ~DkimKeyStore() = default;
  // kInvalidState when the workspace already has that (domain, selector).
  virtual Status CreateDkimKey(const domain::DkimKeyRecord& key) = 0;
  virtual Result<domain::DkimKeyRecord> GetDkimKey(const std::string& workspace_id,
                                                   const std::string& id) = 0;
  virtual Result<Page<domain::DkimKeyRecord>> ListDkimKeys(const std::string& workspace_id,
                                                           const PageRequest& page) = 0;
  virtual Status DeleteDkimKey(const std::string& workspace_id, const std::string& id) = 0;
  virtual Result<domain::DkimKeyRecord> SetDkimKeyActive(const std::string& workspace_id,
                                                         const std::string& id, bool active) = 0;
  // The newest active key of `domain` (lowercase), the one that signs;
  // nullopt if none.
  virtual Result<std::optional<domain::DkimKeyRecord>> FindSigningKey(
      const std::string& workspace_id, const std::string& domain) = 0;
};

// Process-wide backlog figures for operators (/metrics), over all
// workspaces. Queued comes from the maintained counters, due is one indexed
// count; meant for scrapes, not requests.
struct Backlog {
  int64_t queued_enrollments = 0;  // waiting for their next step
  // Of those, due now in a running campaign, counted up to kDueCountCap (a
  // count read from the rows themselves, so a scrape stays cheap however
  // deep the backlog).
  int64_t due_enrollments = 0;
  static constexpr int64_t kDueCountCap = 1'000;
  int64_t webhook_outbox = 0;  // deliveries not yet delivered or given up
};
class OperationsStore {
 public:
  virtual ~OperationsStore() = default;
  virtual Result<Backlog> CountBacklog(int64_t now) = 0;
};

// Everything a server process needs, implemented by one backend.
class Store : public WorkspaceStore,
              public ApiKeyStore,
              public SessionStore,
              public CampaignStore,
              public IdempotencyStore,
              public LeadStore,
              public MailboxStore,
              public DeliveryStore,
              public WebhookStore,
              public InboundStore,
              public SuppressionStore,
              public DeliverySettingsStore,
              public DkimKeyStore,
              public OperationsStore,
              public AnalyticsStore,
              public TrackingStore,
              public LeadDirectoryStore,
              public InboxStore {
 public:
  // Human-readable backend name for logs ("sqlite", "postgres").
  virtual std::string Backend() const = 0;
  // OK when the database answers and its schema is at the version this
  // binary's migrations end at (GET /readyz); else why not.
  virtual Status CheckReady() = 0;
};

}  // namespace leadterra::store
