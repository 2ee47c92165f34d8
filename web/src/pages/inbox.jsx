import { useEffect, useRef, useState } from 'preact/hooks';
import { Link, useLocation, useSearch } from 'wouter-preact';
import { get, newIdempotencyKey, patch, post, seg } from '../api.js';
import { useAsync, usePaged, useQueryParam, useTitle } from '../hooks.js';
import { fmtDate, fmtNum, fmtShort, fullName, plural } from '../format.js';
import { KIND_TEXT, LABELS, labelText, refreshInboxSummary, textToHtml, useInboxSummary } from '../inbox.js';
import { useNotify } from '../context.js';
import { PageHeader } from '../components/PageHeader.jsx';
import { Banner, ErrorBanner } from '../components/ErrorBanner.jsx';
import { EmptyState } from '../components/EmptyState.jsx';
import { Field } from '../components/Field.jsx';
import { Thread } from '../components/Thread.jsx';
import { Loading } from '../components/PageStatus.jsx';

const leadName = (lead) => fullName(lead || {}) || lead?.email || 'Unknown lead';

function LabelBadge({ label }) {
  if (!label) return null;
  return <span class={`badge badge-label badge-label-${label}`}>{labelText(label)}</span>;
}

/** One reply in the list: the lead's name is the link; the whole card is its target. */
function Item({ r, href, selected }) {
  const name = leadName(r.lead);
  return (
    <li class={`inbox-item ${r.read ? '' : 'unread'} ${selected ? 'selected' : ''}`} data-id={r.id}>
      <div class="inbox-item-top">
        {!r.read && <span class="unread-dot" aria-hidden="true" />}
        <Link href={href} class="inbox-item-link" aria-current={selected ? 'true' : undefined}>
          {!r.read && <span class="visually-hidden">Unread: </span>}
          {name}
        </Link>
        <time class="inbox-item-time" dateTime={r.receivedAt}>
          {fmtShort(r.receivedAt)}
        </time>
      </div>
      {name !== r.lead?.email && <p class="inbox-item-email">{r.lead?.email}</p>}
      <p class="inbox-item-subject">{r.subject || '(no subject)'}</p>
      {r.snippet && <p class="inbox-item-snippet">{r.snippet}</p>}
      <p class="inbox-item-meta">
        <span class="inbox-item-campaign">{r.campaignName}</span>
        {KIND_TEXT[r.kind] && <span class="badge">{KIND_TEXT[r.kind]}</span>}
        <LabelBadge label={r.label} />
      </p>
    </li>
  );
}

