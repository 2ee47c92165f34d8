import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { Link, useLocation } from 'wouter-preact';
import { del, get, post, seg } from '../api.js';
import { useAsync, usePaged, usePoll, useQueryParam, useTitle } from '../hooks.js';
import { fmtDate, fmtNum, fmtRate, fmtShort, fullName } from '../format.js';
import { lintWarnings, variantLabels } from '../lint.js';
import { useNotify } from '../context.js';
import { TableWrap } from '../components/TableWrap.jsx';
import { PageHeader } from '../components/PageHeader.jsx';
import { StatusBadge } from '../components/StatusBadge.jsx';
import { Banner, ErrorBanner } from '../components/ErrorBanner.jsx';
import { DataTable } from '../components/DataTable.jsx';
import { EmptyState } from '../components/EmptyState.jsx';
import { Field } from '../components/Field.jsx';
import { SERIES, TRACKED_SERIES, TimeChart } from '../components/TimeChart.jsx';
import { Thread } from '../components/Thread.jsx';
import { ConfirmDelete } from '../components/Confirm.jsx';
import { StatCards } from '../components/StatCards.jsx';
import { VariantResults } from '../components/VariantResults.jsx';
import { TrackingSummary } from '../components/TrackingSummary.jsx';
import { Loading, PageLoadError } from '../components/PageStatus.jsx';

const LEAD_STATUSES = ['queued', 'active', 'completed', 'replied', 'bounced', 'unsubscribed', 'stopped', 'suppressed', 'removed'];
const STATS_EVERY_MS = 3000;

function CampaignTotals({ campaign, stats }) {
  const m = stats?.metrics || {};
  return (
    <>
      <StatCards
        label="Campaign totals"
        loading={!stats}
        cards={[
          ['Enrolled', fmtNum(stats?.enrolledLeads)],
          ['Delivered', fmtNum(m.delivered)],
          ['Queued', fmtNum(m.queued)],
          ['Bounced', fmtNum(m.bounced)],
          ['Replied', fmtNum(m.replied)],
          ['Reply rate', fmtRate(m.replyRate)],
          ['Unsubscribed', fmtNum(m.unsubscribed)],
        ]}
      />
      <TrackingSummary campaign={campaign} metrics={m} loading={!stats} />
    </>
  );
}

function rangeFor(interval) {
  const now = new Date();
  const to = new Date(Math.ceil(now.getTime() / 3600000) * 3600000);
  const from = new Date(to.getTime() - (interval === 'hour' ? 48 * 3600000 : 30 * 86400000));
  return { from: from.toISOString().replace(/\.\d{3}Z$/, 'Z'), to: to.toISOString().replace(/\.\d{3}Z$/, 'Z') };
}

