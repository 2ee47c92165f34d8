import { useEffect, useMemo, useState } from 'preact/hooks';
import { get, patch } from '../api.js';
import { useAsync, useTitle } from '../hooks.js';
import { fmtDate, timeZones } from '../format.js';
import { useNotify } from '../context.js';
import { PageHeader } from '../components/PageHeader.jsx';
import { Field, errorFor } from '../components/Field.jsx';
import { ErrorBanner } from '../components/ErrorBanner.jsx';
import { Loading } from '../components/PageStatus.jsx';

const DAYS = [
  [1, 'Mon', 'Monday'],
  [2, 'Tue', 'Tuesday'],
  [3, 'Wed', 'Wednesday'],
  [4, 'Thu', 'Thursday'],
  [5, 'Fri', 'Friday'],
  [6, 'Sat', 'Saturday'],
  [7, 'Sun', 'Sunday'],
];

const TIMES = Array.from({ length: 49 }, (_, i) => `${String(Math.floor(i / 2)).padStart(2, '0')}:${i % 2 ? '30' : '00'}`);

function TimeSelect({ value, onChange, from, to, ...rest }) {
  const opts = TIMES.filter((t) => t >= from && t <= to);
  return (
    <select {...rest} value={value} onChange={(e) => onChange(e.currentTarget.value)}>
      {!opts.includes(value) && <option value={value}>{value}</option>}
      {opts.map((t) => (
        <option key={t} value={t}>
          {t === '24:00' ? '24:00 (midnight)' : t}
        </option>
      ))}
    </select>
  );
}

export default function Delivery() {
  useTitle('Delivery settings');
  const notify = useNotify();
  const s = useAsync(() => get('/v1/settings/delivery').then((r) => r.data), []);
  const [form, setForm] = useState(null);
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const allZones = useMemo(timeZones, []);

  const fromData = (d) => ({
    capOn: d.dailyLimit !== null,
    dailyLimit: String(d.dailyLimit ?? 500),
    timezone: d.timezone || 'UTC',
    windowOn: !!d.sendingWindow,
    days: d.sendingWindow?.days ?? [1, 2, 3, 4, 5],
    start: d.sendingWindow?.start ?? '09:00',
    end: d.sendingWindow?.end ?? '17:00',
    minGapSeconds: String(d.minGapSeconds ?? 0),
  });
  useEffect(() => {
    if (s.data && !form) setForm(fromData(s.data));
  }, [s.data]);

  if (s.error) return <ErrorBanner error={s.error} onRetry={s.reload} />;
  if (!form)
    return (
      <Loading />
    );
  const set = (k, v) => setForm({ ...form, [k]: v });
  const toggleDay = (d) => set('days', form.days.includes(d) ? form.days.filter((x) => x !== d) : form.days.concat(d).sort());
  const browserZone = Intl.DateTimeFormat().resolvedOptions().timeZone;

  const submit = async (e) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    const body = {
      dailyLimit: form.capOn ? Number(form.dailyLimit) : null,
      timezone: form.timezone,
      sendingWindow: form.windowOn ? { days: form.days, start: form.start, end: form.end } : null,
      minGapSeconds: form.minGapSeconds === '' ? 0 : Number(form.minGapSeconds),
    };
    try {
      const r = await patch('/v1/settings/delivery', body);
      s.setData(r.data);
      setForm(fromData(r.data));
      notify('Delivery settings saved.');
    } catch (err) {
      setError(err);
    }
    setBusy(false);
  };
  const windowErr = errorFor(error, 'sendingWindow') && !/sendingWindow\.(days|start|end)/.test(error.param) ? error.message : null;

  return (
    <section>
      <PageHeader title="Delivery settings" subtitle="When and how fast this workspace sends, over all mailboxes." />
      <form class="card form" onSubmit={submit} noValidate aria-label="Delivery settings">
        {error && <ErrorBanner error={error} title="Not saved:" />}
        <Field label="Time zone" param="timezone" error={error} hint={`Daily limits restart at midnight here, and the sending window is read in it. Your browser is in ${browserZone}.`}>
          <select value={form.timezone} onChange={(e) => set('timezone', e.currentTarget.value)}>
            {!allZones.includes(form.timezone) && <option value={form.timezone}>{form.timezone}</option>}
            {allZones.map((z) => (
              <option key={z} value={z}>
                {z.replace(/_/g, ' ')}
              </option>
            ))}
          </select>
        </Field>
        <fieldset class="form">
          <legend>Sending window</legend>
          <Field label="Send only on some days and hours" inline>
            <input type="checkbox" checked={form.windowOn} onChange={(e) => set('windowOn', e.currentTarget.checked)} />
          </Field>
          {form.windowOn ? (
            <>
              <fieldset>
                <legend>Days</legend>
                <div class="checks">
                  {DAYS.map(([n, short, long]) => (
                    <label key={n}>
                      <input type="checkbox" checked={form.days.includes(n)} onChange={() => toggleDay(n)} aria-label={long} />
                      {short}
                    </label>
                  ))}
                </div>
                {errorFor(error, 'sendingWindow.days') && <p class="field-error">{error.message}</p>}
              </fieldset>
              <div class="form-row">
                <Field label="From" param="sendingWindow.start" error={error}>
                  <TimeSelect value={form.start} onChange={(v) => set('start', v)} from="00:00" to="23:30" />
                </Field>
                <Field label="Until" param="sendingWindow.end" error={error} hint="Nothing is sent at or after this time.">
                  <TimeSelect value={form.end} onChange={(v) => set('end', v)} from="00:30" to="24:00" />
                </Field>
              </div>
              <p class="hint">Leads with their own time zone get mail in their local window.</p>
            </>
          ) : (
            <p class="hint">Messages go out any day, any time.</p>
          )}
          {windowErr && <p class="field-error">{windowErr}</p>}
        </fieldset>
        <div class="form-row">
          <fieldset class="form">
            <legend>Workspace daily cap</legend>
            <Field label="Limit the messages per day over all mailboxes" inline>
              <input type="checkbox" checked={form.capOn} onChange={(e) => set('capOn', e.currentTarget.checked)} />
            </Field>
            {form.capOn && (
              <Field label="Messages per day" param="dailyLimit" error={error} hint="On top of each mailbox's own daily limit.">
                <input type="number" min="1" max="1000000" value={form.dailyLimit} onInput={(e) => set('dailyLimit', e.currentTarget.value)} />
              </Field>
            )}
          </fieldset>
          <fieldset class="form">
            <legend>Pacing</legend>
            <Field label="Least gap between two sends of a mailbox (seconds)" param="minGapSeconds" error={error} hint="0 turns pacing off. A random extra of up to 20 % is added.">
              <input type="number" min="0" max="86400" value={form.minGapSeconds} onInput={(e) => set('minGapSeconds', e.currentTarget.value)} />
            </Field>
          </fieldset>
        </div>
        <div class="btn-row">
          <button type="submit" class="btn btn-primary" disabled={busy}>
            {busy ? 'Saving…' : 'Save settings'}
          </button>
          <span class="muted small">{s.data?.updatedAt ? `Last changed ${fmtDate(s.data.updatedAt)}` : 'Never changed: these are the defaults.'}</span>
        </div>
      </form>
    </section>
  );
}