/** The answer box: plain text, sent as escaped HTML paragraphs from the mailbox the lead was written from. */
function AnswerBox({ item, onSent }) {
  const [text, setText] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const [result, setResult] = useState(null);
  // The submission in flight or last failed: {key, html}. Sending the same
  // answer again reuses its Idempotency-Key, so it cannot go out twice.
  const attempt = useRef(null);
  const mailbox = useAsync(
    () =>
      item.mailboxId
        ? get(`/v1/mailboxes/${seg(item.mailboxId)}`).then(
            (r) => r.data,
            () => null,
          )
        : Promise.resolve(null),
    [item.mailboxId],
  );
  const to = item.lead?.email || item.from;
  const submit = async (e) => {
    e.preventDefault();
    const bodyHtml = textToHtml(text);
    if (!bodyHtml) {
      setError({ message: 'Write the answer first.', param: 'bodyHtml' });
      return;
    }
    if (!attempt.current || attempt.current.html !== bodyHtml) attempt.current = { key: newIdempotencyKey(), html: bodyHtml };
    setBusy(true);
    setError(null);
    setResult(null);
    try {
      const r = await post(`/v1/inbox/${seg(item.id)}/reply`, { bodyHtml }, { idempotencyKey: attempt.current.key });
      attempt.current = null; // done: the next answer is a new one
      setResult(r.data);
      if (r.data.status === 'delivered') setText('');
      onSent(r.data);
    } catch (err) {
      // Refused (4xx): sending again is a new request. Otherwise the server
      // may have sent it: the same answer again keeps the key.
      if (err.status >= 400 && err.status < 500 && err.status !== 429) attempt.current = null;
      setError(err);
    }
    setBusy(false);
  };
  // The reply usually starts with its code ("550 5.1.1 …"): say it once.
  const smtp =
    result &&
    (result.smtpReply && String(result.smtpReply).startsWith(String(result.smtpCode))
      ? result.smtpReply
      : [result.smtpCode, result.smtpReply].filter(Boolean).join(' '));
  return (
    <form class="answer form" onSubmit={submit} aria-labelledby="answer-title" noValidate>
      <h3 id="answer-title">Answer</h3>
      {result &&
        (result.status === 'delivered' ? (
          <Banner kind="ok" title="Answer delivered." role="status">
            “{result.subject}” went to {to}
            {mailbox.data ? ` from ${mailbox.data.email}` : ''}.
          </Banner>
        ) : (
          <div class="banner banner-error" role="alert">
            <div>
              <strong class="banner-title">Answer not delivered ({result.status}).</strong>{' '}
              {smtp ? `The mail server answered: ${smtp}` : 'The mail server gave no answer.'}
            </div>
          </div>
        ))}
      {error && error.param !== 'bodyHtml' && <ErrorBanner error={error} title="Not sent:" />}
      <Field
        label="Your answer"
        param="bodyHtml"
        error={error}
        hint={`Plain text; a blank line starts a new paragraph. Sent to ${to}${mailbox.data ? ` from ${mailbox.data.email}` : ''}, in the same thread.`}
      >
        <textarea class="answer-text" rows={6} value={text} onInput={(e) => setText(e.currentTarget.value)} />
      </Field>
      <div class="btn-row">
        <button type="submit" class="btn btn-primary" disabled={busy}>
          {busy ? 'Sending…' : 'Send answer'}
        </button>
      </div>
    </form>
  );
}