function Analytics({ id, status, tracking }) {
  const [interval, setBucket] = useQueryParam('interval', 'day');
  const a = useAsync(() => get(`/v1/campaigns/${seg(id)}/analytics`, { interval, ...rangeFor(interval) }).then((r) => r.data), [id, interval]);
  usePoll(() => a.reload(), status === 'running' ? 10000 : 0, [id, interval]);
  const data = a.data;
  const series = useMemo(() => (tracking ? SERIES.concat(TRACKED_SERIES) : SERIES), [tracking]);
  const unavailable = a.error && (a.error.status === 404 || a.error.status === 501 || a.error.code === 'not_implemented');
  return (
    <>
      <section class="card" aria-labelledby="chart-title">
        <div class="card-header">
          <h2 id="chart-title">Activity</h2>
          <div class="segmented" role="group" aria-label="Bucket size">
            {[
              ['hour', 'By hour (48 h)'],
              ['day', 'By day (30 days)'],
            ].map(([v, l]) => (
              <button key={v} type="button" aria-pressed={interval === v ? 'true' : 'false'} onClick={() => setBucket(v)}>
                {l}
              </button>
            ))}
          </div>
        </div>
        {unavailable ? (
          <p class="muted">This server does not provide analytics yet.</p>
        ) : a.error ? (
          <ErrorBanner error={a.error} onRetry={a.reload} />
        ) : !data ? (
          <Loading />
        ) : (
          <>
            <TimeChart
              buckets={data.buckets}
              interval={data.interval}
              timezone={data.timezone}
              series={series}
              label={`Messages sent, delivered, bounced and replied${tracking ? ', and opened and clicked by people,' : ''} per ${data.interval}`}
            />
            <p class="small muted">Times in {data.timezone || 'UTC'}, the workspace's time zone.</p>
            <details>
              <summary>Show the numbers</summary>
              <TableWrap label="Messages per bucket">
                <table class="table">
                  <caption class="visually-hidden">Messages per {data.interval}</caption>
                  <thead>
                    <tr>
                      <th scope="col">{data.interval === 'hour' ? 'Hour' : 'Day'} starting</th>
                      {series.map((s) => (
                        <th scope="col" class="num" key={s.key}>
                          {s.label}
                        </th>
                      ))}
                    </tr>
                  </thead>
                  <tbody>
                    {data.buckets
                      .filter((b) => series.some((s) => b[s.key]))
                      .map((b) => (
                        <tr key={b.start}>
                          <td>{fmtDate(b.start)}</td>
                          {series.map((s) => (
                            <td class="num" key={s.key}>
                              {fmtNum(b[s.key] || 0)}
                            </td>
                          ))}
                        </tr>
                      ))}
                  </tbody>
                </table>
              </TableWrap>
            </details>
          </>
        )}
      </section>
      {data && <StepsTable steps={data.steps || []} tracking={tracking} />}
    </>
  );
}

function StepsTable({ steps, tracking }) {
  const showOpens = tracking || steps.some((s) => s.opened || s.clicked);
  return (
    <section class="card" aria-labelledby="steps-title">
      <h2 id="steps-title">By step</h2>
      {steps.length === 0 ? (
        <p class="muted">No steps yet: add them in the sequence editor.</p>
      ) : (
        <TableWrap label="Results per step">
          <table class="table">
            <caption class="visually-hidden">Results per step and variant</caption>
            <thead>
              <tr>
                <th scope="col">Step</th>
                <th scope="col" class="num">Sent</th>
                <th scope="col" class="num">Delivered</th>
                <th scope="col" class="num">Bounced</th>
                <th scope="col" class="num">Replied</th>
                <th scope="col" class="num">Reply rate</th>
                {showOpens && <th scope="col" class="num">Opened</th>}
                {showOpens && <th scope="col" class="num">Clicked</th>}
              </tr>
            </thead>
            <tbody>
              {steps.map((s) => [
                <tr key={s.stepNumber}>
                  <th scope="row">Step {s.stepNumber}</th>
                  <td class="num">{fmtNum(s.sent)}</td>
                  <td class="num">{fmtNum(s.delivered)}</td>
                  <td class="num">{fmtNum(s.bounced)}</td>
                  <td class="num">{fmtNum(s.replied)}</td>
                  <td class="num">{fmtRate(s.replyRate)}</td>
                  {showOpens && <td class="num">{fmtNum(s.opened)}</td>}
                  {showOpens && <td class="num">{fmtNum(s.clicked)}</td>}
                </tr>,
                ...(s.variants || []).map((v) => (
                  <tr key={s.stepNumber + ':' + v.variantId} class="variant-row">
                    <th scope="row" class="muted">
                      ↳ Variant {v.label}
                      {v.winner ? ' (winner)' : ''}
                      <span class="cell-sub">weight {v.weight}</span>
                    </th>
                    <td class="num">{fmtNum(v.sent)}</td>
                    <td class="num">{fmtNum(v.delivered)}</td>
                    <td class="num">{fmtNum(v.bounced)}</td>
                    <td class="num">{fmtNum(v.replied)}</td>
                    <td class="num">{fmtRate(v.replyRate)}</td>
                    {showOpens && <td class="num">{fmtNum(v.opened)}</td>}
                    {showOpens && <td class="num">{fmtNum(v.clicked)}</td>}
                  </tr>
                )),
              ])}
            </tbody>
          </table>
        </TableWrap>
      )}
    </section>
  );
}

