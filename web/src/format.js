// Display helpers. Everything here returns plain strings (rendered as text).
const num = new Intl.NumberFormat();
export const fmtNum = (n) => (n === null || n === undefined ? '—' : num.format(n));

/** A 0..1 rate as a percentage with one decimal. */
export const fmtRate = (r) =>
  r === null || r === undefined || Number.isNaN(r) ? '—' : (r * 100).toFixed(1).replace(/\.0$/, '') + ' %';

const dt = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
export const fmtDate = (iso) => {
  if (!iso) return '—';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? String(iso) : dt.format(d);
};

const shortSameYear = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric', hour: 'numeric', minute: '2-digit' });
const shortOtherYear = new Intl.DateTimeFormat(undefined, { year: 'numeric', month: 'short', day: 'numeric' });
/** Compact date for table cells: "Dec 4, 6:29 PM", or "Dec 4, 2024" in another year. */
export const fmtShort = (iso) => {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return String(iso);
  return (d.getFullYear() === new Date().getFullYear() ? shortSameYear : shortOtherYear).format(d);
};

const rtf = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' });
export function fmtAgo(iso) {
  if (!iso) return '—';
  const s = (new Date(iso).getTime() - Date.now()) / 1000;
  const abs = Math.abs(s);
  if (abs < 45) return rtf.format(Math.round(s), 'second');
  if (abs < 2700) return rtf.format(Math.round(s / 60), 'minute');
  if (abs < 64800) return rtf.format(Math.round(s / 3600), 'hour');
  return rtf.format(Math.round(s / 86400), 'day');
}

export const fullName = (l) => [l.firstName, l.lastName].filter(Boolean).join(' ');

export const plural = (n, one, many = one + 's') => `${fmtNum(n)} ${n === 1 ? one : many}`;

/** The IANA time zones this browser knows, UTC among them. */
export function timeZones() {
  try {
    const z = Intl.supportedValuesOf('timeZone');
    return z.includes('UTC') ? z : ['UTC', ...z];
  } catch {
    return ['UTC'];
  }
}
