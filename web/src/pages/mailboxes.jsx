import { useEffect, useRef, useState } from 'preact/hooks';
import { del, get, newIdempotencyKey, patch, post, seg } from '../api.js';
import { useAsync, usePaged, useQueryParam, useTitle } from '../hooks.js';
import { fmtAgo, fmtDate, fmtNum, fmtRate } from '../format.js';
import { useNotify } from '../context.js';
import { PageHeader } from '../components/PageHeader.jsx';
import { Field } from '../components/Field.jsx';
import { Banner, ErrorBanner } from '../components/ErrorBanner.jsx';
import { EmptyState } from '../components/EmptyState.jsx';
import { ConfirmDelete } from '../components/Confirm.jsx';
import { Loading } from '../components/PageStatus.jsx';

const SECURITY = [
  ['starttls', 'STARTTLS (usually port 587)'],
  ['tls', 'TLS (usually port 465)'],
  ['none', 'None (local test servers only)'],
];

function serverDraft(s, defaults) {
  return {
    host: s?.host ?? '',
    port: String(s?.port ?? defaults.port),
    username: s?.username ?? '',
    password: '',
    security: s?.security ?? 'starttls',
    pollIntervalSeconds: String(s?.pollIntervalSeconds ?? 60),
    hasPassword: !!s?.hasPassword,
  };
}

const PORTS = { smtp: { starttls: '587', tls: '465', none: '25' }, imap: { starttls: '143', tls: '993', none: '143' } };

function ServerFields({ prefix, legend, value, onChange, error, imap, editing }) {
  const set = (k) => (e) => {
    const v = e.currentTarget.value;
    const next = { ...value, [k]: v };
    // Picking another security follows with its usual port, unless a port of one's own was typed.
    const ports = PORTS[imap ? 'imap' : 'smtp'];
    if (k === 'security' && (value.port === '' || Object.values(ports).includes(value.port))) next.port = ports[v];
    onChange(next);
  };
  return (
    <fieldset class="form">
      <legend>{legend}</legend>
      <div class="form-row">
        <Field label="Host" param={`${prefix}.host`} error={error}>
          <input type="text" value={value.host} onInput={set('host')} required autoComplete="off" spellcheck={false} placeholder={imap ? 'imap.example.com' : 'smtp.example.com'} />
        </Field>
        <Field label="Port" param={`${prefix}.port`} error={error}>
          <input type="number" min="1" max="65535" value={value.port} onInput={set('port')} />
        </Field>
        <Field label="Security" param={`${prefix}.security`} error={error}>
          <select value={value.security} onChange={set('security')}>
            {SECURITY.map(([v, l]) => (
              <option key={v} value={v}>
                {imap ? l.replace('587', '143').replace('465', '993') : l}
              </option>
            ))}
          </select>
        </Field>
      </div>
      <div class="form-row">
        <Field label="Username" param={`${prefix}.username`} error={error}>
          <input type="text" value={value.username} onInput={set('username')} autoComplete="off" spellcheck={false} />
        </Field>
        <Field
          label="Password"
          param={`${prefix}.password`}
          error={error}
          hint={editing && value.hasPassword ? 'Stored encrypted. Leave empty to keep it.' : 'Stored encrypted; never shown again.'}
        >
          <input type="password" value={value.password} onInput={set('password')} autoComplete="new-password" />
        </Field>
        {imap && (
          <Field label="Check every (seconds)" param={`${prefix}.pollIntervalSeconds`} error={error}>
            <input type="number" min="1" max="86400" value={value.pollIntervalSeconds} onInput={set('pollIntervalSeconds')} />
          </Field>
        )}
      </div>
    </fieldset>
  );
}

function serverBody(v, imap, editing) {
  const out = { host: v.host.trim(), security: v.security };
  if (v.port !== '') out.port = Number(v.port);
  if (v.username || editing) out.username = v.username;
  if (v.password) out.password = v.password;
  if (imap && v.pollIntervalSeconds !== '') out.pollIntervalSeconds = Number(v.pollIntervalSeconds);
  return out;
}

