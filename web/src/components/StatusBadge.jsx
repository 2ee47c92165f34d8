const LABELS = { running: 'Running', paused: 'Paused', draft: 'Draft' };
/** A status word with a colour; the word itself carries the meaning. */
export function StatusBadge({ status }) {
  return <span class={`badge badge-${status}`}>{LABELS[status] || status}</span>;
}
