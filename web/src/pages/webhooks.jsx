import { useEffect, useRef, useState } from 'preact/hooks';
import { del, get, newIdempotencyKey, post, seg } from '../api.js';
import { usePaged, useQueryParam, useTitle } from '../hooks.js';
import { fmtDate, fmtShort } from '../format.js';
import { useNotify } from '../context.js';
import { PageHeader } from '../components/PageHeader.jsx';
import { Field, errorFor } from '../components/Field.jsx';
import { ErrorBanner } from '../components/ErrorBanner.jsx';
import { EmptyState } from '../components/EmptyState.jsx';
import { DataTable } from '../components/DataTable.jsx';
import { SecretOnce } from '../components/Confirm.jsx';

const EVENTS = [
  ['campaign.started', 'A campaign starts'],
  ['campaign.paused', 'A campaign pauses'],
  ['message.sent', 'A message is delivered to the recipient server'],
  ['message.bounced', 'A message bounces'],
  ['message.replied', 'A lead replies'],
  ['lead.labeled', 'A reply gets a label (from the inbox, or on arrival)'],
  ['lead.unsubscribed', 'A lead unsubscribes'],
  ['step.winner_selected', 'An A/B test picks a winning variant'],
  ['message.opened', 'A person opens a message (tracking on)'],
  ['message.clicked', 'A person clicks a link (tracking on)'],
];

