import { fmtDate } from '../format.js';

const KIND = {
  step: 'Sequence step',
  reply: 'Reply',
  auto_reply: 'Automatic reply',
  bounce: 'Bounce',
  delay: 'Delivery delayed',
  unsubscribe: 'Unsubscribe',
  answer: 'Answer',
};

/**
 * A lead's messages (GET …/leads/:leadId/messages), oldest first, as text:
 * steps and answers sent from the inbox (outbound), replies, automatic
 * replies, bounces and delays (inbound).
 * variantLabels (variantId → label) names the A/B variant a step message used.
 */
export function Thread({ items, variantLabels }) {
  return (
    <ol class="thread">
      {items.map((m) => (
        <li key={m.id} class={`thread-item ${m.direction}`}>
          <div class="thread-meta">
            <span>{m.direction === 'inbound' ? 'Received' : 'Sent'}</span>
            <span>{KIND[m.kind] || m.kind}</span>
            {m.stepNumber && <span>Step {m.stepNumber}</span>}
            {m.variantId && variantLabels?.has(m.variantId) && <span>Variant {variantLabels.get(m.variantId)}</span>}
            {m.status && <span class={`badge badge-${m.status}`}>{m.status}</span>}
            <time dateTime={m.at}>{fmtDate(m.at)}</time>
          </div>
          <p class="thread-subject">{m.subject || '(no subject)'}</p>
          {m.from && <p class="small muted">From: {m.from}</p>}
          {m.snippet && <p class="thread-snippet">{m.snippet}</p>}
          {(m.smtpCode || m.smtpReply) && (
            <p class="small muted">
              SMTP {m.smtpReply && m.smtpCode && m.smtpReply.startsWith(String(m.smtpCode)) ? m.smtpReply : [m.smtpCode, m.smtpReply].filter(Boolean).join(' ')}
            </p>
          )}
          {m.dsnStatus && <p class="small muted">Delivery status {m.dsnStatus}</p>}
        </li>
      ))}
    </ol>
  );
}