function LeadPanel({ campaignId, leadId, lead, labels, onClose }) {
  const heading = useRef(null);
  const t = useAsync(() => get(`/v1/campaigns/${seg(campaignId)}/leads/${seg(leadId)}/messages`).then((r) => r.data), [campaignId, leadId]);
  useEffect(() => heading.current?.focus(), [leadId]);
  const custom = lead ? Object.entries(lead.customFields || {}) : [];
  return (
    <section class="card lead-panel" aria-labelledby="lead-title">
      <div class="card-header">
        <h2 id="lead-title" tabIndex={-1} ref={heading} class="wrap-anywhere">
          {lead ? `Thread with ${lead.email}` : 'Thread'}
        </h2>
        <button type="button" class="btn btn-small" onClick={onClose}>
          Close thread
        </button>
      </div>
      {lead && (
        <dl class="kv">
          <dt>Name</dt>
          <dd>{fullName(lead) || '—'}</dd>
          <dt>Company</dt>
          <dd>{lead.company || '—'}</dd>
          <dt>Job title</dt>
          <dd>{lead.jobTitle || '—'}</dd>
          <dt>Status</dt>
          <dd>
            <span class={`badge badge-${lead.status}`}>{lead.status}</span> · step {lead.currentStep}
          </dd>
          {custom.map(([k, v]) => [<dt key={'k' + k}>{k}</dt>, <dd key={'v' + k}>{String(v)}</dd>])}
        </dl>
      )}
      {t.error ? (
        <ErrorBanner error={t.error} onRetry={t.reload} />
      ) : !t.data ? (
        <Loading />
      ) : t.data.length === 0 ? (
        <p class="muted">Nothing sent to this lead yet.</p>
      ) : (
        <Thread items={t.data} variantLabels={labels} />
      )}
      <button type="button" class="btn btn-small" onClick={t.reload}>
        Refresh thread
      </button>
    </section>
  );
}

function Leads({ campaign }) {
  const id = campaign.id;
  const [status, setStatus] = useQueryParam('leadStatus', '');
  const [leadId, setLeadId] = useQueryParam('lead', '');
  const list = usePaged((cursor) => get(`/v1/campaigns/${seg(id)}/leads`, { status, cursor, limit: 25 }), [id, status]);
  const selected = list.rows.find((r) => r.id === leadId);
  const lastOpener = useRef(null);
  const open = (r, e) => {
    lastOpener.current = e.currentTarget;
    setLeadId(r.id, { push: true });
  };
  const close = () => {
    setLeadId('', { push: true });
    setTimeout(() => lastOpener.current?.focus(), 0);
  };
  const columns = [
    {
      key: 'email',
      label: 'Lead',
      render: (r) => (
        <>
          <button type="button" class="btn-link cell-main lead-email" onClick={(e) => open(r, e)} aria-label={`Show the thread with ${r.email}`}>
            {r.email}
          </button>
          <span class="cell-sub">{fullName(r)}</span>
        </>
      ),
    },
    { key: 'company', label: 'Company', render: (r) => r.company || '—' },
    { key: 'status', label: 'Status', render: (r) => <span class={`badge badge-${r.status}`}>{r.status}</span> },
    { key: 'currentStep', label: 'Step', numeric: true, render: (r) => fmtNum(r.currentStep) },
    { key: 'lastSentAt', label: 'Last sent', className: 'nowrap', render: (r) => fmtShort(r.lastSentAt) },
    { key: 'nextSendAt', label: 'Next send', className: 'nowrap', render: (r) => fmtShort(r.nextSendAt) },
  ];
  return (
    <>
      {leadId && <LeadPanel campaignId={id} leadId={leadId} lead={selected} labels={variantLabels(campaign)} onClose={close} />}
      <section class="card" aria-labelledby="leads-title">
        <div class="card-header">
          <h2 id="leads-title">Leads</h2>
          <div class="btn-row">
            <button type="button" class="btn btn-small" onClick={list.reload}>
              Refresh
            </button>
            <Link href={`/campaigns/${seg(id)}/import`} class="btn btn-small">
              Import leads
            </Link>
          </div>
        </div>
        <div class="filters">
          <Field label="Lead status">
            <select value={status} onChange={(e) => setStatus(e.currentTarget.value)}>
              <option value="">All</option>
              {LEAD_STATUSES.map((s) => (
                <option key={s} value={s}>
                  {s}
                </option>
              ))}
            </select>
          </Field>
        </div>
        <DataTable
          caption="Leads of this campaign"
          columns={columns}
          rows={list.rows}
          rowClass={(r) => (r.id === leadId ? 'selected' : '')}
          loading={list.loading}
          error={list.error}
          onRetry={list.reload}
          hasMore={!!list.nextCursor}
          onMore={list.loadMore}
          empty={
            status ? (
              <EmptyState title={`No leads with status ${status}.`} action={<button type="button" class="btn" onClick={() => setStatus('')}>Show all leads</button>} />
            ) : (
              <EmptyState title="No leads in this campaign yet." action={<Link href={`/campaigns/${seg(id)}/import`} class="btn btn-primary">Import leads from CSV</Link>}>
                Import a CSV file of leads; each one gets the sequence from step 1.
              </EmptyState>
            )
          }
        />
      </section>
    </>
  );
}