function MailboxForm({ mailbox, onSaved, onCancel }) {
  const editing = !!mailbox;
  const [email, setEmail] = useState(mailbox?.email ?? '');
  const [fromName, setFromName] = useState(mailbox?.fromName ?? '');
  const [dailyLimit, setDailyLimit] = useState(String(mailbox?.dailyLimit ?? 50));
  const [status, setStatus] = useState(mailbox?.status ?? 'active');
  const [smtp, setSmtp] = useState(serverDraft(mailbox?.smtp, { port: 587 }));
  const [useImap, setUseImap] = useState(!!mailbox?.imap);
  const [imap, setImap] = useState(serverDraft(mailbox?.imap, { port: 993 }));
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const first = useRef(null);
  const key = useRef(newIdempotencyKey());
  useEffect(() => first.current?.focus(), []);

  const submit = async (e) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    const body = {
      fromName,
      dailyLimit: dailyLimit === '' ? undefined : Number(dailyLimit),
      status,
      smtp: serverBody(smtp, false, editing),
      imap: useImap ? serverBody(imap, true, editing && !!mailbox.imap) : null,
    };
    try {
      let r;
      if (editing) r = await patch(`/v1/mailboxes/${seg(mailbox.id)}`, body);
      else r = await post('/v1/mailboxes', { email: email.trim(), ...body }, { idempotencyKey: key.current });
      onSaved(r.data, editing);
    } catch (err) {
      setError(err);
      key.current = newIdempotencyKey();
      setBusy(false);
    }
  };
  const title = editing ? `Edit ${mailbox.email}` : 'Add a mailbox';
  return (
    <form class="card form" onSubmit={submit} aria-labelledby="mbx-form-title" noValidate>
      <h2 id="mbx-form-title">{title}</h2>
      {error && <ErrorBanner error={error} title="Not saved:" />}
      <div class="form-row">
        {editing ? (
          <div class="field">
            <span class="label">Email address</span>
            <span>{mailbox.email}</span>
          </div>
        ) : (
          <Field label="Email address" param="email" error={error} hint="The sender address; replies come back to it.">
            <input ref={first} type="email" value={email} onInput={(e) => setEmail(e.currentTarget.value)} required autoComplete="off" />
          </Field>
        )}
        <Field label="From name" param="fromName" error={error}>
          <input ref={editing ? first : undefined} type="text" maxLength={200} value={fromName} onInput={(e) => setFromName(e.currentTarget.value)} placeholder="e.g. Dana from Northwind" />
        </Field>
        <Field label="Daily limit" param="dailyLimit" error={error} hint="Most messages this mailbox sends per day.">
          <input type="number" min="1" max="100000" value={dailyLimit} onInput={(e) => setDailyLimit(e.currentTarget.value)} />
        </Field>
        <Field label="Status" param="status" error={error}>
          <select value={status} onChange={(e) => setStatus(e.currentTarget.value)}>
            <option value="active">Active: sends</option>
            <option value="paused">Paused: sends nothing</option>
          </select>
        </Field>
      </div>
      <ServerFields prefix="smtp" legend="Outgoing mail (SMTP)" value={smtp} onChange={setSmtp} error={error} editing={editing} />
      <Field label="Also read replies and bounces from an IMAP inbox" inline>
        <input type="checkbox" checked={useImap} onChange={(e) => setUseImap(e.currentTarget.checked)} />
      </Field>
      {useImap && <ServerFields prefix="imap" legend="Incoming mail (IMAP)" value={imap} onChange={setImap} error={error} imap editing={editing && !!mailbox.imap} />}
      <div class="btn-row">
        <button type="submit" class="btn btn-primary" disabled={busy}>
          {busy ? 'Saving…' : editing ? 'Save mailbox' : 'Add mailbox'}
        </button>
        <button type="button" class="btn" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}

function Verification({ result }) {
  const line = (label, c) =>
    c && (
      <li>
        <strong>{label}:</strong> {c.ok ? 'OK' : 'failed'} {c.code ? `(${c.code})` : ''} {c.message}
      </li>
    );
  return (
    <Banner kind={result.ok ? 'ok' : 'error'} title={result.ok ? 'Verified.' : 'Verification failed.'} role="status">
      <ul>
        {line('SMTP', result.smtp)}
        {line('IMAP', result.imap)}
      </ul>
    </Banner>
  );
}

