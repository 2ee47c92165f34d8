import { Link } from 'wouter-preact';
import { get } from '../api.js';
import { useAsync, usePoll, useQueryParam, useTitle } from '../hooks.js';
import { fmtNum, fmtRate } from '../format.js';
import { PageHeader } from '../components/PageHeader.jsx';
import { ErrorBanner } from '../components/ErrorBanner.jsx';
import { EmptyState } from '../components/EmptyState.jsx';
import { TableWrap } from '../components/TableWrap.jsx';
import { StatCards } from '../components/StatCards.jsx';
import { Loading } from '../components/PageStatus.jsx';

const RANGES = [
  ['1', 'Last 24 hours'],
  ['7', 'Last 7 days'],
  ['30', 'Last 30 days'],
];
// A mailbox whose bounce rate passes this is flagged: mailbox providers start
// to distrust a sender around 2-5 %.
const BOUNCE_WARN = 0.05;

function rangeParams(days) {
  const to = new Date(Math.ceil(Date.now() / 3600000) * 3600000);
  const from = new Date(to.getTime() - Number(days) * 86400000);
  const iso = (d) => d.toISOString().replace(/\.\d{3}Z$/, 'Z');
  return { from: iso(from), to: iso(to) };
}

function Totals({ totals }) {
  return (
    <StatCards
      label="Workspace totals"
      cards={[
        ['Sent', fmtNum(totals.sent)],
        ['Delivered', fmtNum(totals.delivered)],
        ['Bounced', fmtNum(totals.bounced)],
        ['Bounce rate', fmtRate(totals.bounceRate)],
        ['Replied', fmtNum(totals.replied)],
        ['Reply rate', fmtRate(totals.replyRate)],
      ]}
    />
  );
}

function Usage({ sent, limit }) {
  const share = limit > 0 ? Math.min(1, sent / limit) : 0;
  return (
    <>
      <span>
        {fmtNum(sent)} of {fmtNum(limit)}
      </span>
      <progress class="usage" max={limit || 1} value={Math.min(sent, limit || 1)} aria-label={`Sent today: ${Math.round(share * 100)} % of the daily limit`} />
    </>
  );
}

function MailboxHealth({ mailboxes }) {
  if (mailboxes.length === 0) {
    return (
      <EmptyState
        title="No mailboxes yet."
        action={
          <Link href="/mailboxes?form=new" class="btn btn-primary">
            Add a mailbox
          </Link>
        }
      >
        Campaigns send from your own SMTP mailboxes. Add one to start.
      </EmptyState>
    );
  }
  return (
    <TableWrap label="Mailbox health" stack>
      <table class="table">
        <caption class="visually-hidden">Mailbox health</caption>
        <thead>
          <tr>
            <th scope="col">Mailbox</th>
            <th scope="col">Status</th>
            <th scope="col">Sent today</th>
            <th scope="col" class="num">
              Sent
            </th>
            <th scope="col" class="num">
              Bounce rate
            </th>
            <th scope="col" class="num">
              Reply rate
            </th>
            <th scope="col">Last error</th>
          </tr>
        </thead>
        <tbody>
          {mailboxes.map((m) => (
            <tr key={m.mailboxId} class={m.bounceRate > BOUNCE_WARN ? 'row-warn' : ''}>
              <td data-label="Mailbox" class="mailbox-cell">
                <div class="cell">
                  <Link href="/mailboxes" class="cell-main">
                    {m.email}
                  </Link>
                </div>
              </td>
              <td data-label="Status">
                <div class="cell">
                  <span class={`badge badge-${m.status}`}>{m.status}</span>
                </div>
              </td>
              <td data-label="Sent today">
                <div class="cell usage-cell">
                  <Usage sent={m.sentToday} limit={m.dailyLimit} />
                </div>
              </td>
              <td class="num" data-label="Sent">
                <div class="cell">{fmtNum(m.sent)}</div>
              </td>
              <td class="num" data-label="Bounce rate">
                <div class="cell">
                  {fmtRate(m.bounceRate)}
                  {m.bounceRate > BOUNCE_WARN && <span class="visually-hidden"> (high)</span>}
                </div>
              </td>
              <td class="num" data-label="Reply rate">
                <div class="cell">{fmtRate(m.replyRate)}</div>
              </td>
              <td data-label="Last error">
                <div class={`cell wrap-anywhere ${m.lastError ? 'field-error' : 'muted'}`}>{m.lastError || 'None'}</div>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </TableWrap>
  );
}

export default function Overview() {
  useTitle('Overview');
  const [days, setDays] = useQueryParam('days', '7');
  const o = useAsync(() => get('/v1/analytics/overview', rangeParams(days)).then((r) => r.data), [days]);
  usePoll(() => o.reload(), 30000, [days]);
  const data = o.data;
  return (
    <section>
      <PageHeader title="Overview" subtitle="What your mailboxes sent and how they are doing, across every campaign." />
      <div class="card-header">
        <div class="segmented" role="group" aria-label="Range">
          {RANGES.map(([v, l]) => (
            <button key={v} type="button" aria-pressed={days === v ? 'true' : 'false'} onClick={() => setDays(v)}>
              {l}
            </button>
          ))}
        </div>
      </div>
      {o.error && <ErrorBanner error={o.error} onRetry={o.reload} />}
      {!data && !o.error && (
        <Loading />
      )}
      {data && (
        <>
          <Totals totals={data.totals} />
          <section class="card" aria-labelledby="health-title">
            <div class="card-header">
              <h2 id="health-title">Mailbox health</h2>
              <span class="small muted">Sent today counts the workspace's day ({data.timezone}).</span>
            </div>
            <MailboxHealth mailboxes={data.mailboxes} />
          </section>
        </>
      )}
    </section>
  );
}
