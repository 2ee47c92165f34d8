import { useState } from 'preact/hooks';
import { del, get, newIdempotencyKey, post, seg } from '../api.js';
import { usePaged, useTitle } from '../hooks.js';
import { fmtDate } from '../format.js';
import { useNotify, useSession } from '../context.js';
import { PageHeader } from '../components/PageHeader.jsx';
import { Field } from '../components/Field.jsx';
import { ErrorBanner } from '../components/ErrorBanner.jsx';
import { DataTable } from '../components/DataTable.jsx';
import { SecretOnce } from '../components/Confirm.jsx';

export default function ApiKeys() {
  useTitle('API keys');
  const notify = useNotify();
  const { session } = useSession();
  const [name, setName] = useState('');
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const [created, setCreated] = useState(null);
  const [confirm, setConfirm] = useState(null);
  const list = usePaged((cursor) => get('/v1/api-keys', { cursor, limit: 100 }), []);

  const create = async (e) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const body = name.trim() ? { name: name.trim() } : {};
      const r = await post('/v1/api-keys', body, { idempotencyKey: newIdempotencyKey() });
      const { secret, ...key } = r.data;
      setCreated({ id: key.id, name: key.name, secret });
      list.setRows([key].concat(list.rows));
      setName('');
    } catch (err) {
      setError(err);
    }
    setBusy(false);
  };
  const revoke = async (k) => {
    setError(null);
    try {
      const r = await del(`/v1/api-keys/${seg(k.id)}`);
      list.setRows(list.rows.map((x) => (x.id === k.id ? { ...x, ...(r.data || {}), revokedAt: r.data?.revokedAt || new Date().toISOString() } : x)));
      notify(`Key ${k.name} revoked: requests with it are refused from now on.`);
    } catch (e2) {
      setError(e2);
    }
    setConfirm(null);
  };
  const columns = [
    {
      key: 'name',
      label: 'Name',
      render: (k) => (
        <>
          <span class="cell-main">{k.name}</span>
          {session?.keyId === k.id && <span class="cell-sub">signed in with this key</span>}
        </>
      ),
    },
    { key: 'prefix', label: 'Starts with', render: (k) => <code>{k.prefix}…</code> },
    { key: 'createdAt', label: 'Created', render: (k) => fmtDate(k.createdAt) },
    { key: 'status', label: 'Status', render: (k) => (k.revokedAt ? <span class="badge badge-failed">revoked {fmtDate(k.revokedAt)}</span> : <span class="badge badge-active">active</span>) },
    {
      key: 'actions',
      label: 'Actions',
      render: (k) =>
        k.revokedAt ? (
          '—'
        ) : confirm === k.id ? (
          <div class="btn-row">
            {session?.keyId === k.id && <span class="field-error">You are signed in with this key: revoking it signs you out.</span>}
            <button type="button" class="btn btn-small btn-danger-solid" onClick={() => revoke(k)}>
              Revoke now
            </button>
            <button type="button" class="btn btn-small" onClick={() => setConfirm(null)}>
              Keep
            </button>
          </div>
        ) : (
          <button type="button" class="btn btn-small btn-danger" onClick={() => setConfirm(k.id)} aria-label={`Revoke ${k.name}`}>
            Revoke
          </button>
        ),
    },
  ];
  return (
    <section>
      <PageHeader title="API keys" subtitle="Keys give full access to this workspace through the API, the MCP server and this dashboard." />
      {created && (
        <SecretOnce title={`Key “${created.name}” created.`} secret={created.secret} testId="api-key-secret" copyLabel="Copy key" onDone={() => setCreated(null)}>
          Copy it now: it is shown only once, and only a hash is stored.
        </SecretOnce>
      )}
      <form class="card inline-form" onSubmit={create} aria-labelledby="key-new" noValidate>
        <h2 id="key-new" class="visually-hidden">
          Create a key
        </h2>
        <Field label="New key name" param="name" error={error} hint="Say where it is used, e.g. “CRM sync”.">
          <input type="text" maxLength={100} value={name} onInput={(e) => setName(e.currentTarget.value)} />
        </Field>
        <button type="submit" class="btn btn-primary" disabled={busy}>
          {busy ? 'Creating…' : 'Create key'}
        </button>
      </form>
      {error && !error.param && <ErrorBanner error={error} />}
      <DataTable
        caption="API keys"
        columns={columns}
        rows={list.rows}
        loading={list.loading}
        error={list.error}
        onRetry={list.reload}
        hasMore={!!list.nextCursor}
        onMore={list.loadMore}
      />
    </section>
  );
}
