import { useState } from 'preact/hooks';
import { del, get, newIdempotencyKey, post, seg } from '../api.js';
import { usePaged, useQueryParam, useTitle } from '../hooks.js';
import { fmtDate, fmtNum } from '../format.js';
import { useNotify } from '../context.js';
import { PageHeader } from '../components/PageHeader.jsx';
import { Field } from '../components/Field.jsx';
import { ErrorBanner } from '../components/ErrorBanner.jsx';
import { EmptyState } from '../components/EmptyState.jsx';
import { DataTable } from '../components/DataTable.jsx';

const SOURCES = { api: 'Added by hand', unsubscribe_link: 'Unsubscribe link', unsubscribe_email: 'Unsubscribe email' };

function AddForm({ onAdded }) {
  const [text, setText] = useState('');
  const [reason, setReason] = useState('');
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e) => {
    e.preventDefault();
    const entries = text.split(/[\s,;]+/).map((s) => s.trim()).filter(Boolean);
    if (!entries.length) {
      setError({ message: 'Enter at least one address or domain.', param: 'entries' });
      return;
    }
    const emails = entries.filter((s) => s.includes('@') && !s.startsWith('@'));
    const domains = entries.filter((s) => !emails.includes(s));
    const body = {};
    if (emails.length) body.emails = emails;
    if (domains.length) body.domains = domains;
    if (reason.trim()) body.reason = reason.trim();
    setBusy(true);
    setError(null);
    try {
      const r = await post('/v1/suppressions', body, { idempotencyKey: newIdempotencyKey() });
      setText('');
      setReason('');
      onAdded(r.data);
    } catch (err) {
      const m = err.param && /^(emails|domains)\[(\d+)\]/.exec(err.param);
      if (m) err.message = `${(m[1] === 'emails' ? emails : domains)[Number(m[2])]}: ${err.message}`;
      setError({ ...err, message: err.message, param: err.param ? 'entries' : null });
    }
    setBusy(false);
  };
  return (
    <form class="card form" onSubmit={submit} aria-labelledby="sup-add" noValidate>
      <h2 id="sup-add">Add to the list</h2>
      {error && !error.param && <ErrorBanner error={error} />}
      <Field label="Addresses or domains" param="entries" error={error} hint="One per line (or separated by commas). A domain such as competitor.io blocks every address at it.">
        <textarea rows={4} value={text} onInput={(e) => setText(e.currentTarget.value)} />
      </Field>
      <Field label="Reason (optional)" param="reason" error={error}>
        <input type="text" maxLength={500} value={reason} onInput={(e) => setReason(e.currentTarget.value)} placeholder="e.g. asked not to be contacted" />
      </Field>
      <div>
        <button type="submit" class="btn btn-primary" disabled={busy}>
          {busy ? 'Adding…' : 'Add to suppressions'}
        </button>
      </div>
    </form>
  );
}

export default function Suppressions() {
  useTitle('Suppressions');
  const notify = useNotify();
  const [type, setType] = useQueryParam('type', '');
  const [q, setQ] = useQueryParam('q', '');
  const [error, setError] = useState(null);
  const list = usePaged((cursor) => get('/v1/suppressions', { type, cursor, limit: 200 }), [type]);
  const needle = q.trim().toLowerCase();
  const rows = needle ? list.rows.filter((s) => s.value.includes(needle) || (s.reason || '').toLowerCase().includes(needle)) : list.rows;
  const remove = async (s) => {
    setError(null);
    try {
      await del(`/v1/suppressions/${seg(s.value)}`);
      list.setRows(list.rows.filter((x) => x.value !== s.value));
      notify(`${s.value} removed: it can be mailed again.`);
    } catch (e) {
      setError(e);
    }
  };
  const columns = [
    { key: 'value', label: 'Address or domain', render: (s) => <span class="cell-main wrap-anywhere">{s.value}</span> },
    { key: 'type', label: 'Type' },
    { key: 'reason', label: 'Reason', render: (s) => s.reason || '—' },
    { key: 'source', label: 'Source', render: (s) => SOURCES[s.source] || s.source },
    { key: 'createdAt', label: 'Added', render: (s) => fmtDate(s.createdAt) },
    {
      key: 'actions',
      label: 'Actions',
      render: (s) => (
        <button type="button" class="btn btn-small btn-danger" onClick={() => remove(s)} aria-label={`Remove ${s.value} from the suppression list`}>
          Remove
        </button>
      ),
    },
  ];
  return (
    <section>
      <PageHeader title="Suppressions" subtitle="Addresses and domains that are never mailed, in any campaign. Unsubscribes land here by themselves." />
      <AddForm onAdded={(d) => { notify(`${fmtNum(d.added)} added, ${fmtNum(d.alreadySuppressed)} already on the list.`); list.reload(); }} />
      {error && <ErrorBanner error={error} />}
      <div class="filters" role="search">
        <Field label="Search" hint={list.nextCursor ? 'Searches the entries loaded below; load more to search further.' : undefined}>
          <input type="search" value={q} onInput={(e) => setQ(e.currentTarget.value)} placeholder="address, domain or reason" />
        </Field>
        <Field label="Type">
          <select value={type} onChange={(e) => setType(e.currentTarget.value)}>
            <option value="">All</option>
            <option value="email">Addresses</option>
            <option value="domain">Domains</option>
          </select>
        </Field>
      </div>
      <DataTable
        caption="Suppressed addresses and domains"
        columns={columns}
        rows={rows}
        rowKey={(s) => s.type + ':' + s.value}
        loading={list.loading}
        error={list.error}
        onRetry={list.reload}
        hasMore={!!list.nextCursor}
        onMore={list.loadMore}
        empty={
          needle ? (
            <EmptyState title={`Nothing matches “${q}”.`} action={<button type="button" class="btn" onClick={() => setQ('')}>Clear the search</button>} />
          ) : (
            <EmptyState title="The suppression list is empty.">Add addresses or domains above; people who unsubscribe are added by themselves.</EmptyState>
          )
        }
      />
    </section>
  );
}