function Controls({ campaign, onChange }) {
  const notify = useNotify();
  const [, navigate] = useLocation();
  const [stage, setStage] = useState(null); // null | 'checking' | 'confirm' | 'busy' | 'delete'
  const [warnings, setWarnings] = useState([]);
  const [error, setError] = useState(null);
  const id = campaign.id;

  const start = async (force) => {
    setError(null);
    if (!force) {
      setStage('checking');
      try {
        const lint = (await get(`/v1/campaigns/${seg(id)}/lint`)).data;
        const w = lintWarnings(lint);
        if (w.length) {
          setWarnings(w);
          setStage('confirm');
          return;
        }
      } catch (e) {
        setError(e);
        setStage(null);
        return;
      }
    }
    setStage('busy');
    try {
      const r = await post(`/v1/campaigns/${seg(id)}/start`);
      onChange(r.data);
      notify('Campaign started.');
      setStage(null);
    } catch (e) {
      setError(e);
      setStage(null);
    }
  };
  const pause = async () => {
    setError(null);
    setStage('busy');
    try {
      const r = await post(`/v1/campaigns/${seg(id)}/pause`);
      onChange(r.data);
      notify('Campaign paused. Messages already being sent will finish.');
    } catch (e) {
      setError(e);
    }
    setStage(null);
  };
  const remove = async () => {
    setStage('busy');
    try {
      await del(`/v1/campaigns/${seg(id)}`);
      notify('Campaign deleted.');
      navigate('/campaigns');
    } catch (e) {
      setError(e);
      setStage(null);
    }
  };
  const running = campaign.status === 'running';
  return (
    <div class="stack">
      <div class="btn-row">
        {running ? (
          <button type="button" class="btn btn-primary" onClick={pause} disabled={stage === 'busy'}>
            Pause campaign
          </button>
        ) : (
          <button type="button" class="btn btn-primary" onClick={() => start(false)} disabled={!!stage && stage !== 'delete'}>
            {stage === 'checking' ? 'Checking…' : campaign.status === 'paused' ? 'Resume campaign' : 'Start campaign'}
          </button>
        )}
        <Link href={`/campaigns/${seg(id)}/edit`} class="btn">
          Edit sequence
        </Link>
        {!running && (
          <button type="button" class="btn btn-danger" onClick={() => setStage('delete')}>
            Delete
          </button>
        )}
      </div>
      {stage === 'confirm' && (
        <div class="banner banner-warn" role="alert">
          <div>
            <strong>Check these before you start:</strong>
            <ul>
              {warnings.map((w) => (
                <li key={w.key}>{w.text}</li>
              ))}
            </ul>
            <div class="btn-row">
              <button type="button" class="btn btn-primary" onClick={() => start(true)}>
                Start anyway
              </button>
              <Link href={`/campaigns/${seg(id)}/edit`} class="btn">
                Fix the sequence
              </Link>
              <button type="button" class="btn" onClick={() => setStage(null)}>
                Cancel
              </button>
            </div>
          </div>
        </div>
      )}
      {stage === 'delete' && (
        <ConfirmDelete question="Delete this campaign?" confirmLabel="Delete campaign" onConfirm={remove} onCancel={() => setStage(null)}>
          It disappears from lists; its leads stay in the workspace.
        </ConfirmDelete>
      )}
      {error && (
        <ErrorBanner error={error} title={running ? 'Could not pause:' : 'Could not start:'}>
          {error.message}
          {error.code === 'invalid_state' && /mailbox/i.test(error.message) && (
            <>
              {' '}
              <Link href="/mailboxes">Add a mailbox</Link>
            </>
          )}
        </ErrorBanner>
      )}
    </div>
  );
}

