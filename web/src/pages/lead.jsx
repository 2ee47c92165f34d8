import { useMemo, useRef, useState } from 'preact/hooks';
import { Link, useLocation } from 'wouter-preact';
import { del, get, patch, seg } from '../api.js';
import { useAsync, useTitle } from '../hooks.js';
import { fmtDate, fmtNum, fmtShort, fullName, timeZones } from '../format.js';
import { useNotify } from '../context.js';
import { PageHeader } from '../components/PageHeader.jsx';
import { ErrorBanner } from '../components/ErrorBanner.jsx';
import { DataTable } from '../components/DataTable.jsx';
import { EmptyState } from '../components/EmptyState.jsx';
import { Field } from '../components/Field.jsx';
import { StatusBadge } from '../components/StatusBadge.jsx';
import { Thread } from '../components/Thread.jsx';
import { ConfirmDelete } from '../components/Confirm.jsx';
import { Loading, PageLoadError } from '../components/PageStatus.jsx';

// The fields a person edits here (PATCH /v1/leads/:id); the email never changes.
const FIELDS = [
  ['firstName', 'First name', 200],
  ['lastName', 'Last name', 200],
  ['company', 'Company', 300],
  ['jobTitle', 'Job title', 300],
];
const PARAMS = FIELDS.map(([k]) => k).concat('timezone');
const draftOf = (l) => ({ firstName: l.firstName ?? '', lastName: l.lastName ?? '', company: l.company ?? '', jobTitle: l.jobTitle ?? '', timezone: l.timezone ?? '' });

function Details({ lead, onSaved }) {
  const notify = useNotify();
  const [draft, setDraft] = useState(() => draftOf(lead));
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const zones = useMemo(timeZones, []);
  const saved = draftOf(lead);
  const changed = Object.keys(draft).filter((k) => draft[k].trim() !== saved[k]);
  const set = (k) => (e) => setDraft({ ...draft, [k]: e.currentTarget.value });
  const custom = Object.entries(lead.customFields || {});
  const submit = async (e) => {
    e.preventDefault();
    if (!changed.length) return;
    setBusy(true);
    setError(null);
    // Only what changed; an emptied field is cleared (null).
    const body = Object.fromEntries(changed.map((k) => [k, draft[k].trim() === '' ? null : draft[k].trim()]));
    try {
      const r = await patch(`/v1/leads/${seg(lead.id)}`, body);
      onSaved(r.data);
      setDraft(draftOf(r.data));
      notify('Lead saved.');
    } catch (err) {
      setError(err);
    }
    setBusy(false);
  };
  return (
    <form class="card form" onSubmit={submit} aria-labelledby="lead-details-title" noValidate>
      <h2 id="lead-details-title">Details</h2>
      {error && !PARAMS.includes(error.param) && <ErrorBanner error={error} title="Not saved:" />}
      <div class="field">
        <span class="label">Email address</span>
        <span class="wrap-anywhere" data-testid="lead-email">
          {lead.email}
        </span>
        <p class="hint">The address cannot change; import the new one as a new lead instead.</p>
      </div>
      <div class="form-row">
        {FIELDS.map(([k, label, max]) => (
          <Field key={k} label={label} param={k} error={error}>
            <input type="text" maxLength={max} value={draft[k]} onInput={set(k)} autoComplete="off" />
          </Field>
        ))}
      </div>
      <Field label="Time zone" param="timezone" error={error} className="lead-timezone" hint="Steps reach this lead inside the sending window of its own time zone.">
        <select value={draft.timezone} onChange={set('timezone')}>
          <option value="">None: the workspace's</option>
          {draft.timezone && !zones.includes(draft.timezone) && <option value={draft.timezone}>{draft.timezone}</option>}
          {zones.map((z) => (
            <option key={z} value={z}>
              {z.replace(/_/g, ' ')}
            </option>
          ))}
        </select>
      </Field>
      {custom.length > 0 && (
        <div>
          <h3 class="label">Custom fields</h3>
          <dl class="kv">
            {custom.map(([k, v]) => [<dt key={'k' + k}>{k}</dt>, <dd key={'v' + k}>{String(v)}</dd>])}
          </dl>
        </div>
      )}
      <div class="btn-row">
        <button type="submit" class="btn btn-primary" disabled={busy} aria-disabled={changed.length ? undefined : 'true'}>
          {busy ? 'Saving…' : 'Save lead'}
        </button>
        <span class="muted small">
          Added {fmtDate(lead.createdAt)}
          {lead.updatedAt && lead.updatedAt !== lead.createdAt ? ` · changed ${fmtDate(lead.updatedAt)}` : ''}
        </span>
      </div>
    </form>
  );
}