/** An open reply: its whole text, label, read state, the thread and the answer box. */
function ReplyPane({ id, backHref, onChange }) {
  const notify = useNotify();
  const r = useAsync(() => get(`/v1/inbox/${seg(id)}`).then((x) => x.data), [id]);
  const item = r.data;
  const thread = useAsync(
    () => (item ? get(`/v1/campaigns/${seg(item.campaignId)}/leads/${seg(item.leadId)}/messages`).then((x) => x.data) : Promise.resolve(null)),
    [item?.campaignId, item?.leadId],
  );
  const [error, setError] = useState(null);
  const heading = useRef(null);
  const saving = useRef(false);
  const opened = useRef(false);

  const save = async (body, done) => {
    if (saving.current) return;
    saving.current = true;
    setError(null);
    try {
      const x = await patch(`/v1/inbox/${seg(id)}`, body);
      r.setData((old) => ({ ...old, ...x.data }));
      onChange(x.data);
      refreshInboxSummary();
      if (done) notify(done);
    } catch (e) {
      setError(e);
    }
    saving.current = false;
  };
  // Opening an unread reply marks it read (once; "Mark as unread" stays).
  useEffect(() => {
    if (!item || opened.current) return;
    opened.current = true;
    heading.current?.focus();
    if (!item.read) save({ read: true });
  }, [item]);

  if (r.error) {
    return (
      <div class="inbox-pane-body">
        <Link href={backHref} class="back-link">
          ← All replies
        </Link>
        <ErrorBanner error={r.error} onRetry={r.reload}>
          {r.error.status === 404 ? 'There is no such reply in this workspace: it may have been erased.' : r.error.message}
        </ErrorBanner>
      </div>
    );
  }
  if (!item)
    return (
      <Loading />
    );
  const lead = item.lead || {};
  const name = fullName(lead);
  return (
    <article class="inbox-pane-body" aria-labelledby="reply-title">
      <Link href={backHref} class="back-link narrow-only">
        ← All replies
      </Link>
      <div class="reply-head">
        <h2 id="reply-title" tabIndex={-1} ref={heading} class="wrap-anywhere">
          {item.subject || '(no subject)'}
        </h2>
        <button type="button" class="btn btn-small" onClick={() => save({ read: !item.read }, item.read ? 'Marked as unread.' : 'Marked as read.')}>
          {item.read ? 'Mark as unread' : 'Mark as read'}
        </button>
      </div>
      <dl class="kv">
        <dt>From</dt>
        <dd>{item.from}</dd>
        <dt>Lead</dt>
        <dd>
          {name ? `${name} · ` : ''}
          {lead.email}
          {lead.company ? ` · ${lead.company}` : ''} ·{' '}
          <Link href={`/leads/${seg(item.leadId)}`}>Lead page</Link>
        </dd>
        <dt>Campaign</dt>
        <dd>
          <Link href={`/campaigns/${seg(item.campaignId)}?lead=${seg(item.leadId)}`}>{item.campaignName}</Link>
          {item.stepNumber ? ` · answers step ${item.stepNumber}` : ''}
        </dd>
        <dt>Received</dt>
        <dd>
          <time dateTime={item.receivedAt}>{fmtDate(item.receivedAt)}</time>
          {KIND_TEXT[item.kind] ? ` · ${KIND_TEXT[item.kind]}` : ''}
        </dd>
      </dl>
      <div class="label-picker" role="group" aria-labelledby="label-picker-title">
        <span class="label" id="label-picker-title">
          Label this reply
        </span>
        <div class="btn-row">
          {LABELS.map(([v, t]) => (
            <button
              key={v}
              type="button"
              class={`btn btn-small label-btn ${item.label === v ? 'on' : ''}`}
              aria-pressed={item.label === v ? 'true' : 'false'}
              onClick={() => (item.label === v ? save({ label: null }, 'Label cleared.') : save({ label: v }, `Labelled ${t}.`))}
            >
              {t}
            </button>
          ))}
          {/* aria-disabled, not disabled: a disabled button would drop the keyboard focus once the label is cleared. */}
          <button
            type="button"
            class="btn btn-small btn-quiet"
            aria-disabled={item.label ? undefined : 'true'}
            onClick={() => item.label && save({ label: null }, 'Label cleared.')}
          >
            Clear label
          </button>
        </div>
      </div>
      {error && <ErrorBanner error={error} title="Not saved:" />}
      <div class="reply-text" data-testid="reply-text">
        {(item.text ?? item.snippet ?? '').replace(/\r\n?/g, '\n')}
      </div>
      <section aria-labelledby="conversation-title">
        <h3 id="conversation-title">Conversation in {item.campaignName}</h3>
        {thread.error ? (
          <ErrorBanner error={thread.error} onRetry={thread.reload} />
        ) : !thread.data ? (
          <Loading />
        ) : (
          <Thread items={thread.data} />
        )}
      </section>
      <AnswerBox item={item} onSent={() => thread.reload()} />
    </article>
  );
}