function MailboxCard({ m, health, onEdit, onDeleted, onChanged }) {
  const notify = useNotify();
  const [verifying, setVerifying] = useState(false);
  const [result, setResult] = useState(null);
  const [error, setError] = useState(null);
  const [confirm, setConfirm] = useState(false);
  const verify = async () => {
    setVerifying(true);
    setError(null);
    setResult(null);
    try {
      const r = await post(`/v1/mailboxes/${seg(m.id)}/verify`);
      setResult(r.data);
      if (r.data.mailbox) onChanged(r.data.mailbox);
    } catch (e) {
      setError(e);
    }
    setVerifying(false);
  };
  const remove = async () => {
    try {
      await del(`/v1/mailboxes/${seg(m.id)}`);
      notify(`Mailbox ${m.email} deleted.`);
      onDeleted(m.id);
    } catch (e) {
      setError(e);
      setConfirm(false);
    }
  };
  const sentToday = health?.sentToday;
  return (
    <li class="card mailbox">
      <div class="card-header">
        <div>
          <h2 class="wrap-anywhere">{m.email}</h2>
          <span class="muted">{m.fromName || 'No from name'}</span>
        </div>
        <span class={`badge badge-${m.status}`}>{m.status}</span>
      </div>
      <dl class="kv">
        <dt>SMTP</dt>
        <dd>
          {m.smtp.host}:{m.smtp.port} · {m.smtp.security}
          {m.smtp.username ? ` · ${m.smtp.username}` : ''}
        </dd>
        <dt>IMAP</dt>
        <dd>{m.imap ? `${m.imap.host}:${m.imap.port} · every ${m.imap.pollIntervalSeconds} s · last checked ${fmtAgo(m.lastPolledAt)}` : 'Not set: replies and bounces are not read'}</dd>
        <dt>Daily limit</dt>
        <dd>{fmtNum(m.dailyLimit)} messages</dd>
        {sentToday !== undefined && (
          <>
            <dt>Sent today</dt>
            <dd>
              {fmtNum(sentToday)} of {fmtNum(m.dailyLimit)}
            </dd>
          </>
        )}
        {health && (
          <>
            <dt>Bounce rate</dt>
            <dd>{fmtRate(health.bounceRate)}</dd>
          </>
        )}
        <dt>Verified</dt>
        <dd>{m.verifiedAt ? fmtDate(m.verifiedAt) : 'Never'}</dd>
        <dt>Last error</dt>
        <dd class={m.lastError ? 'field-error' : ''}>{m.lastError || 'None'}</dd>
      </dl>
      {result && <Verification result={result} />}
      {error && <ErrorBanner error={error} />}
      {confirm ? (
        <ConfirmDelete question={`Delete ${m.email}?`} confirmLabel="Delete mailbox" onConfirm={remove} onCancel={() => setConfirm(false)}>
          This cannot be undone.
        </ConfirmDelete>
      ) : (
        <div class="btn-row">
          <button type="button" class="btn btn-primary" onClick={verify} disabled={verifying} aria-label={`Verify ${m.email}`}>
            {verifying ? 'Connecting…' : 'Verify'}
          </button>
          <button type="button" class="btn" onClick={() => onEdit(m.id)} aria-label={`Edit ${m.email}`}>
            Edit
          </button>
          <button type="button" class="btn btn-danger" onClick={() => setConfirm(true)} aria-label={`Delete ${m.email}`}>
            Delete
          </button>
        </div>
      )}
    </li>
  );
}

export default function Mailboxes() {
  useTitle('Mailboxes');
  const notify = useNotify();
  const [form, setForm] = useQueryParam('form', ''); // '' | 'new' | mbx id
  const list = usePaged((cursor) => get('/v1/mailboxes', { cursor, limit: 100 }), []);
  const overview = useAsync(
    () =>
      get('/v1/analytics/overview').then(
        (r) => r.data,
        () => null,
      ),
    [],
  );
  const health = {};
  for (const m of overview.data?.mailboxes || []) health[m.mailboxId || m.id] = m;
  const editing = form && form !== 'new' ? list.rows.find((m) => m.id === form) : null;
  const saved = (m, wasEdit) => {
    if (wasEdit) list.setRows(list.rows.map((x) => (x.id === m.id ? m : x)));
    else list.setRows([m].concat(list.rows));
    notify(wasEdit ? `Saved ${m.email}.` : `Added ${m.email}. Verify it to check the connection.`);
    setForm('');
  };
  return (
    <section>
      <PageHeader
        title="Mailboxes"
        subtitle="The addresses campaigns send from. Each lead keeps one mailbox for its whole sequence."
        actions={
          !form && (
            <button type="button" class="btn btn-primary" onClick={() => setForm('new')}>
              Add mailbox
            </button>
          )
        }
      />
      {form === 'new' && <MailboxForm onSaved={saved} onCancel={() => setForm('')} />}
      {editing && <MailboxForm key={editing.id} mailbox={editing} onSaved={saved} onCancel={() => setForm('')} />}
      {list.error && <ErrorBanner error={list.error} onRetry={list.reload} />}
      {!list.loading && !list.error && list.rows.length === 0 && form !== 'new' && (
        <EmptyState
          title="No mailboxes yet."
          action={
            <button type="button" class="btn btn-primary" onClick={() => setForm('new')}>
              Add a mailbox
            </button>
          }
        >
          Add the SMTP account campaigns send from (and its IMAP inbox, to see replies and bounces). A campaign needs one active mailbox to
          start.
        </EmptyState>
      )}
      <ul class="plain-list card-grid">
        {list.rows.map((m) => (
          <MailboxCard
            key={m.id}
            m={m}
            health={health[m.id]}
            onEdit={(id) => setForm(id)}
            onDeleted={(id) => list.setRows(list.rows.filter((x) => x.id !== id))}
            onChanged={(nm) => list.setRows(list.rows.map((x) => (x.id === nm.id ? nm : x)))}
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
