import { useEffect, useRef, useState } from 'preact/hooks';
import { Link, useLocation } from 'wouter-preact';
import { get, newIdempotencyKey, post, seg } from '../api.js';
import { usePaged, usePoll, useQueryParam, useTitle } from '../hooks.js';
import { fmtDate, fmtNum, fmtRate } from '../format.js';
import { PageHeader } from '../components/PageHeader.jsx';
import { DataTable } from '../components/DataTable.jsx';
import { EmptyState } from '../components/EmptyState.jsx';
import { Field } from '../components/Field.jsx';
import { ErrorBanner } from '../components/ErrorBanner.jsx';
import { StatusBadge } from '../components/StatusBadge.jsx';

const STATUSES = [
  ['', 'All'],
  ['draft', 'Draft'],
  ['running', 'Running'],
  ['paused', 'Paused'],
];

function NewCampaign({ onCancel }) {
  const [, navigate] = useLocation();
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const nameRef = useRef(null);
  const key = useRef(newIdempotencyKey());
  useEffect(() => nameRef.current?.focus(), []);
  const submit = async (e) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const r = await post('/v1/campaigns', { name: nameRef.current.value }, { idempotencyKey: key.current });
      navigate(`/campaigns/${seg(r.data.id)}/edit`);
    } catch (err) {
      setError(err);
      setBusy(false);
      key.current = newIdempotencyKey();
    }
  };
  return (
    <form class="card inline-form" onSubmit={submit} aria-labelledby="new-campaign-title" noValidate>
      <h2 id="new-campaign-title" class="visually-hidden">
        New campaign
      </h2>
      <Field label="Campaign name" param="name" error={error} hint="You can change it later.">
        <input ref={nameRef} type="text" name="name" maxLength={200} required placeholder="e.g. VP Sales — Q3 outreach" />
      </Field>
      <div class="btn-row">
        <button type="submit" class="btn btn-primary" disabled={busy}>
          {busy ? 'Creating…' : 'Create and edit steps'}
        </button>
        <button type="button" class="btn" onClick={onCancel}>
          Cancel
        </button>
      </div>
      {error && !error.param && <ErrorBanner error={error} />}
    </form>
  );
}

/** Stats of the campaigns on screen, fetched in parallel and refreshed. */
function useStats(rows) {
  const [stats, setStats] = useState({});
  const ids = rows.map((r) => r.id).join(',');
  const load = () => {
    if (!rows.length) return;
    Promise.all(
      rows.map((r) =>
        get(`/v1/campaigns/${seg(r.id)}/stats`).then(
          (x) => [r.id, x.data],
          () => [r.id, null],
        ),
      ),
    ).then((pairs) => setStats((old) => ({ ...old, ...Object.fromEntries(pairs.filter(([, v]) => v)) })));
  };
  useEffect(load, [ids]);
  usePoll(load, 10000, [ids]);
  return stats;
}

export default function Campaigns() {
  useTitle('Campaigns');
  const [status, setStatus] = useQueryParam('status', '');
  const [creating, setCreating] = useQueryParam('new', '');
  const list = usePaged((cursor) => get('/v1/campaigns', { status, cursor, limit: 25 }), [status]);
  const stats = useStats(list.rows);
  const s = (id) => stats[id];
  const columns = [
    {
      key: 'name',
      label: 'Campaign',
      render: (c) => (
        <>
          <Link href={`/campaigns/${seg(c.id)}`} class="cell-main">
            {c.name}
          </Link>
          <span class="cell-sub">
            {c.sequenceSteps.length === 1 ? '1 step' : `${c.sequenceSteps.length} steps`} · created {fmtDate(c.createdAt)}
          </span>
        </>
      ),
    },
    { key: 'status', label: 'Status', render: (c) => <StatusBadge status={c.status} /> },
    { key: 'enrolled', label: 'Enrolled', numeric: true, render: (c) => fmtNum(s(c.id)?.enrolledLeads) },
    { key: 'delivered', label: 'Delivered', numeric: true, render: (c) => fmtNum(s(c.id)?.metrics.delivered) },
    { key: 'replied', label: 'Replied', numeric: true, render: (c) => fmtNum(s(c.id)?.metrics.replied) },
    { key: 'replyRate', label: 'Reply rate', numeric: true, render: (c) => fmtRate(s(c.id)?.metrics.replyRate) },
  ];
  const empty = status ? (
    <EmptyState title={`No ${status} campaigns.`} action={<button class="btn" type="button" onClick={() => setStatus('')}>Show all campaigns</button>}>
      Campaigns with another status are hidden by the filter.
    </EmptyState>
  ) : (
    <EmptyState
      title="No campaigns yet."
      action={
        <button type="button" class="btn btn-primary" onClick={() => setCreating('1')}>
          New campaign
        </button>
      }
    >
      Create a campaign, write its steps, import leads from a CSV file, add a mailbox and start sending.
    </EmptyState>
  );
  return (
    <section>
      <PageHeader
        title="Campaigns"
        subtitle="Sequences of emails sent to your leads, with their results."
        actions={
          !creating && (
            <button type="button" class="btn btn-primary" onClick={() => setCreating('1')}>
              New campaign
            </button>
          )
        }
      />
      {creating && <NewCampaign onCancel={() => setCreating('')} />}
      <div class="filters">
        <Field label="Status">
          <select value={status} onChange={(e) => setStatus(e.currentTarget.value)}>
            {STATUSES.map(([v, l]) => (
              <option key={v} value={v}>
                {l}
              </option>
            ))}
          </select>
        </Field>
      </div>
      <DataTable
        caption="Campaigns"
        columns={columns}
        rows={list.rows}
        loading={list.loading}
        error={list.error}
        onRetry={list.reload}
        hasMore={!!list.nextCursor}
        onMore={list.loadMore}
        empty={empty}
      />
    </section>
  );
}