export default function CampaignPage({ id }) {
  const c = useAsync(() => get(`/v1/campaigns/${seg(id)}`).then((r) => r.data), [id]);
  const s = useAsync(() => get(`/v1/campaigns/${seg(id)}/stats`).then((r) => r.data), [id]);
  const lint = useAsync(() => get(`/v1/campaigns/${seg(id)}/lint`).then((r) => r.data), [id]);
  const campaign = c.data;
  useTitle(campaign ? campaign.name : 'Campaign');
  usePoll(() => s.reload(), STATS_EVERY_MS, [id]);
  usePoll(() => c.reload(), 10000, [id]);
  const warnings = useMemo(() => lintWarnings(lint.data, variantLabels(campaign)), [lint.data, campaign]);

  if (c.error) {
    return (
      <PageLoadError title="Campaign" back={<Link href="/campaigns" class="back-link">← Campaigns</Link>} error={c.error} onRetry={c.reload} notFound="There is no such campaign in this workspace." />
    );
  }
  if (!campaign)
    return (
      <Loading />
    );
  const steps = campaign.sequenceSteps.length;
  return (
    <section>
      <PageHeader
        back={
          <Link href="/campaigns" class="back-link">
            ← Campaigns
          </Link>
        }
        title={campaign.name}
        subtitle={
          <>
            <StatusBadge status={campaign.status} /> · {steps === 1 ? '1 step' : `${steps} steps`}
            {campaign.startedAt && <> · started {fmtDate(campaign.startedAt)}</>}
          </>
        }
        actions={<Controls campaign={campaign} onChange={(d) => { c.setData(d); s.reload(); lint.reload(); }} />}
      />
      {campaign.pauseReason && (
        <Banner kind="warn" title="Paused automatically:" role="status">
          {campaign.pauseReason.message}
        </Banner>
      )}
      {campaign.status !== 'running' && warnings.length > 0 && (
        <Banner kind="warn" title="Before you start:">
          <ul>
            {warnings.map((w) => (
              <li key={w.key}>{w.text}</li>
            ))}
          </ul>
        </Banner>
      )}
      {steps === 0 && (
        <Banner kind="info" title="No steps yet.">
          <Link href={`/campaigns/${seg(id)}/edit`}>Write the first email</Link> before you start.
        </Banner>
      )}
      {s.error && !s.data ? <ErrorBanner error={s.error} onRetry={s.reload} /> : <CampaignTotals campaign={campaign} stats={s.data} />}
      <VariantResults
        campaign={campaign}
        stats={s.data}
        onSaved={(d) => {
          c.setData(d);
          s.reload();
        }}
      />
      <Analytics id={id} status={campaign.status} tracking={!!(campaign.tracking?.opens || campaign.tracking?.clicks)} />
      <Leads campaign={campaign} />
    </section>
  );
}
