// The inbox's shared pieces (SPEC §12): its labels, the unread count shown in
// the navigation, and the text-to-HTML of an answer.
import { useEffect, useState } from 'preact/hooks';
import { get } from './api.js';
import { usePoll } from './hooks.js';

/** Labels a reply can carry, in the order the buttons show them: [value, text]. */
export const LABELS = [
  ['interested', 'Interested'],
  ['not_interested', 'Not interested'],
  ['meeting_booked', 'Meeting booked'],
  ['out_of_office', 'Out of office'],
  ['wrong_person', 'Wrong person'],
  ['unsubscribe', 'Unsubscribe'],
];
const LABEL_TEXT = Object.fromEntries(LABELS);
export const labelText = (l) => LABEL_TEXT[l] || l;

/** What kind of inbound message an item is, when it is not a plain reply. */
export const KIND_TEXT = { auto_reply: 'Automatic reply', unsubscribe: 'Unsubscribe request' };

// GET /v1/inbox/summary, shared by the navigation and the inbox page: one
// copy, refreshed on a timer, on navigation and after a change.
let summary = null;
const listeners = new Set();
let inflight = null;

/** Fetches the summary again; every useInboxSummary() gets it. Never rejects. */
export function refreshInboxSummary() {
  if (!inflight) {
    inflight = get('/v1/inbox/summary')
      .then(
        (r) => {
          summary = r.data;
          for (const f of listeners) f(summary);
        },
        () => {},
      )
      .finally(() => {
        inflight = null;
      });
  }
  return inflight;
}

/** The inbox summary ({total, unread, labels}) or null while unknown; `every` ms polls it. */
export function useInboxSummary(every = 0) {
  const [s, setS] = useState(summary);
  useEffect(() => {
    listeners.add(setS);
    refreshInboxSummary();
    return () => listeners.delete(setS);
  }, []);
  usePoll(refreshInboxSummary, every);
  return s;
}

const ESC = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
const escapeHtml = (s) => s.replace(/[&<>"']/g, (c) => ESC[c]);

/**
 * An answer typed as plain text, as the simple HTML the API sends: every
 * character escaped, blank lines between paragraphs, single line breaks kept
 * as <br>. '' when there is no text.
 */
export function textToHtml(text) {
  return text
    .replace(/\r\n?/g, '\n')
    .split(/\n\s*\n/)
    .map((p) => p.replace(/^\n+|\s+$/g, ''))
    .filter((p) => p.trim())
    .map((p) => `<p>${escapeHtml(p).replace(/\n/g, '<br>')}</p>`)
    .join('');
}
