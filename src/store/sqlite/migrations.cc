#include "store/sqlite/migrations.h"

#include <string>
#include <vector>

#include "store/sql/migrator.h"

namespace leadterra::store::sqlite {
namespace {

// Append only: never edit a migration that has shipped.
const std::vector<sql::Migration>& Migrations() {
  static const std::vector<sql::Migration> kMigrations = {
      {1, R"sql(
CREATE TABLE workspaces (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  deleted_at INTEGER
);
CREATE TABLE api_keys (
  workspace_id TEXT NOT NULL REFERENCES workspaces(id),
  id TEXT NOT NULL,
  name TEXT NOT NULL,
  key_hash TEXT NOT NULL UNIQUE,
  prefix TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  revoked_at INTEGER,
  PRIMARY KEY (workspace_id, id)
);
CREATE TABLE campaigns (
  workspace_id TEXT NOT NULL REFERENCES workspaces(id),
  id TEXT NOT NULL,
  name TEXT NOT NULL,
  status TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  started_at INTEGER,
  deleted_at INTEGER,
  PRIMARY KEY (workspace_id, id)
);
CREATE INDEX campaigns_by_status ON campaigns(workspace_id, status, id);
CREATE TABLE campaign_steps (
  workspace_id TEXT NOT NULL,
  campaign_id TEXT NOT NULL,
  step_index INTEGER NOT NULL,
  delay_days REAL NOT NULL,
  subject TEXT NOT NULL,
  body_html TEXT NOT NULL,
  PRIMARY KEY (workspace_id, campaign_id, step_index),
  FOREIGN KEY (workspace_id, campaign_id) REFERENCES campaigns(workspace_id, id)
);
CREATE TABLE idempotency_keys (
  workspace_id TEXT NOT NULL,
  idem_key TEXT NOT NULL,
  request_hash TEXT NOT NULL,
  status INTEGER,
  body TEXT,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (workspace_id, idem_key)
);
)sql"},
      {2, R"sql(
CREATE TABLE leads (
  workspace_id TEXT NOT NULL REFERENCES workspaces(id),
  email_norm TEXT NOT NULL,
  id TEXT NOT NULL,
  email TEXT NOT NULL,
  first_name TEXT,
  last_name TEXT,
  company TEXT,
  job_title TEXT,
  custom_fields TEXT NOT NULL DEFAULT '{}',
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (workspace_id, email_norm)
) WITHOUT ROWID;
CREATE UNIQUE INDEX leads_by_id ON leads(workspace_id, id);
CREATE TABLE enrollments (
  workspace_id TEXT NOT NULL,
  campaign_id TEXT NOT NULL,
  lead_id TEXT NOT NULL,
  status TEXT NOT NULL,
  current_step INTEGER NOT NULL DEFAULT 0,
  next_send_at INTEGER,
  last_sent_at INTEGER,
  enrolled_at INTEGER NOT NULL,
  PRIMARY KEY (workspace_id, campaign_id, lead_id)
) WITHOUT ROWID;
-- Leads enter as 'queued'; only later states are indexed, which keeps bulk
-- enrollment cheap. Listing queued leads walks the primary key.
CREATE INDEX enrollments_by_status ON enrollments(workspace_id, campaign_id, status, lead_id)
  WHERE status != 'queued';
CREATE TABLE campaign_stats (
  workspace_id TEXT NOT NULL,
  campaign_id TEXT NOT NULL,
  enrolled INTEGER NOT NULL DEFAULT 0,
  queued INTEGER NOT NULL DEFAULT 0,
  delivered INTEGER NOT NULL DEFAULT 0,
  bounced INTEGER NOT NULL DEFAULT 0,
  replied INTEGER NOT NULL DEFAULT 0,
  unsubscribed INTEGER NOT NULL DEFAULT 0,
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (workspace_id, campaign_id)
) WITHOUT ROWID;
INSERT INTO campaign_stats(workspace_id, campaign_id, updated_at)
  SELECT workspace_id, id, updated_at FROM campaigns;
CREATE TABLE custom_field_keys (
  workspace_id TEXT NOT NULL,
  field_key TEXT NOT NULL,
  PRIMARY KEY (workspace_id, field_key)
) WITHOUT ROWID;
)sql"},
      {3, R"sql(
CREATE TABLE mailboxes (
  workspace_id TEXT NOT NULL REFERENCES workspaces(id),
  id TEXT NOT NULL,
  email TEXT NOT NULL,
  from_name TEXT NOT NULL,
  smtp_host TEXT NOT NULL,
  smtp_port INTEGER NOT NULL,
  smtp_username TEXT NOT NULL,
  smtp_password TEXT NOT NULL,
  smtp_security TEXT NOT NULL,
  imap_host TEXT,
  imap_port INTEGER,
  imap_username TEXT,
  imap_password TEXT,
  imap_security TEXT,
  imap_poll_seconds INTEGER NOT NULL DEFAULT 60,
  daily_limit INTEGER NOT NULL,
  status TEXT NOT NULL,
  last_error TEXT NOT NULL DEFAULT '',
  verified_at INTEGER,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  deleted_at INTEGER,
  PRIMARY KEY (workspace_id, id)
);
CREATE TABLE mailbox_usage (
  workspace_id TEXT NOT NULL,
  mailbox_id TEXT NOT NULL,
  day TEXT NOT NULL,
  sent INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (workspace_id, mailbox_id, day)
) WITHOUT ROWID;
-- One row per (lead, step): the unique key is what makes a second send of a
-- step impossible, whatever the engine does.
CREATE TABLE messages (
  workspace_id TEXT NOT NULL,
  id TEXT NOT NULL,
  campaign_id TEXT NOT NULL,
  lead_id TEXT NOT NULL,
  step_index INTEGER NOT NULL,
  mailbox_id TEXT NOT NULL,
  message_id_header TEXT NOT NULL,
  subject TEXT NOT NULL DEFAULT '',
  status TEXT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  smtp_code INTEGER,
  smtp_reply TEXT,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  sent_at INTEGER,
  PRIMARY KEY (workspace_id, id),
  UNIQUE (workspace_id, campaign_id, lead_id, step_index)
);
CREATE INDEX messages_in_flight ON messages(status) WHERE status IN ('claimed', 'sending');
ALTER TABLE enrollments ADD COLUMN mailbox_id TEXT;
CREATE INDEX enrollments_due ON enrollments(workspace_id, campaign_id, next_send_at)
  WHERE status = 'queued' AND next_send_at IS NOT NULL;
ALTER TABLE campaign_stats ADD COLUMN unknown INTEGER NOT NULL DEFAULT 0;
ALTER TABLE campaign_stats ADD COLUMN completed INTEGER NOT NULL DEFAULT 0;
)sql"},
      {4, R"sql(
CREATE TABLE webhooks (
  workspace_id TEXT NOT NULL REFERENCES workspaces(id),
  id TEXT NOT NULL,
  url TEXT NOT NULL,
  events TEXT NOT NULL,
  description TEXT,
  secret TEXT NOT NULL,
  status TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  last_success_at INTEGER,
  failing_since INTEGER,
  deleted_at INTEGER,
  PRIMARY KEY (workspace_id, id)
);
-- Which live endpoints want which event type: the fan-out at emit time.
CREATE TABLE webhook_subscriptions (
  workspace_id TEXT NOT NULL,
  event_type TEXT NOT NULL,
  webhook_id TEXT NOT NULL,
  PRIMARY KEY (workspace_id, event_type, webhook_id)
) WITHOUT ROWID;
-- The outbox: written in the transaction of the change that caused the event.
CREATE TABLE webhook_events (
  workspace_id TEXT NOT NULL,
  id TEXT NOT NULL,
  type TEXT NOT NULL,
  data TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (workspace_id, id)
);
CREATE TABLE webhook_deliveries (
  workspace_id TEXT NOT NULL,
  webhook_id TEXT NOT NULL,
  event_id TEXT NOT NULL,
  status TEXT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER,
  lease_until INTEGER,
  created_at INTEGER NOT NULL,
  delivered_at INTEGER,
  PRIMARY KEY (workspace_id, webhook_id, event_id)
) WITHOUT ROWID;
CREATE INDEX webhook_deliveries_due ON webhook_deliveries(workspace_id, webhook_id, next_attempt_at)
  WHERE status = 'pending';
CREATE TABLE webhook_attempts (
  workspace_id TEXT NOT NULL,
  webhook_id TEXT NOT NULL,
  event_id TEXT NOT NULL,
  attempt INTEGER NOT NULL,
  attempted_at INTEGER NOT NULL,
  status_code INTEGER,
  latency_ms INTEGER NOT NULL,
  error TEXT,
  PRIMARY KEY (workspace_id, webhook_id, event_id, attempt)
) WITHOUT ROWID;
)sql"},
      {5, R"sql(
ALTER TABLE campaigns ADD COLUMN stop_on_reply TEXT NOT NULL DEFAULT 'lead';
ALTER TABLE mailboxes ADD COLUMN last_polled_at INTEGER;
-- Where IMAP polling resumes: UIDs are only meaningful for one server account
-- and one UIDVALIDITY.
ALTER TABLE mailboxes ADD COLUMN imap_cursor_account TEXT;
ALTER TABLE mailboxes ADD COLUMN imap_uidvalidity INTEGER;
ALTER TABLE mailboxes ADD COLUMN imap_last_uid INTEGER NOT NULL DEFAULT 0;
CREATE INDEX messages_by_header ON messages(workspace_id, message_id_header);
CREATE INDEX messages_by_lead ON messages(workspace_id, lead_id, campaign_id);
-- Mail read back from a mailbox that concerns a lead: replies, auto-replies,
-- delivery status notifications. Unrelated inbox mail is not stored.
CREATE TABLE inbound_messages (
  workspace_id TEXT NOT NULL,
  id TEXT NOT NULL,
  mailbox_id TEXT NOT NULL,
  uidvalidity INTEGER NOT NULL,
  uid INTEGER NOT NULL,
  kind TEXT NOT NULL,
  campaign_id TEXT NOT NULL,
  lead_id TEXT NOT NULL,
  message_row_id TEXT NOT NULL,
  from_addr TEXT NOT NULL,
  subject TEXT NOT NULL,
  message_id_header TEXT NOT NULL,
  snippet TEXT NOT NULL,
  dsn_status TEXT,
  smtp_code INTEGER,
  diagnostic TEXT,
  received_at INTEGER NOT NULL,
  PRIMARY KEY (workspace_id, id),
  UNIQUE (workspace_id, mailbox_id, uidvalidity, uid)
);
CREATE INDEX inbound_by_lead ON inbound_messages(workspace_id, lead_id, campaign_id);
CREATE INDEX inbound_by_header ON inbound_messages(workspace_id, mailbox_id, message_id_header);
)sql"},
      {6, R"sql(
-- Addresses (normalized) and whole domains a workspace must never mail.
CREATE TABLE suppressions (
  workspace_id TEXT NOT NULL,
  value TEXT NOT NULL,
  kind TEXT NOT NULL,
  reason TEXT NOT NULL,
  source TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (workspace_id, value)
) WITHOUT ROWID;
)sql"},
      {7, R"sql(
-- Delivery settings per workspace; no row means the defaults.
CREATE TABLE delivery_settings (
  workspace_id TEXT NOT NULL PRIMARY KEY,
  daily_limit INTEGER,
  timezone TEXT NOT NULL,
  window_days TEXT,
  window_start INTEGER,
  window_end INTEGER,
  min_gap_seconds INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
) WITHOUT ROWID;
-- A lead's own IANA zone: the sending window applies in it.
ALTER TABLE leads ADD COLUMN timezone TEXT;
-- Pacing: when a mailbox may send again (minGapSeconds).
ALTER TABLE mailboxes ADD COLUMN next_send_after INTEGER NOT NULL DEFAULT 0;
-- A due lead held back by the window, a daily limit, pacing or a paused
-- mailbox; released (due again at once) when those settings change.
ALTER TABLE enrollments ADD COLUMN held INTEGER NOT NULL DEFAULT 0;
CREATE INDEX enrollments_held ON enrollments(workspace_id) WHERE held = 1;
-- The workspace daily limit sums one local day over all mailboxes.
CREATE INDEX mailbox_usage_by_day ON mailbox_usage(workspace_id, day);
)sql"},
      {8, R"sql(
-- DKIM keys; the newest active key of a domain signs its mail.
CREATE TABLE dkim_keys (
  workspace_id TEXT NOT NULL,
  id TEXT NOT NULL,
  domain TEXT NOT NULL,
  selector TEXT NOT NULL,
  private_key_sealed TEXT NOT NULL,
  public_key TEXT NOT NULL,
  active INTEGER NOT NULL DEFAULT 1,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (workspace_id, id),
  UNIQUE (workspace_id, domain, selector)
) WITHOUT ROWID;
)sql"},
      {9, R"sql(
-- Bounce protection, and why the engine paused a campaign by itself.
ALTER TABLE campaigns ADD COLUMN bounce_protection INTEGER NOT NULL DEFAULT 1;
ALTER TABLE campaigns ADD COLUMN bounce_max_rate REAL NOT NULL DEFAULT 0.05;
ALTER TABLE campaigns ADD COLUMN bounce_min_sends INTEGER NOT NULL DEFAULT 50;
ALTER TABLE campaigns ADD COLUMN pause_reason TEXT;
ALTER TABLE campaigns ADD COLUMN pause_message TEXT;
ALTER TABLE campaigns ADD COLUMN pause_at INTEGER;
-- Sends and bounces counted when the campaign last started: the bounce rate
-- is measured from there, so a resumed campaign gets a fresh window.
ALTER TABLE campaigns ADD COLUMN bounce_base_sends INTEGER NOT NULL DEFAULT 0;
ALTER TABLE campaigns ADD COLUMN bounce_base_bounced INTEGER NOT NULL DEFAULT 0;
)sql"},
      {10, R"sql(
-- Leases: the process that claimed a send or took an IMAP poll holds it
-- until then; after that its work may be resolved or taken over.
ALTER TABLE messages ADD COLUMN lease_until INTEGER NOT NULL DEFAULT 0;
ALTER TABLE messages ADD COLUMN lease_owner TEXT;
ALTER TABLE mailboxes ADD COLUMN imap_lease_until INTEGER NOT NULL DEFAULT 0;
)sql"},
      {11, R"sql(
-- Lists filtered by a rare value read their own index range instead of
-- walking the primary key: deliveries by status, suppressions by type.
CREATE INDEX webhook_deliveries_by_status
  ON webhook_deliveries(workspace_id, webhook_id, status, event_id);
CREATE INDEX suppressions_by_kind ON suppressions(workspace_id, kind, value);
-- stopOnReply "company": a domain's leads (an address has exactly one '@');
-- with the id, so the look-up needs no visit to the table (and SQLite,
-- without statistics, prefers it to scanning leads_by_id).
CREATE INDEX leads_by_domain
  ON leads(workspace_id, substr(email_norm, instr(email_norm, '@') + 1), id);
)sql"},
      {12, R"sql(
-- Dashboard sessions (SPEC §14): only the cookie token's SHA-256 is kept.
CREATE TABLE sessions (
  token_hash TEXT PRIMARY KEY,
  workspace_id TEXT NOT NULL,
  key_id TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  last_seen_at INTEGER NOT NULL
);
CREATE INDEX sessions_by_key ON sessions(workspace_id, key_id);
CREATE INDEX sessions_by_last_seen ON sessions(last_seen_at);
)sql"},
      {13, R"sql(
-- A campaign's counters become the sum of its rows (shards): the sending
-- engine adds its outcomes to the sending mailbox's shard, so mailboxes
-- sending side by side do not queue for one row lock.
CREATE TABLE campaign_stats_sharded (
  workspace_id TEXT NOT NULL,
  campaign_id TEXT NOT NULL,
  shard INTEGER NOT NULL DEFAULT 0,
  enrolled INTEGER NOT NULL DEFAULT 0,
  queued INTEGER NOT NULL DEFAULT 0,
  delivered INTEGER NOT NULL DEFAULT 0,
  bounced INTEGER NOT NULL DEFAULT 0,
  replied INTEGER NOT NULL DEFAULT 0,
  unsubscribed INTEGER NOT NULL DEFAULT 0,
  updated_at INTEGER NOT NULL,
  unknown INTEGER NOT NULL DEFAULT 0,
  completed INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (workspace_id, campaign_id, shard)
) WITHOUT ROWID;
INSERT INTO campaign_stats_sharded(workspace_id, campaign_id, shard, enrolled, queued, delivered,
                                   bounced, replied, unsubscribed, updated_at, unknown, completed)
  SELECT workspace_id, campaign_id, 0, enrolled, queued, delivered, bounced, replied,
         unsubscribed, updated_at, unknown, completed FROM campaign_stats;
DROP TABLE campaign_stats;
ALTER TABLE campaign_stats_sharded RENAME TO campaign_stats;
-- Analytics (SPEC §10): counters per campaign, step, variant and 15-minute
-- UTC slot, kept in the transactions that record each outcome.
CREATE TABLE campaign_activity (
  workspace_id TEXT NOT NULL,
  campaign_id TEXT NOT NULL,
  slot_start INTEGER NOT NULL,
  step_number INTEGER NOT NULL,
  variant_id TEXT NOT NULL,
  shard INTEGER NOT NULL DEFAULT 0,
  sent INTEGER NOT NULL DEFAULT 0,
  delivered INTEGER NOT NULL DEFAULT 0,
  bounced INTEGER NOT NULL DEFAULT 0,
  replied INTEGER NOT NULL DEFAULT 0,
  unsubscribed INTEGER NOT NULL DEFAULT 0,
  opened INTEGER NOT NULL DEFAULT 0,
  clicked INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (workspace_id, campaign_id, slot_start, step_number, variant_id, shard)
) WITHOUT ROWID;
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
  workspace_id TEXT NOT NULL,
  hour_start INTEGER NOT NULL,
  mailbox_id TEXT NOT NULL,
  sent INTEGER NOT NULL DEFAULT 0,
  delivered INTEGER NOT NULL DEFAULT 0,
  bounced INTEGER NOT NULL DEFAULT 0,
  replied INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (workspace_id, hour_start, mailbox_id)
) WITHOUT ROWID;
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
      {14, R"sql(
-- A/B variants (SPEC §11): a step's versions, its winner, the campaign's
-- test settings, the variant each message got, and per-variant counters
-- (sharded like campaign_stats) that the winner rule and stats read.
ALTER TABLE campaigns ADD COLUMN ab_auto_select INTEGER NOT NULL DEFAULT 0;
ALTER TABLE campaigns ADD COLUMN ab_min_sends INTEGER NOT NULL DEFAULT 100;
ALTER TABLE campaigns ADD COLUMN ab_confidence REAL NOT NULL DEFAULT 0.95;
ALTER TABLE campaign_steps ADD COLUMN winner_variant_id TEXT NOT NULL DEFAULT '';
ALTER TABLE campaign_steps ADD COLUMN winner_selected_at INTEGER;
CREATE TABLE campaign_step_variants (
  workspace_id TEXT NOT NULL,
  campaign_id TEXT NOT NULL,
  step_index INTEGER NOT NULL,
  position INTEGER NOT NULL,
  id TEXT NOT NULL,
  label TEXT NOT NULL,
  subject TEXT NOT NULL,
  body_html TEXT NOT NULL,
  weight INTEGER NOT NULL,
  PRIMARY KEY (workspace_id, campaign_id, step_index, position)
) WITHOUT ROWID;
ALTER TABLE messages ADD COLUMN variant_id TEXT NOT NULL DEFAULT '';
CREATE TABLE variant_stats (
  workspace_id TEXT NOT NULL,
  campaign_id TEXT NOT NULL,
  step_number INTEGER NOT NULL,
  variant_id TEXT NOT NULL,
  shard INTEGER NOT NULL DEFAULT 0,
  sent INTEGER NOT NULL DEFAULT 0,
  delivered INTEGER NOT NULL DEFAULT 0,
  bounced INTEGER NOT NULL DEFAULT 0,
  replied INTEGER NOT NULL DEFAULT 0,
  unsubscribed INTEGER NOT NULL DEFAULT 0,
  opened INTEGER NOT NULL DEFAULT 0,
  clicked INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (workspace_id, campaign_id, step_number, variant_id, shard)
) WITHOUT ROWID;
)sql"},
      {15, R"sql(
-- Open and click tracking (SPEC §13): the campaign's switches, each
-- message's first open and click by a person and by a machine (unique
-- counts), and the counters stats read.
ALTER TABLE campaigns ADD COLUMN track_opens INTEGER NOT NULL DEFAULT 0;
ALTER TABLE campaigns ADD COLUMN track_clicks INTEGER NOT NULL DEFAULT 0;
ALTER TABLE messages ADD COLUMN opened_at INTEGER;
ALTER TABLE messages ADD COLUMN clicked_at INTEGER;
ALTER TABLE messages ADD COLUMN machine_opened_at INTEGER;
ALTER TABLE messages ADD COLUMN machine_clicked_at INTEGER;
ALTER TABLE campaign_stats ADD COLUMN opened INTEGER NOT NULL DEFAULT 0;
ALTER TABLE campaign_stats ADD COLUMN clicked INTEGER NOT NULL DEFAULT 0;
ALTER TABLE campaign_stats ADD COLUMN machine_opened INTEGER NOT NULL DEFAULT 0;
ALTER TABLE campaign_stats ADD COLUMN machine_clicked INTEGER NOT NULL DEFAULT 0;
)sql"},
      {16, R"sql(
-- Leads across campaigns and the reply inbox (SPEC §12).
-- A lead deleted by DELETE /v1/leads/:id (without erasure) leaves lists and
-- search; importing its address again brings it back.
ALTER TABLE leads ADD COLUMN deleted_at INTEGER;
-- Search by prefix (lower case) of "first last", of the last name and of the
-- company; the address has the primary key.
CREATE INDEX leads_by_name ON leads(workspace_id,
  lower(trim(coalesce(first_name, '') || ' ' || coalesce(last_name, ''))), id);
CREATE INDEX leads_by_last_name ON leads(workspace_id, lower(last_name), id);
CREATE INDEX leads_by_company ON leads(workspace_id, lower(company), id);
-- The inbox: replies, auto-replies and unsubscribe requests, with a label,
-- read state and the whole text. Ids become inb_.
ALTER TABLE inbound_messages ADD COLUMN label TEXT;
ALTER TABLE inbound_messages ADD COLUMN read_at INTEGER;
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
  workspace_id TEXT NOT NULL,
  label TEXT NOT NULL,
  total INTEGER NOT NULL DEFAULT 0,
  unread INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (workspace_id, label)
) WITHOUT ROWID;
INSERT INTO inbox_counters(workspace_id, label, total, unread)
  SELECT workspace_id, coalesce(label, ''), count(*), count(*) FROM inbound_messages
  WHERE kind IN ('reply', 'auto_reply', 'unsubscribe') GROUP BY workspace_id, coalesce(label, '');
-- Answers a person sent from the inbox (POST /v1/inbox/:id/reply).
CREATE TABLE answers (
  workspace_id TEXT NOT NULL,
  id TEXT NOT NULL,
  inbound_id TEXT NOT NULL,
  campaign_id TEXT NOT NULL,
  lead_id TEXT NOT NULL,
  mailbox_id TEXT NOT NULL,
  message_row_id TEXT NOT NULL,
  message_id_header TEXT NOT NULL,
  subject TEXT NOT NULL,
  body_html TEXT NOT NULL,
  status TEXT NOT NULL,
  smtp_code INTEGER,
  smtp_reply TEXT,
  created_at INTEGER NOT NULL,
  sent_at INTEGER,
  PRIMARY KEY (workspace_id, id)
);
CREATE INDEX answers_by_lead ON answers(workspace_id, lead_id, campaign_id);
CREATE INDEX answers_by_header ON answers(workspace_id, message_id_header);
-- Which lead an event is about, so erasure finds its payloads.
ALTER TABLE webhook_events ADD COLUMN lead_id TEXT;
UPDATE webhook_events SET lead_id = json_extract(data, '$.leadId');
CREATE INDEX webhook_events_by_lead ON webhook_events(workspace_id, lead_id)
  WHERE lead_id IS NOT NULL;
)sql"},
  };
  return kMigrations;
}

}  // namespace

Status ApplyMigrations(sql::Connection& conn) {
  return sql::ApplyMigrations(conn, Migrations(),
                              "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER "
                              "PRIMARY KEY, applied_at INTEGER NOT NULL DEFAULT (unixepoch()))");
}

int LatestSchemaVersion() { return Migrations().back().version; }

}  // namespace leadterra::store::sqlite