export default function Inbox({ id }) {
  useTitle('Inbox');
  const [location, navigate] = useLocation();
  const search = useSearch();
  const [campaignId, setCampaign] = useQueryParam('campaign', '');
  const [label, setLabel] = useQueryParam('label', '');
  const [unread, setUnread] = useQueryParam('unread', '');
  const summary = useInboxSummary();
  const campaigns = useAsync(
    () =>
      get('/v1/campaigns', { limit: 100 }).then(
        (r) => r.data,
        () => [],
      ),
    [],
  );
  const list = usePaged(
    (cursor) => get('/v1/inbox', { campaignId, label, unread: unread ? 'true' : '', cursor, limit: 25 }),
    [campaignId, label, unread],
  );
  const q = search ? '?' + search : '';
  const hrefOf = (itemId) => `/inbox/${seg(itemId)}${q}`;
  const update = (x) => list.setRows((rows) => rows.map((row) => (row.id === x.id ? { ...row, ...x } : row)));
  const filtered = !!(campaignId || label || unread);
  // The total when the list was loaded (from a summary fetched then, not an
  // older copy): more since then means new replies.
  const [baseline, setBaseline] = useState(null);
  const [fresh, setFresh] = useState(false);
  useEffect(() => {
    refreshInboxSummary().then(() => setFresh(true));
  }, []);
  useEffect(() => {
    if (fresh && summary && (baseline === null || summary.total < baseline)) setBaseline(summary.total);
  }, [fresh, summary, baseline]);
  const refresh = () => {
    list.reload();
    refreshInboxSummary().then(() => setBaseline(null));
  };
  // Label counts are the whole inbox's: shown when no campaign is picked.
  const counts = (!campaignId && summary?.labels) || {};
  const withCount = (v, text) => (counts[v]?.total ? `${text} (${fmtNum(counts[v].total)})` : text);
  const campaignOptions = campaigns.data || [];
  return (
    <section class={`inbox ${id ? 'has-open' : ''}`}>
      <PageHeader
        title="Inbox"
        subtitle={
          summary ? (
            <span data-testid="inbox-summary">
              {fmtNum(summary.unread)} unread of {plural(summary.total, 'reply', 'replies')}, across every campaign.
            </span>
          ) : (
            'Replies to your campaigns, newest first.'
          )
        }
        actions={
          <button type="button" class="btn" onClick={refresh}>
            Refresh
          </button>
        }
      />
      <div class="filters inbox-filters">
        <Field label="Campaign">
          <select value={campaignId} onChange={(e) => setCampaign(e.currentTarget.value)}>
            <option value="">All campaigns</option>
            {campaignId && !campaignOptions.some((c) => c.id === campaignId) && <option value={campaignId}>{campaignId}</option>}
            {campaignOptions.map((c) => (
              <option key={c.id} value={c.id}>
                {c.name}
              </option>
            ))}
          </select>
        </Field>
        <Field label="Label">
          <select value={label} onChange={(e) => setLabel(e.currentTarget.value)}>
            <option value="">All labels</option>
            {LABELS.map(([v, t]) => (
              <option key={v} value={v}>
                {withCount(v, t)}
              </option>
            ))}
            <option value="none">{withCount('none', 'No label')}</option>
          </select>
        </Field>
        <Field label="Unread only" inline className="filter-check">
          <input type="checkbox" checked={!!unread} onChange={(e) => setUnread(e.currentTarget.checked ? 'true' : '')} />
        </Field>
      </div>
      <div class="inbox-layout">
        <div class="inbox-list">
          {baseline !== null && summary && summary.total > baseline && (
            <div class="banner banner-info" role="status">
              <span>{plural(summary.total - baseline, 'new reply', 'new replies')} since this list was loaded.</span>
              <button type="button" class="btn btn-small" onClick={refresh}>
                Show
              </button>
            </div>
          )}
          {list.error && <ErrorBanner error={list.error} onRetry={list.reload} />}
          {!list.loading && !list.error && list.rows.length === 0 ? (
            filtered ? (
              <EmptyState
                title="No replies match these filters."
                action={
                  <button type="button" class="btn" onClick={() => navigate(location, { replace: true })}>
                    Show all replies
                  </button>
                }
              />
            ) : (
              <EmptyState
                title="No replies yet."
                action={
                  <Link href="/mailboxes" class="btn">
                    Check your mailboxes
                  </Link>
                }
              >
                Replies show up here once a mailbox with an IMAP inbox reads them. Give the mailboxes your campaigns send from their IMAP
                settings.
              </EmptyState>
            )
          ) : (
            <ol class="plain-list inbox-items" aria-label="Replies, newest first">
              {list.rows.map((r) => (
                <Item key={r.id} r={r} href={hrefOf(r.id)} selected={r.id === id} />
              ))}
            </ol>
          )}
          <div class="table-foot">
            {list.loading && (
              <span class="muted" role="status">
                Loading…
              </span>
            )}
            {list.nextCursor && !list.loading && (
              <button type="button" class="btn" onClick={list.loadMore}>
                Load more
              </button>
            )}
          </div>
        </div>
        <div class="inbox-pane">
          {id ? (
            <ReplyPane key={id} id={id} backHref={`/inbox${q}`} onChange={update} />
          ) : (
            <p class="inbox-placeholder muted">Open a reply to read all of it, label it and answer it.</p>
          )}
        </div>
      </div>
    </section>
  );
}
