#include "store/postgres/pg_migrations.h"

#include <string>
#include <vector>

#include "store/sql/migrator.h"

namespace leadterra::store::postgres {
namespace {

// Append only: never edit a migration that has shipped. Integers are BIGINT
// and text sorts bytewise (COLLATE "C"), as in SQLite, so keyset pagination
// orders ids the same on both backends. Every table leads with workspace_id:
// the distribution column on Citus (see README).
const std::vector<sql::Migration>& Migrations() {
  static const std::vector<sql::Migration> kMigrations = {
      {1, R"sql(
CREATE TABLE workspaces (
  id TEXT COLLATE "C" PRIMARY KEY,
  name TEXT COLLATE "C" NOT NULL,
  created_at BIGINT NOT NULL,
  deleted_at BIGINT
);
CREATE TABLE api_keys (
  workspace_id TEXT COLLATE "C" NOT NULL REFERENCES workspaces(id),
  id TEXT COLLATE "C" NOT NULL,
  name TEXT COLLATE "C" NOT NULL,
  key_hash TEXT COLLATE "C" NOT NULL UNIQUE,
  prefix TEXT COLLATE "C" NOT NULL,
  created_at BIGINT NOT NULL,
  revoked_at BIGINT,
  PRIMARY KEY (workspace_id, id)
);
CREATE TABLE campaigns (
  workspace_id TEXT COLLATE "C" NOT NULL REFERENCES workspaces(id),
  id TEXT COLLATE "C" NOT NULL,
  name TEXT COLLATE "C" NOT NULL,
  status TEXT COLLATE "C" NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  started_at BIGINT,
  deleted_at BIGINT,
  stop_on_reply TEXT COLLATE "C" NOT NULL DEFAULT 'lead',
  bounce_protection BIGINT NOT NULL DEFAULT 1,
  bounce_max_rate DOUBLE PRECISION NOT NULL DEFAULT 0.05,
  bounce_min_sends BIGINT NOT NULL DEFAULT 50,
  pause_reason TEXT COLLATE "C",
  pause_message TEXT COLLATE "C",
  pause_at BIGINT,
  bounce_base_sends BIGINT NOT NULL DEFAULT 0,
  bounce_base_bounced BIGINT NOT NULL DEFAULT 0,
  PRIMARY KEY (workspace_id, id)
);
CREATE INDEX campaigns_by_status ON campaigns(workspace_id, status, id);
-- The engine's scan for running campaigns of every workspace.
CREATE INDEX campaigns_running ON campaigns(status) WHERE status = 'running';
CREATE TABLE campaign_steps (
  workspace_id TEXT COLLATE "C" NOT NULL,
  campaign_id TEXT COLLATE "C" NOT NULL,
  step_index BIGINT NOT NULL,
  delay_days DOUBLE PRECISION NOT NULL,
  subject TEXT NOT NULL,
  body_html TEXT NOT NULL,
  PRIMARY KEY (workspace_id, campaign_id, step_index),
  FOREIGN KEY (workspace_id, campaign_id) REFERENCES campaigns(workspace_id, id)
);
CREATE TABLE idempotency_keys (
  workspace_id TEXT COLLATE "C" NOT NULL,
  idem_key TEXT COLLATE "C" NOT NULL,
  request_hash TEXT COLLATE "C" NOT NULL,
  status BIGINT,
  body TEXT COLLATE "C",
  created_at BIGINT NOT NULL,
  PRIMARY KEY (workspace_id, idem_key)
);
CREATE TABLE leads (
  workspace_id TEXT COLLATE "C" NOT NULL REFERENCES workspaces(id),
  email_norm TEXT COLLATE "C" NOT NULL,
  id TEXT COLLATE "C" NOT NULL,
  email TEXT COLLATE "C" NOT NULL,
  first_name TEXT COLLATE "C",
  last_name TEXT COLLATE "C",
  company TEXT COLLATE "C",
  job_title TEXT COLLATE "C",
  custom_fields TEXT COLLATE "C" NOT NULL DEFAULT '{}',
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  timezone TEXT COLLATE "C",
  PRIMARY KEY (workspace_id, email_norm)
);
CREATE UNIQUE INDEX leads_by_id ON leads(workspace_id, id);
CREATE TABLE enrollments (
  workspace_id TEXT COLLATE "C" NOT NULL,
  campaign_id TEXT COLLATE "C" NOT NULL,
  lead_id TEXT COLLATE "C" NOT NULL,
  status TEXT COLLATE "C" NOT NULL,
  current_step BIGINT NOT NULL DEFAULT 0,
  next_send_at BIGINT,
  last_sent_at BIGINT,
  enrolled_at BIGINT NOT NULL,
  mailbox_id TEXT COLLATE "C",
  held BIGINT NOT NULL DEFAULT 0,
  PRIMARY KEY (workspace_id, campaign_id, lead_id)
);
CREATE INDEX enrollments_by_status ON enrollments(workspace_id, campaign_id, status, lead_id)
  WHERE status != 'queued';
CREATE INDEX enrollments_due ON enrollments(workspace_id, campaign_id, next_send_at)
  WHERE status = 'queued' AND next_send_at IS NOT NULL;
CREATE INDEX enrollments_held ON enrollments(workspace_id) WHERE held = 1;
CREATE TABLE campaign_stats (
  workspace_id TEXT COLLATE "C" NOT NULL,
  campaign_id TEXT COLLATE "C" NOT NULL,
  enrolled BIGINT NOT NULL DEFAULT 0,
  queued BIGINT NOT NULL DEFAULT 0,
  delivered BIGINT NOT NULL DEFAULT 0,
  bounced BIGINT NOT NULL DEFAULT 0,
  replied BIGINT NOT NULL DEFAULT 0,
  unsubscribed BIGINT NOT NULL DEFAULT 0,
  updated_at BIGINT NOT NULL,
  unknown BIGINT NOT NULL DEFAULT 0,
  completed BIGINT NOT NULL DEFAULT 0,
  PRIMARY KEY (workspace_id, campaign_id)
);
CREATE TABLE custom_field_keys (
  workspace_id TEXT COLLATE "C" NOT NULL,
  field_key TEXT COLLATE "C" NOT NULL,
  PRIMARY KEY (workspace_id, field_key)
);
CREATE TABLE mailboxes (
  workspace_id TEXT COLLATE "C" NOT NULL REFERENCES workspaces(id),
  id TEXT COLLATE "C" NOT NULL,
  email TEXT COLLATE "C" NOT NULL,
  from_name TEXT COLLATE "C" NOT NULL,
  smtp_host TEXT COLLATE "C" NOT NULL,
  smtp_port BIGINT NOT NULL,
  smtp_username TEXT COLLATE "C" NOT NULL,
  smtp_password TEXT COLLATE "C" NOT NULL,
  smtp_security TEXT COLLATE "C" NOT NULL,
  imap_host TEXT COLLATE "C",
  imap_port BIGINT,
  imap_username TEXT COLLATE "C",
  imap_password TEXT COLLATE "C",
  imap_security TEXT COLLATE "C",
  imap_poll_seconds BIGINT NOT NULL DEFAULT 60,
  daily_limit BIGINT NOT NULL,
  status TEXT COLLATE "C" NOT NULL,
  last_error TEXT COLLATE "C" NOT NULL DEFAULT '',
  verified_at BIGINT,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  deleted_at BIGINT,
  last_polled_at BIGINT,
  imap_cursor_account TEXT COLLATE "C",
  imap_uidvalidity BIGINT,
  imap_last_uid BIGINT NOT NULL DEFAULT 0,
  next_send_after BIGINT NOT NULL DEFAULT 0,
  -- A node polling this mailbox's IMAP holds it until then.
  imap_lease_until BIGINT NOT NULL DEFAULT 0,
  PRIMARY KEY (workspace_id, id)
);
CREATE TABLE mailbox_usage (
  workspace_id TEXT COLLATE "C" NOT NULL,
  mailbox_id TEXT COLLATE "C" NOT NULL,
  day TEXT COLLATE "C" NOT NULL,
  sent BIGINT NOT NULL DEFAULT 0,
  PRIMARY KEY (workspace_id, mailbox_id, day)
);
CREATE INDEX mailbox_usage_by_day ON mailbox_usage(workspace_id, day);
CREATE TABLE messages (
  workspace_id TEXT COLLATE "C" NOT NULL,
  id TEXT COLLATE "C" NOT NULL,
  campaign_id TEXT COLLATE "C" NOT NULL,
  lead_id TEXT COLLATE "C" NOT NULL,
  step_index BIGINT NOT NULL,
  mailbox_id TEXT COLLATE "C" NOT NULL,
  message_id_header TEXT COLLATE "C" NOT NULL,
  subject TEXT COLLATE "C" NOT NULL DEFAULT '',
  status TEXT COLLATE "C" NOT NULL,
  attempts BIGINT NOT NULL DEFAULT 0,
  smtp_code BIGINT,
  smtp_reply TEXT COLLATE "C",
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  sent_at BIGINT,
  -- While claimed or sending: the node holds it until then; after that a
  -- crashed node's work is resolved by any other.
  lease_until BIGINT NOT NULL DEFAULT 0,
  lease_owner TEXT COLLATE "C",
  PRIMARY KEY (workspace_id, id),
  UNIQUE (workspace_id, campaign_id, lead_id, step_index)
);
CREATE INDEX messages_in_flight ON messages(status) WHERE status IN ('claimed', 'sending');
CREATE INDEX messages_by_lease_owner ON messages(lease_owner) WHERE status IN ('claimed', 'sending');
CREATE INDEX messages_by_header ON messages(workspace_id, message_id_header);
CREATE INDEX messages_by_lead ON messages(workspace_id, lead_id, campaign_id);
CREATE TABLE webhooks (
  workspace_id TEXT COLLATE "C" NOT NULL REFERENCES workspaces(id),
  id TEXT COLLATE "C" NOT NULL,
  url TEXT COLLATE "C" NOT NULL,
  events TEXT COLLATE "C" NOT NULL,
  description TEXT COLLATE "C",
  secret TEXT COLLATE "C" NOT NULL,
  status TEXT COLLATE "C" NOT NULL,
  created_at BIGINT NOT NULL,
  last_success_at BIGINT,
  failing_since BIGINT,
  deleted_at BIGINT,
  PRIMARY KEY (workspace_id, id)
);
CREATE TABLE webhook_subscriptions (
  workspace_id TEXT COLLATE "C" NOT NULL,
  event_type TEXT COLLATE "C" NOT NULL,
  webhook_id TEXT COLLATE "C" NOT NULL,
  PRIMARY KEY (workspace_id, event_type, webhook_id)
);
CREATE TABLE webhook_events (
  workspace_id TEXT COLLATE "C" NOT NULL,
  id TEXT COLLATE "C" NOT NULL,
  type TEXT COLLATE "C" NOT NULL,
  data TEXT COLLATE "C" NOT NULL,
  created_at BIGINT NOT NULL,
  PRIMARY KEY (workspace_id, id)
);
CREATE TABLE webhook_deliveries (
  workspace_id TEXT COLLATE "C" NOT NULL,
  webhook_id TEXT COLLATE "C" NOT NULL,
  event_id TEXT COLLATE "C" NOT NULL,
  status TEXT COLLATE "C" NOT NULL,
  attempts BIGINT NOT NULL DEFAULT 0,
  next_attempt_at BIGINT,
  lease_until BIGINT,
  created_at BIGINT NOT NULL,
  delivered_at BIGINT,
  PRIMARY KEY (workspace_id, webhook_id, event_id)
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries(workspace_id, webhook_id, next_attempt_at)
  WHERE status = 'pending';
CREATE TABLE webhook_attempts (
  workspace_id TEXT COLLATE "C" NOT NULL,
  webhook_id TEXT COLLATE "C" NOT NULL,
  event_id TEXT COLLATE "C" NOT NULL,
  attempt BIGINT NOT NULL,
  attempted_at BIGINT NOT NULL,
  status_code BIGINT,
  latency_ms BIGINT NOT NULL,
  error TEXT COLLATE "C",
  PRIMARY KEY (workspace_id, webhook_id, event_id, attempt)
);
CREATE TABLE inbound_messages (
  workspace_id TEXT COLLATE "C" NOT NULL,
  id TEXT COLLATE "C" NOT NULL,
  mailbox_id TEXT COLLATE "C" NOT NULL,
  uidvalidity BIGINT NOT NULL,
  uid BIGINT NOT NULL,
  kind TEXT COLLATE "C" NOT NULL,
  campaign_id TEXT COLLATE "C" NOT NULL,
  lead_id TEXT COLLATE "C" NOT NULL,
  message_row_id TEXT COLLATE "C" NOT NULL,
  from_addr TEXT COLLATE "C" NOT NULL,
  subject TEXT NOT NULL,
  message_id_header TEXT COLLATE "C" NOT NULL,
  snippet TEXT COLLATE "C" NOT NULL,
  dsn_status TEXT COLLATE "C",
  smtp_code BIGINT,
  diagnostic TEXT COLLATE "C",
  received_at BIGINT NOT NULL,
  PRIMARY KEY (workspace_id, id),
  UNIQUE (workspace_id, mailbox_id, uidvalidity, uid)
);
CREATE INDEX inbound_by_lead ON inbound_messages(workspace_id, lead_id, campaign_id);
CREATE INDEX inbound_by_header ON inbound_messages(workspace_id, mailbox_id, message_id_header);
CREATE TABLE suppressions (
  workspace_id TEXT COLLATE "C" NOT NULL,
  value TEXT COLLATE "C" NOT NULL,
  kind TEXT COLLATE "C" NOT NULL,
  reason TEXT COLLATE "C" NOT NULL,
  source TEXT COLLATE "C" NOT NULL,
  created_at BIGINT NOT NULL,
  PRIMARY KEY (workspace_id, value)
);
CREATE TABLE delivery_settings (
  workspace_id TEXT COLLATE "C" NOT NULL PRIMARY KEY,
  daily_limit BIGINT,
  timezone TEXT COLLATE "C" NOT NULL,
  window_days TEXT COLLATE "C",
  window_start BIGINT,
  window_end BIGINT,
  min_gap_seconds BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE TABLE dkim_keys (
  workspace_id TEXT COLLATE "C" NOT NULL,
  id TEXT COLLATE "C" NOT NULL,
  domain TEXT COLLATE "C" NOT NULL,
  selector TEXT COLLATE "C" NOT NULL,
  private_key_sealed TEXT COLLATE "C" NOT NULL,
  public_key TEXT COLLATE "C" NOT NULL,
  active BIGINT NOT NULL DEFAULT 1,
  created_at BIGINT NOT NULL,
  PRIMARY KEY (workspace_id, id),
  UNIQUE (workspace_id, domain, selector)
);
)sql"},
      {2, R"sql(
-- Lists filtered by a rare value read their own index range instead of
-- walking the primary key: deliveries by status, suppressions by type.
CREATE INDEX webhook_deliveries_by_status
  ON webhook_deliveries(workspace_id, webhook_id, status, event_id);
CREATE INDEX suppressions_by_kind ON suppressions(workspace_id, kind, value);
-- stopOnReply "company": a domain's leads (an address has exactly one '@');
-- with the id, so the look-up needs no visit to the table.
CREATE INDEX leads_by_domain
  ON leads(workspace_id, (substr(email_norm, strpos(email_norm, '@') + 1)), id);
)sql"},
      {3, R"sql(
-- Dashboard sessions (SPEC §14): only the cookie token's SHA-256 is kept.
CREATE TABLE sessions (
  token_hash TEXT COLLATE "C" PRIMARY KEY,
  workspace_id TEXT COLLATE "C" NOT NULL,
  key_id TEXT COLLATE "C" NOT NULL,
  created_at BIGINT NOT NULL,
  last_seen_at BIGINT NOT NULL
);
CREATE INDEX sessions_by_key ON sessions(workspace_id, key_id);
CREATE INDEX sessions_by_last_seen ON sessions(last_seen_at);
)sql"},
      {4, R"sql(
-- A campaign's counters become the sum of its rows (shards): the sending
-- engine adds its outcomes to the sending mailbox's shard, so mailboxes
-- sending side by side do not queue for one row lock.
ALTER TABLE campaign_stats ADD COLUMN shard BIGINT NOT NULL DEFAULT 0;
ALTER TABLE campaign_stats DROP CONSTRAINT campaign_stats_pkey;
ALTER TABLE campaign_stats ADD PRIMARY KEY (workspace_id, campaign_id, shard);
-- Analytics (SPEC §10): counters per campaign, step, variant and 15-minute
-- UTC slot, kept in the transactions that record each outcome.
CREATE TABLE campaign_activity (
  workspace_id TEXT COLLATE "C" NOT NULL,
  campaign_id TEXT COLLATE "C" NOT NULL,
  slot_start BIGINT NOT NULL,
  step_number BIGINT NOT NULL,
  variant_id TEXT COLLATE "C" NOT NULL,
  shard BIGINT NOT NULL DEFAULT 0,
  sent BIGINT NOT NULL DEFAULT 0,
  delivered BIGINT NOT NULL DEFAULT 0,
  bounced BIGINT NOT NULL DEFAULT 0,
  replied BIGINT NOT NULL DEFAULT 0,
  unsubscribed BIGINT NOT NULL DEFAULT 0,
  opened BIGINT NOT NULL DEFAULT 0,
  clicked BIGINT NOT NULL DEFAULT 0,
  PRIMARY KEY (workspace_id, campaign_id, slot_start, step_number, variant_id, shard)
);
-- What was sent before this version, at the time each message left, and
-- each lead's first reply, at the time it was read.
INSERT INTO campaign_activity(workspace_id, campaign_id, slot_start, step_number, variant_id,
                              sent, delivered, bounced)
SELECT workspace_id, campaign_id, (coalesce(sent_at, updated_at) / 900000) * 900000,
       step_index + 1, '', count(*),
       sum(CASE WHEN status = 'delivered' THEN 1 ELSE 0 END),
       sum(CASE WHEN status = 'bounced' THEN 1 ELSE 0 END)
FROM messages WHERE status IN ('delivered', 'bounced', 'unknown')
GROUP BY workspace_id, campaign_id, (coalesce(sent_at, updated_at) / 900000) * 900000, step_index;
INSERT INTO campaign_activity(workspace_id, campaign_id, slot_start, step_number, variant_id,
                              replied)
SELECT workspace_id, campaign_id, slot_start, step_number, '', count(*) FROM (
  SELECT i.workspace_id, i.campaign_id, (i.received_at / 900000) * 900000 AS slot_start,
         m.step_index + 1 AS step_number,
         row_number() OVER (PARTITION BY i.workspace_id, i.campaign_id, i.lead_id
                            ORDER BY i.received_at, i.id) AS nth
  FROM inbound_messages i
  JOIN messages m ON m.workspace_id = i.workspace_id AND m.id = i.message_row_id
  JOIN enrollments e ON e.workspace_id = i.workspace_id AND e.campaign_id = i.campaign_id
                    AND e.lead_id = i.lead_id AND e.status = 'replied'
  WHERE i.kind = 'reply'
) first_replies WHERE nth = 1
GROUP BY workspace_id, campaign_id, slot_start, step_number
ON CONFLICT (workspace_id, campaign_id, slot_start, step_number, variant_id, shard)
DO UPDATE SET replied = campaign_activity.replied + excluded.replied;

-- Per mailbox and UTC hour: what the overview (SPEC §10) reads.
CREATE TABLE mailbox_activity (
  workspace_id TEXT COLLATE "C" NOT NULL,
  hour_start BIGINT NOT NULL,
  mailbox_id TEXT COLLATE "C" NOT NULL,
  sent BIGINT NOT NULL DEFAULT 0,
  delivered BIGINT NOT NULL DEFAULT 0,
  bounced BIGINT NOT NULL DEFAULT 0,
  replied BIGINT NOT NULL DEFAULT 0,
  PRIMARY KEY (workspace_id, hour_start, mailbox_id)
);
INSERT INTO mailbox_activity(workspace_id, hour_start, mailbox_id, sent, delivered, bounced)
SELECT workspace_id, (coalesce(sent_at, updated_at) / 3600000) * 3600000, mailbox_id, count(*),
       sum(CASE WHEN status = 'delivered' THEN 1 ELSE 0 END),
       sum(CASE WHEN status = 'bounced' THEN 1 ELSE 0 END)
FROM messages WHERE status IN ('delivered', 'bounced', 'unknown')
GROUP BY workspace_id, (coalesce(sent_at, updated_at) / 3600000) * 3600000, mailbox_id;
INSERT INTO mailbox_activity(workspace_id, hour_start, mailbox_id, replied)
SELECT workspace_id, hour_start, mailbox_id, count(*) FROM (
  SELECT i.workspace_id, (i.received_at / 3600000) * 3600000 AS hour_start, m.mailbox_id,
         row_number() OVER (PARTITION BY i.workspace_id, i.campaign_id, i.lead_id
                            ORDER BY i.received_at, i.id) AS nth
  FROM inbound_messages i
  JOIN messages m ON m.workspace_id = i.workspace_id AND m.id = i.message_row_id
  JOIN enrollments e ON e.workspace_id = i.workspace_id AND e.campaign_id = i.campaign_id
                    AND e.lead_id = i.lead_id AND e.status = 'replied'
  WHERE i.kind = 'reply'
) first_replies WHERE nth = 1
GROUP BY workspace_id, hour_start, mailbox_id
ON CONFLICT (workspace_id, hour_start, mailbox_id)
DO UPDATE SET replied = mailbox_activity.replied + excluded.replied;
)sql"},
      {5, R"sql(
-- A/B variants (SPEC §11): a step's versions, its winner, the campaign's
-- test settings, the variant each message got, and per-variant counters
-- (sharded like campaign_stats) that the winner rule and stats read.
ALTER TABLE campaigns ADD COLUMN ab_auto_select BIGINT NOT NULL DEFAULT 0;
ALTER TABLE campaigns ADD COLUMN ab_min_sends BIGINT NOT NULL DEFAULT 100;
ALTER TABLE campaigns ADD COLUMN ab_confidence DOUBLE PRECISION NOT NULL DEFAULT 0.95;
ALTER TABLE campaign_steps ADD COLUMN winner_variant_id TEXT COLLATE "C" NOT NULL DEFAULT '';
ALTER TABLE campaign_steps ADD COLUMN winner_selected_at BIGINT;
CREATE TABLE campaign_step_variants (
  workspace_id TEXT COLLATE "C" NOT NULL,
  campaign_id TEXT COLLATE "C" NOT NULL,
  step_index BIGINT NOT NULL,
  position BIGINT NOT NULL,
  id TEXT COLLATE "C" NOT NULL,
  label TEXT NOT NULL,
  subject TEXT NOT NULL,
  body_html TEXT NOT NULL,
  weight BIGINT NOT NULL,
  PRIMARY KEY (workspace_id, campaign_id, step_index, position)
);
ALTER TABLE messages ADD COLUMN variant_id TEXT COLLATE "C" NOT NULL DEFAULT '';
CREATE TABLE variant_stats (
  workspace_id TEXT COLLATE "C" NOT NULL,
  campaign_id TEXT COLLATE "C" NOT NULL,
  step_number BIGINT NOT NULL,
  variant_id TEXT COLLATE "C" NOT NULL,
  shard BIGINT NOT NULL DEFAULT 0,
  sent BIGINT NOT NULL DEFAULT 0,
  delivered BIGINT NOT NULL DEFAULT 0,
  bounced BIGINT NOT NULL DEFAULT 0,
  replied BIGINT NOT NULL DEFAULT 0,
  unsubscribed BIGINT NOT NULL DEFAULT 0,
  opened BIGINT NOT NULL DEFAULT 0,
  clicked BIGINT NOT NULL DEFAULT 0,
  PRIMARY KEY (workspace_id, campaign_id, step_number, variant_id, shard)
);
)sql"},
      {6, R"sql(
-- Open and click tracking (SPEC §13): the campaign's switches, each
-- message's first open and click by a person and by a machine (unique
-- counts), and the counters stats read.
ALTER TABLE campaigns ADD COLUMN track_opens BIGINT NOT NULL DEFAULT 0;
ALTER TABLE campaigns ADD COLUMN track_clicks BIGINT NOT NULL DEFAULT 0;
ALTER TABLE messages ADD COLUMN opened_at BIGINT;
ALTER TABLE messages ADD COLUMN clicked_at BIGINT;
ALTER TABLE messages ADD COLUMN machine_opened_at BIGINT;
ALTER TABLE messages ADD COLUMN machine_clicked_at BIGINT;
ALTER TABLE campaign_stats ADD COLUMN opened BIGINT NOT NULL DEFAULT 0;
ALTER TABLE campaign_stats ADD COLUMN clicked BIGINT NOT NULL DEFAULT 0;
ALTER TABLE campaign_stats ADD COLUMN machine_opened BIGINT NOT NULL DEFAULT 0;
ALTER TABLE campaign_stats ADD COLUMN machine_clicked BIGINT NOT NULL DEFAULT 0;
)sql"},
      {7, R"sql(
-- Leads across campaigns and the reply inbox (SPEC §12).
-- A lead deleted by DELETE /v1/leads/:id (without erasure) leaves lists and
-- search; importing its address again brings it back.
ALTER TABLE leads ADD COLUMN deleted_at BIGINT;
-- Search by prefix (lower case) of "first last", of the last name and of the
-- company; the address has the primary key.
CREATE INDEX leads_by_name ON leads(workspace_id,
  lower(trim(coalesce(first_name, '') || ' ' || coalesce(last_name, ''))), id);
CREATE INDEX leads_by_last_name ON leads(workspace_id, lower(last_name), id);
CREATE INDEX leads_by_company ON leads(workspace_id, lower(company), id);
-- The inbox: replies, auto-replies and unsubscribe requests, with a label,
-- read state and the whole text. Ids become inb_.
ALTER TABLE inbound_messages ADD COLUMN label TEXT COLLATE "C";
ALTER TABLE inbound_messages ADD COLUMN read_at BIGINT;
ALTER TABLE inbound_messages ADD COLUMN body_text TEXT NOT NULL DEFAULT '';
UPDATE inbound_messages SET body_text = snippet;
UPDATE inbound_messages SET id = 'inb_' || substr(id, 5) WHERE substr(id, 1, 4) = 'msg_';
UPDATE inbound_messages SET label = 'out_of_office' WHERE kind = 'auto_reply';
UPDATE inbound_messages SET label = 'unsubscribe' WHERE kind = 'unsubscribe';
CREATE INDEX inbox_by_time ON inbound_messages(workspace_id, received_at, id)
  WHERE kind IN ('reply', 'auto_reply', 'unsubscribe');
CREATE INDEX inbox_by_campaign ON inbound_messages(workspace_id, campaign_id, received_at, id)
  WHERE kind IN ('reply', 'auto_reply', 'unsubscribe');
CREATE INDEX inbox_by_label ON inbound_messages(workspace_id, label, received_at, id)
  WHERE kind IN ('reply', 'auto_reply', 'unsubscribe');
CREATE INDEX inbox_unread ON inbound_messages(workspace_id, received_at, id)
  WHERE kind IN ('reply', 'auto_reply', 'unsubscribe') AND read_at IS NULL;
-- Inbox counts per label ('' = none), kept with every change.
CREATE TABLE inbox_counters (
  workspace_id TEXT COLLATE "C" NOT NULL,
  label TEXT COLLATE "C" NOT NULL,
  total BIGINT NOT NULL DEFAULT 0,
  unread BIGINT NOT NULL DEFAULT 0,
  PRIMARY KEY (workspace_id, label)
);
INSERT INTO inbox_counters(workspace_id, label, total, unread)
  SELECT workspace_id, coalesce(label, ''), count(*), count(*) FROM inbound_messages
  WHERE kind IN ('reply', 'auto_reply', 'unsubscribe') GROUP BY workspace_id, coalesce(label, '');
-- Answers a person sent from the inbox (POST /v1/inbox/:id/reply).
CREATE TABLE answers (
  workspace_id TEXT COLLATE "C" NOT NULL,
  id TEXT COLLATE "C" NOT NULL,
  inbound_id TEXT COLLATE "C" NOT NULL,
  campaign_id TEXT COLLATE "C" NOT NULL,
  lead_id TEXT COLLATE "C" NOT NULL,
  mailbox_id TEXT COLLATE "C" NOT NULL,
  message_row_id TEXT COLLATE "C" NOT NULL,
  message_id_header TEXT COLLATE "C" NOT NULL,
  subject TEXT NOT NULL,
  body_html TEXT NOT NULL,
  status TEXT COLLATE "C" NOT NULL,
  smtp_code BIGINT,
  smtp_reply TEXT,
  created_at BIGINT NOT NULL,
  sent_at BIGINT,
  PRIMARY KEY (workspace_id, id)
);
CREATE INDEX answers_by_lead ON answers(workspace_id, lead_id, campaign_id);
CREATE INDEX answers_by_header ON answers(workspace_id, message_id_header);
-- Which lead an event is about, so erasure finds its payloads.
ALTER TABLE webhook_events ADD COLUMN lead_id TEXT COLLATE "C";
UPDATE webhook_events SET lead_id = (data::jsonb ->> 'leadId');
CREATE INDEX webhook_events_by_lead ON webhook_events(workspace_id, lead_id)
  WHERE lead_id IS NOT NULL;
)sql"},
  };
  return kMigrations;
}

// Session advisory lock held while migrating, so nodes starting together
// apply each migration once ("LTMG").
constexpr int64_t kMigrationLock = 0x4c544d47;

}  // namespace

Status ApplyMigrations(sql::Connection& conn) {
  LT_RETURN_IF_ERROR(conn.Exec("SELECT pg_advisory_lock(" + std::to_string(kMigrationLock) + ")"));
  Status status = sql::ApplyMigrations(
      conn, Migrations(),
      "CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, "
      "applied_at TIMESTAMPTZ NOT NULL DEFAULT now())");
  Status unlock = conn.Exec("SELECT pg_advisory_unlock(" + std::to_string(kMigrationLock) + ")");
  return status.ok() ? unlock : status;
}

int LatestSchemaVersion() { return Migrations().back().version; }

}  // namespace leadterra::store::postgres