function Enrollments({ lead }) {
  const rows = lead.enrollments || [];
  const columns = [
    {
      key: 'campaign',
      label: 'Campaign',
      render: (e) => (
        <>
          <Link href={`/campaigns/${seg(e.campaignId)}?lead=${seg(lead.id)}`} class="cell-main">
            {e.campaignName}
          </Link>
          <span class="cell-sub">
            <StatusBadge status={e.campaignStatus} />
          </span>
        </>
      ),
    },
    { key: 'status', label: 'Lead status', render: (e) => <span class={`badge badge-${e.status}`}>{e.status}</span> },
    { key: 'currentStep', label: 'Step', numeric: true, render: (e) => fmtNum(e.currentStep) },
    { key: 'lastSentAt', label: 'Last sent', className: 'nowrap', render: (e) => fmtShort(e.lastSentAt) },
    { key: 'nextSendAt', label: 'Next send', className: 'nowrap', render: (e) => fmtShort(e.nextSendAt) },
    { key: 'enrolledAt', label: 'Enrolled', className: 'nowrap', render: (e) => fmtShort(e.enrolledAt) },
  ];
  return (
    <section class="card enrollments" aria-labelledby="enrollments-title">
      <h2 id="enrollments-title">Campaigns</h2>
      <DataTable
        caption="Campaigns this lead is enrolled in"
        columns={columns}
        rows={rows}
        rowKey={(e) => e.campaignId}
        empty={<EmptyState title="Not in any campaign.">Add this lead to a campaign by importing it on the campaign's page.</EmptyState>}
      />
    </section>
  );
}

function CampaignThread({ enrollment, leadId }) {
  const t = useAsync(
    () => get(`/v1/campaigns/${seg(enrollment.campaignId)}/leads/${seg(leadId)}/messages`).then((r) => r.data),
    [enrollment.campaignId, leadId],
  );
  return (
    <section class="lead-thread" aria-labelledby={`thread-${enrollment.campaignId}`}>
      <div class="card-header">
        <h3 id={`thread-${enrollment.campaignId}`} class="wrap-anywhere">
          {enrollment.campaignName}
        </h3>
        <button type="button" class="btn btn-small" onClick={t.reload} aria-label={`Refresh the thread in ${enrollment.campaignName}`}>
          Refresh
        </button>
      </div>
      {t.error ? (
        <ErrorBanner error={t.error} onRetry={t.reload} />
      ) : !t.data ? (
        <Loading />
      ) : t.data.length === 0 ? (
        <p class="muted">Nothing sent to this lead in this campaign yet.</p>
      ) : (
        <Thread items={t.data} />
      )}
    </section>
  );
}

function Threads({ lead }) {
  const rows = lead.enrollments || [];
  return (
    <section class="card" aria-labelledby="threads-title">
      <h2 id="threads-title">Threads</h2>
      {rows.length === 0 ? (
        <p class="muted">No campaign has written to this lead.</p>
      ) : (
        rows.map((e) => <CampaignThread key={e.campaignId} enrollment={e} leadId={lead.id} />)
      )}
    </section>
  );
}

/** "Remove from all campaigns" and "Erase", each behind an inline confirmation. */
function RemoveOrErase({ lead }) {
  const notify = useNotify();
  const [, navigate] = useLocation();
  const [asking, setAsking] = useState(null); // null | 'remove' | 'erase'
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const opener = useRef(null);
  const ask = (what, e) => {
    opener.current = e.currentTarget;
    setError(null);
    setAsking(what);
  };
  const cancel = () => {
    setAsking(null);
    setTimeout(() => opener.current?.focus(), 0);
  };
  const run = async () => {
    const erase = asking === 'erase';
    setBusy(true);
    try {
      await del(`/v1/leads/${seg(lead.id)}${erase ? '?erase=true' : ''}`);
      notify(erase ? 'Lead erased. Its address is kept only as a hash in the suppression list.' : `${lead.email} removed from every campaign.`);
      navigate('/leads');
    } catch (e) {
      setError(e);
      setBusy(false);
      setAsking(null);
    }
  };
  return (
    <section class="card danger-zone" aria-labelledby="remove-title">
      <h2 id="remove-title">Remove or erase</h2>
      <p class="small">
        <strong>Remove from all campaigns</strong> stops every sequence to this lead and takes it out of lead lists and search; what was
        sent is kept. <strong>Erase</strong> also deletes its personal data everywhere Leadterra keeps it, for a request under GDPR Art. 17.
      </p>
      {error && <ErrorBanner error={error} title="Not done:" />}
      {asking === 'remove' && (
        <ConfirmDelete
          question={`Remove ${lead.email} from every campaign?`}
          confirmLabel={busy ? 'Removing…' : 'Remove from all campaigns'}
          autoFocus
          onConfirm={run}
          onCancel={cancel}
        >
          No further steps are sent to it. Its threads stay, and it can be imported again later.
        </ConfirmDelete>
      )}
      {asking === 'erase' && (
        <ConfirmDelete question={`Erase ${lead.email} for good?`} confirmLabel={busy ? 'Erasing…' : 'Erase lead'} autoFocus onConfirm={run} onCancel={cancel}>
          This cannot be undone. The lead's fields, the subjects of messages sent to it, its replies and webhook payloads about it are
          deleted. The address is kept only as a SHA-256 hash in the suppression list, so it is never mailed again and importing it
          again is refused.
        </ConfirmDelete>
      )}
      {!asking && (
        <div class="btn-row">
          <button type="button" class="btn btn-danger" onClick={(e) => ask('remove', e)}>
            Remove from all campaigns
          </button>
          <button type="button" class="btn btn-danger" onClick={(e) => ask('erase', e)}>
            Erase
          </button>
        </div>
      )}
    </section>
  );
}

export default function LeadPage({ id }) {
  const l = useAsync(() => get(`/v1/leads/${seg(id)}`).then((r) => r.data), [id]);
  const lead = l.data;
  const name = lead ? fullName(lead) : '';
  useTitle(lead ? name || lead.email : 'Lead');
  const back = (
    <Link href="/leads" class="back-link">
      ← Leads
    </Link>
  );
  if (l.error) {
    return (
      <PageLoadError title="Lead" back={back} error={l.error} onRetry={l.reload} notFound="There is no such lead in this workspace: it may have been removed or erased." />
    );
  }
  if (!lead)
    return (
      <Loading />
    );
  return (
    <section>
      <PageHeader
        back={back}
        title={name || lead.email}
        subtitle={[name ? lead.email : null, [lead.jobTitle, lead.company].filter(Boolean).join(' at ')].filter(Boolean).join(' · ') || null}
      />
      <Details lead={lead} onSaved={(d) => l.setData(d)} />
      <Enrollments lead={lead} />
      <Threads lead={lead} />
      <RemoveOrErase lead={lead} />
    </section>
  );
}