function CreateForm({ onCreated, onCancel }) {
  const [url, setUrl] = useState('');
  const [description, setDescription] = useState('');
  const [events, setEvents] = useState(EVENTS.map(([e]) => e));
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const first = useRef(null);
  const key = useRef(newIdempotencyKey());
  useEffect(() => first.current?.focus(), []);
  const toggle = (e) => setEvents(events.includes(e) ? events.filter((x) => x !== e) : events.concat(e));
  const submit = async (ev) => {
    ev.preventDefault();
    setBusy(true);
    setError(null);
    const body = { url: url.trim(), events };
    if (description.trim()) body.description = description.trim();
    try {
      const r = await post('/v1/webhooks', body, { idempotencyKey: key.current });
      onCreated(r.data);
    } catch (err) {
      setError(err);
      key.current = newIdempotencyKey();
      setBusy(false);
    }
  };
  return (
    <form class="card form" onSubmit={submit} aria-labelledby="whk-new" noValidate>
      <h2 id="whk-new">Add an endpoint</h2>
      {error && <ErrorBanner error={error} title="Not created:" />}
      <Field label="Endpoint URL" param="url" error={error} hint="Leadterra POSTs signed JSON events to it (http or https).">
        <input ref={first} type="url" value={url} onInput={(e) => setUrl(e.currentTarget.value)} placeholder="https://example.com/hooks/leadterra" required />
      </Field>
      <Field label="Description (optional)" param="description" error={error}>
        <input type="text" maxLength={500} value={description} onInput={(e) => setDescription(e.currentTarget.value)} />
      </Field>
      <fieldset>
        <legend>Events to send</legend>
        <div class="checks checks-column">
          {EVENTS.map(([e, l]) => (
            <label key={e}>
              <input type="checkbox" checked={events.includes(e)} onChange={() => toggle(e)} />
              <code>{e}</code> <span class="muted">— {l}</span>
            </label>
          ))}
        </div>
        {errorFor(error, 'events') && <p class="field-error">{error.message}</p>}
      </fieldset>
      <div class="btn-row">
        <button type="submit" class="btn btn-primary" disabled={busy || events.length === 0}>
          {busy ? 'Adding…' : 'Add endpoint'}
        </button>
        <button type="button" class="btn" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}

function Deliveries({ webhook, onClose }) {
  const [status, setStatus] = useQueryParam('deliveryStatus', '');
  const heading = useRef(null);
  const list = usePaged((cursor) => get(`/v1/webhooks/${seg(webhook.id)}/deliveries`, { status, cursor, limit: 50 }), [webhook.id, status]);
  useEffect(() => heading.current?.focus(), [webhook.id]);
  const columns = [
    { key: 'eventType', label: 'Event', render: (d) => <code>{d.eventType}</code> },
    { key: 'status', label: 'Status', render: (d) => <span class={`badge badge-${d.status}`}>{d.status}</span> },
    { key: 'code', label: 'HTTP status', numeric: true, render: (d) => d.lastStatusCode ?? '—' },
    { key: 'attempts', label: 'Attempts', numeric: true, render: (d) => d.attemptCount },
    { key: 'createdAt', label: 'Created', render: (d) => fmtShort(d.createdAt) },
    {
      key: 'next',
      label: 'Delivered / next try',
      render: (d) => (d.deliveredAt ? fmtShort(d.deliveredAt) : d.nextAttemptAt ? `retry ${fmtShort(d.nextAttemptAt)}` : '—'),
    },
    { key: 'error', label: 'Last error', render: (d) => d.lastError || '—' },
  ];
  return (
    <section class="card" aria-labelledby="deliveries-title">
      <div class="card-header">
        <h2 id="deliveries-title" tabIndex={-1} ref={heading} class="wrap-anywhere">
          Delivery log: {webhook.url}
        </h2>
        <div class="btn-row">
          <button type="button" class="btn btn-small" onClick={list.reload}>
            Refresh
          </button>
          <button type="button" class="btn btn-small" onClick={onClose}>
            Close log
          </button>
        </div>
      </div>
      <div class="filters">
        <Field label="Delivery status">
          <select value={status} onChange={(e) => setStatus(e.currentTarget.value)}>
            <option value="">All</option>
            <option value="pending">Pending</option>
            <option value="delivered">Delivered</option>
            <option value="failed">Failed</option>
          </select>
        </Field>
      </div>
      <DataTable
        caption="Deliveries to this endpoint"
        columns={columns}
        rows={list.rows}
        rowKey={(d) => d.eventId}
        loading={list.loading}
        error={list.error}
        onRetry={list.reload}
        hasMore={!!list.nextCursor}
        onMore={list.loadMore}
        empty={<EmptyState title="Nothing delivered yet.">Events appear here as they happen. Use “Send test” to try the endpoint now.</EmptyState>}
      />
    </section>
  );
}

export default function Webhooks() {
  useTitle('Webhooks');
  const notify = useNotify();
  const [creating, setCreating] = useQueryParam('new', '');
  const [logFor, setLogFor] = useQueryParam('webhook', '');
  const [created, setCreated] = useState(null);
  const [confirm, setConfirm] = useState(null);
  const [error, setError] = useState(null);
  const list = usePaged((cursor) => get('/v1/webhooks', { cursor, limit: 100 }), []);

  const onCreated = (w) => {
    const { secret, ...rest } = w;
    setCreated({ id: w.id, url: w.url, secret });
    list.setRows([rest].concat(list.rows));
    setCreating('');
  };
  const test = async (w) => {
    setError(null);
    try {
      const r = await post(`/v1/webhooks/${seg(w.id)}/test`, {});
      notify(`Test event ${r.data.eventId} queued for ${w.url}.`);
      setLogFor(w.id, { push: true });
    } catch (e) {
      setError(e);
    }
  };
  const remove = async (w) => {
    setError(null);
    try {
      await del(`/v1/webhooks/${seg(w.id)}`);
      list.setRows(list.rows.filter((x) => x.id !== w.id));
      if (logFor === w.id) setLogFor('');
      notify(`Endpoint ${w.url} deleted.`);
    } catch (e) {
      setError(e);
    }
    setConfirm(null);
  };
  const current = list.rows.find((w) => w.id === logFor);
  const columns = [
    {
      key: 'url',
      label: 'Endpoint',
      render: (w) => (
        <>
          <span class="cell-main wrap-anywhere">{w.url}</span>
          {w.description && <span class="cell-sub">{w.description}</span>}
        </>
      ),
    },
    { key: 'events', label: 'Events', render: (w) => w.events.join(', ') },
    {
      key: 'status',
      label: 'Status',
      render: (w) => (
        <>
          <span class={`badge badge-${w.status}`}>{w.status}</span>
          <span class="cell-sub">{w.failingSince ? `failing since ${fmtShort(w.failingSince)}` : w.lastSuccessAt ? `last OK ${fmtShort(w.lastSuccessAt)}` : 'no delivery yet'}</span>
        </>
      ),
    },
    {
      key: 'actions',
      label: 'Actions',
      render: (w) =>
        confirm === w.id ? (
          <div class="btn-row">
            <button type="button" class="btn btn-small btn-danger-solid" onClick={() => remove(w)}>
              Delete endpoint
            </button>
            <button type="button" class="btn btn-small" onClick={() => setConfirm(null)}>
              Keep
            </button>
          </div>
        ) : (
          <div class="btn-row">
            <button type="button" class="btn btn-small" onClick={() => setLogFor(w.id, { push: true })} aria-label={`Delivery log of ${w.url}`}>
              Delivery log
            </button>
            <button type="button" class="btn btn-small" onClick={() => test(w)} aria-label={`Send test to ${w.url}`}>
              Send test
            </button>
            <button type="button" class="btn btn-small btn-danger" onClick={() => setConfirm(w.id)} aria-label={`Delete ${w.url}`}>
              Delete
            </button>
          </div>
        ),
    },
  ];
  return (
    <section>
      <PageHeader
        title="Webhooks"
        subtitle="Endpoints that receive events as they happen, signed with the endpoint's secret (header Leadterra-Signature)."
        actions={
          !creating && (
            <button type="button" class="btn btn-primary" onClick={() => setCreating('1')}>
              Add endpoint
            </button>
          )
        }
      />
      {created && (
        <SecretOnce title="Endpoint added." secret={created.secret} testId="webhook-secret" copyLabel="Copy secret" onDone={() => setCreated(null)}>
          This is its signing secret. It is shown only now: store it where your endpoint can read it.
        </SecretOnce>
      )}
      {creating && <CreateForm onCreated={onCreated} onCancel={() => setCreating('')} />}
      {error && <ErrorBanner error={error} />}
      <DataTable
        caption="Webhook endpoints"
        columns={columns}
        rows={list.rows}
        loading={list.loading}
        error={list.error}
        onRetry={list.reload}
        hasMore={!!list.nextCursor}
        onMore={list.loadMore}
        empty={
          <EmptyState
            title="No webhook endpoints."
            action={
              !creating && (
                <button type="button" class="btn btn-primary" onClick={() => setCreating('1')}>
                  Add endpoint
                </button>
              )
            }
          >
            Add a URL to be told when messages are sent, bounce or get replies.
          </EmptyState>
        }
      />
      {current && <Deliveries key={current.id} webhook={current} onClose={() => setLogFor('', { push: true })} />}
    </section>
  );
}
