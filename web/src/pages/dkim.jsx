import { useEffect, useRef, useState } from 'preact/hooks';
import { del, get, newIdempotencyKey, patch, post, seg } from '../api.js';
import { usePaged, useQueryParam, useTitle } from '../hooks.js';
import { fmtDate } from '../format.js';
import { useNotify } from '../context.js';
import { PageHeader } from '../components/PageHeader.jsx';
import { Field } from '../components/Field.jsx';
import { ErrorBanner } from '../components/ErrorBanner.jsx';
import { EmptyState } from '../components/EmptyState.jsx';
import { CopyButton } from '../components/CopyButton.jsx';
import { ConfirmDelete } from '../components/Confirm.jsx';
import { Loading } from '../components/PageStatus.jsx';

function CreateForm({ onCreated, onCancel }) {
  const [domain, setDomain] = useState('');
  const [selector, setSelector] = useState('');
  const [privateKey, setPrivateKey] = useState('');
  const [active, setActive] = useState(true);
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const first = useRef(null);
  useEffect(() => first.current?.focus(), []);
  const submit = async (e) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    const body = { domain: domain.trim(), active };
    if (selector.trim()) body.selector = selector.trim();
    if (privateKey.trim()) body.privateKey = privateKey.trim();
    try {
      const r = await post('/v1/dkim-keys', body, { idempotencyKey: newIdempotencyKey() });
      onCreated(r.data);
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  };
  return (
    <form class="card form" onSubmit={submit} aria-labelledby="dkim-new" noValidate>
      <h2 id="dkim-new">Add a DKIM key</h2>
      {error && !error.param && <ErrorBanner error={error} />}
      <div class="form-row">
        <Field label="Sending domain" param="domain" error={error} hint="The part after @ in your mailboxes' addresses.">
          <input ref={first} type="text" value={domain} onInput={(e) => setDomain(e.currentTarget.value)} placeholder="northwind.example" spellcheck={false} />
        </Field>
        <Field label="Selector (optional)" param="selector" error={error} hint="Default leadterra. Use a new one to rotate keys.">
          <input type="text" value={selector} onInput={(e) => setSelector(e.currentTarget.value)} maxLength={63} spellcheck={false} />
        </Field>
      </div>
      <Field label="Private key in PEM (optional)" param="privateKey" error={error} hint="Leave empty and Leadterra generates a 2048-bit RSA key.">
        <textarea rows={4} value={privateKey} onInput={(e) => setPrivateKey(e.currentTarget.value)} spellcheck={false} autoComplete="off" />
      </Field>
      <Field label="Sign with it at once" inline hint="Untick to publish the DNS record first and activate the key later.">
        <input type="checkbox" checked={active} onChange={(e) => setActive(e.currentTarget.checked)} />
      </Field>
      <div class="btn-row">
        <button type="submit" class="btn btn-primary" disabled={busy}>
          {busy ? 'Creating…' : 'Create key'}
        </button>
        <button type="button" class="btn" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}

function KeyCard({ k, onChange, onDeleted }) {
  const notify = useNotify();
  const [error, setError] = useState(null);
  const [confirm, setConfirm] = useState(false);
  const [busy, setBusy] = useState(false);
  const toggle = async () => {
    setBusy(true);
    setError(null);
    try {
      const r = await patch(`/v1/dkim-keys/${seg(k.id)}`, { active: !k.active });
      onChange(r.data);
      notify(r.data.active ? `Messages from ${k.domain} are now signed with ${k.selector}.` : `Key ${k.selector} of ${k.domain} deactivated.`);
    } catch (e) {
      setError(e);
    }
    setBusy(false);
  };
  const remove = async () => {
    try {
      await del(`/v1/dkim-keys/${seg(k.id)}`);
      onDeleted(k.id);
      notify(`Key ${k.selector} of ${k.domain} deleted.`);
    } catch (e) {
      setError(e);
      setConfirm(false);
    }
  };
  const rec = k.dnsRecord || {};
  return (
    <li class="card">
      <div class="card-header">
        <h2 class="wrap-anywhere">
          {k.domain} <span class="muted">· selector {k.selector}</span>
        </h2>
        <span class={`badge ${k.active ? 'badge-active' : ''}`}>{k.active ? 'active' : 'inactive'}</span>
      </div>
      <p class="muted small">Created {fmtDate(k.createdAt)}. Publish this {rec.type || 'TXT'} record at your DNS provider:</p>
      <dl class="kv">
        <dt>Type</dt>
        <dd>{rec.type || 'TXT'}</dd>
        <dt>Name</dt>
        <dd>
          <div class="secret">
            <code>{rec.name}</code>
            <CopyButton text={rec.name || ''} label="Copy name" />
          </div>
        </dd>
        <dt>Value</dt>
        <dd>
          <div class="secret">
            <code>{rec.value}</code>
            <CopyButton text={rec.value || ''} label="Copy value" />
          </div>
        </dd>
      </dl>
      {error && <ErrorBanner error={error} />}
      {confirm ? (
        <ConfirmDelete question="Delete this key?" confirmLabel="Delete key" onConfirm={remove} onCancel={() => setConfirm(false)}>
          Messages from {k.domain} are no longer signed with it.
        </ConfirmDelete>
      ) : (
        <div class="btn-row">
          <button type="button" class="btn" onClick={toggle} disabled={busy}>
            {k.active ? 'Deactivate' : 'Activate'}
          </button>
          <button type="button" class="btn btn-danger" onClick={() => setConfirm(true)} aria-label={`Delete the key ${k.selector} of ${k.domain}`}>
            Delete
          </button>
        </div>
      )}
    </li>
  );
}

export default function Dkim() {
  useTitle('DKIM keys');
  const [creating, setCreating] = useQueryParam('new', '');
  const list = usePaged((cursor) => get('/v1/dkim-keys', { cursor, limit: 100 }), []);
  return (
    <section>
      <PageHeader
        title="DKIM keys"
        subtitle="Sign outgoing mail so receivers can tell it really comes from your domain. The newest active key of a domain signs."
        actions={
          !creating && (
            <button type="button" class="btn btn-primary" onClick={() => setCreating('1')}>
              Add key
            </button>
          )
        }
      />
      {creating && (
        <CreateForm
          onCreated={(k) => {
            list.setRows([k].concat(list.rows));
            setCreating('');
          }}
          onCancel={() => setCreating('')}
        />
      )}
      {list.error && <ErrorBanner error={list.error} onRetry={list.reload} />}
      {!list.loading && !list.error && list.rows.length === 0 && !creating && (
        <EmptyState
          title="No DKIM keys yet."
          action={
            <button type="button" class="btn btn-primary" onClick={() => setCreating('1')}>
              Add key
            </button>
          }
        >
          Add a key for each domain you send from, then publish its DNS record.
        </EmptyState>
      )}
      <ul class="plain-list">
        {list.rows.map((k) => (
          <KeyCard
            key={k.id}
            k={k}
            onChange={(nk) => list.setRows(list.rows.map((x) => (x.id === nk.id ? nk : x)))}
            onDeleted={(id) => list.setRows(list.rows.filter((x) => x.id !== id))}
          />
        ))}
      </ul>
      {list.loading && (
        <Loading />
      )}
      {list.nextCursor && !list.loading && (
        <button type="button" class="btn" onClick={list.loadMore}>
          Load more
        </button>
      )}
    </section>
  );
}
