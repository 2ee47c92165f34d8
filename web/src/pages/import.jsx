import { useEffect, useRef, useState } from 'preact/hooks';
import { Link } from 'wouter-preact';
import { get, newIdempotencyKey, post, seg } from '../api.js';
import { useAsync, useTitle } from '../hooks.js';
import { fmtNum } from '../format.js';
import { useNotify } from '../context.js';
import { TableWrap } from '../components/TableWrap.jsx';
import { PageHeader } from '../components/PageHeader.jsx';
import { Field } from '../components/Field.jsx';
import { Banner, ErrorBanner } from '../components/ErrorBanner.jsx';

/* global __CSV_WORKER_URL__ */
const BATCH_SIZE = 2000; // the server takes up to 10,000 leads per request
const SHOWN_ERRORS = 200;

const TARGETS = [
  ['email', 'Email'],
  ['firstName', 'First name'],
  ['lastName', 'Last name'],
  ['company', 'Company'],
  ['jobTitle', 'Job title'],
  ['timezone', 'Time zone'],
  ['custom', 'Custom field'],
  ['skip', 'Do not import'],
];
const SYNONYMS = {
  email: ['email', 'e-mail', 'emailaddress', 'mail', 'workemail', 'businessemail', 'courriel'],
  firstName: ['firstname', 'first', 'givenname', 'fname', 'forename', 'prenom', 'vorname'],
  lastName: ['lastname', 'last', 'surname', 'familyname', 'lname', 'nom', 'nachname'],
  company: ['company', 'companyname', 'organization', 'organisation', 'org', 'account', 'accountname', 'employer', 'business'],
  jobTitle: ['jobtitle', 'title', 'position', 'role', 'job', 'designation'],
  timezone: ['timezone', 'tz', 'zone'],
};
const norm = (h) => h.toLowerCase().normalize('NFD').replace(/[^a-z0-9]/g, '');

/** A token-friendly key for a custom column: "Seat count" → seatCount. */
export function customKey(header) {
  const words = header
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean);
  if (!words.length) return header.slice(0, 100) || 'field';
  const k = words.map((w, i) => (i ? w[0].toUpperCase() + w.slice(1) : w[0].toLowerCase() + w.slice(1))).join('');
  return (/^[0-9]/.test(k) ? 'f' + k : k).slice(0, 100);
}

export function guessMapping(fields) {
  const used = new Set();
  return fields.map((column) => {
    const n = norm(column);
    let target = 'custom';
    for (const [t, syn] of Object.entries(SYNONYMS)) {
      if (!used.has(t) && syn.includes(n)) {
        target = t;
        break;
      }
    }
    if (target === 'custom' && !used.has('email') && n.includes('email')) target = 'email';
    if (target !== 'custom') used.add(target);
    return { column, target, key: customKey(column) };
  });
}

/** CSV text of the per-row errors; values that a spreadsheet would run as formulas are quoted with '. */
function errorsCsv(errors) {
  const cell = (v) => {
    let s = v === null || v === undefined ? '' : String(v);
    if (/^[=+\-@\t\r]/.test(s)) s = "'" + s;
    return /[",\r\n]/.test(s) ? '"' + s.replace(/"/g, '""') + '"' : s;
  };
  const lines = [['row', 'email', 'field', 'code', 'message'].join(',')];
  for (const e of errors) lines.push([e.row, e.email, e.field, e.code, e.message].map(cell).join(','));
  return lines.join('\r\n') + '\r\n';
}

function download(name, text) {
  const url = URL.createObjectURL(new Blob([text], { type: 'text/csv;charset=utf-8' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}

const fieldOf = (e) => {
  if (e.param) return e.param.replace(/^leads\[\d+\]\.?/, '') || 'email';
  if (e.code === 'missing_email' || e.code === 'invalid_email' || e.code === 'suppressed' || e.code === 'duplicate_email') return 'email';
  if (e.code === 'invalid_timezone') return 'timezone';
  return '';
};

export default function Import({ id }) {
  const notify = useNotify();
  const c = useAsync(() => get(`/v1/campaigns/${seg(id)}`).then((r) => r.data), [id]);
  useTitle(c.data ? `Import leads · ${c.data.name}` : 'Import leads');
  const [file, setFile] = useState(null);
  const [phase, setPhase] = useState('choose'); // choose | analyzing | map | importing | done | cancelled | failed
  const [info, setInfo] = useState(null); // {fields, total, sample, problems}
  const [mapping, setMapping] = useState([]);
  const [progress, setProgress] = useState({ handled: 0, total: 0 });
  const [totals, setTotals] = useState(null);
  const [rowErrors, setRowErrors] = useState([]);
  const [error, setError] = useState(null);
  const [cancelling, setCancelling] = useState(false);
  const worker = useRef(null);
  const abort = useRef(null);
  const fileInput = useRef(null);
  const resultHeading = useRef(null);

  const newWorker = () => {
    worker.current?.terminate();
    worker.current = new Worker(__CSV_WORKER_URL__);
    return worker.current;
  };
  useEffect(() => () => worker.current?.terminate(), []);

  const choose = (e) => {
    const f = e.currentTarget.files[0];
    setFile(f || null);
    setError(null);
    setInfo(null);
    setTotals(null);
    setRowErrors([]);
    if (!f) return setPhase('choose');
    setPhase('analyzing');
    const w = newWorker();
    w.onmessage = (ev) => {
      const m = ev.data;
      if (m.type === 'analyzed') {
        if (!m.fields.length || !m.total) {
          setError({ message: m.fields.length ? 'The file has a header row but no leads.' : 'The file is empty.' });
          setPhase('choose');
          return;
        }
        setInfo(m);
        setMapping(guessMapping(m.fields));
        setPhase('map');
      } else if (m.type === 'error') {
        setError({ message: m.message });
        setPhase('choose');
      }
    };
    w.postMessage({ type: 'analyze', file: f });
  };

  const setTarget = (i, target) => setMapping(mapping.map((m, j) => (j === i ? { ...m, target } : m)));
  const setKey = (i, key) => setMapping(mapping.map((m, j) => (j === i ? { ...m, key } : m)));
  const emailMapped = mapping.some((m) => m.target === 'email');
  const dupTargets = TARGETS.map(([t]) => t).filter((t) => t !== 'custom' && t !== 'skip' && mapping.filter((m) => m.target === t).length > 1);
  const customs = mapping.filter((m) => m.target === 'custom');
  const badKeys = customs.filter((m) => !m.key.trim() || m.key.length > 100 || customs.filter((x) => x.key === m.key).length > 1);

  const start = () => {
    setError(null);
    setRowErrors([]);
    const sum = { received: 0, created: 0, updated: 0, enrolled: 0, alreadyEnrolled: 0, errors: 0 };
    setTotals({ ...sum });
    setProgress({ handled: 0, total: info.total });
    setPhase('importing');
    setCancelling(false);
    const ctl = new AbortController();
    abort.current = ctl;
    let handled = 0;
    const errs = [];
    const w = newWorker();
    const finish = (phaseName) => {
      setPhase(phaseName);
      abort.current = null;
      setTimeout(() => resultHeading.current?.focus(), 0);
    };
    w.onmessage = async (ev) => {
      const m = ev.data;
      if (m.type === 'batch') {
        for (const p of m.problems) errs.push(p);
        handled += m.problems.length;
        sum.errors += m.problems.length;
        if (m.leads.length) {
          try {
            const r = await post(`/v1/campaigns/${seg(id)}/leads/bulk`, { leads: m.leads }, { idempotencyKey: newIdempotencyKey() });
            const d = r.data;
            for (const k of ['received', 'created', 'updated', 'enrolled', 'alreadyEnrolled']) sum[k] += d[k] || 0;
            for (const e of d.errors) {
              errs.push({ row: m.rows[e.index], email: e.email, field: fieldOf(e), code: e.code, message: e.message });
            }
            sum.errors += d.errors.length;
          } catch (e) {
            if (e.param) {
              const mm = /^leads\[(\d+)\]/.exec(e.param);
              if (mm) e.message = `Row ${m.rows[Number(mm[1])]}: ${e.message}`;
            }
            setError(e);
            w.terminate();
            errs.sort((a, b) => a.row - b.row);
            setRowErrors(errs.slice());
            setTotals({ ...sum });
            finish('failed');
            return;
          }
          handled += m.leads.length;
        }
        setProgress({ handled, total: info.total });
        setTotals({ ...sum });
        setRowErrors(errs.slice());
        if (ctl.signal.aborted) {
          w.postMessage({ type: 'cancel' });
          return;
        }
        w.postMessage({ type: 'continue' });
      } else if (m.type === 'done') {
        errs.sort((a, b) => a.row - b.row);
        setRowErrors(errs.slice());
        setProgress({ handled: info.total, total: info.total });
        notify(`Import finished: ${fmtNum(sum.enrolled)} enrolled, ${fmtNum(sum.alreadyEnrolled)} already enrolled, ${fmtNum(sum.errors)} not imported.`);
        finish('done');
      } else if (m.type === 'cancelled') {
        errs.sort((a, b) => a.row - b.row);
        setRowErrors(errs.slice());
        finish('cancelled');
      } else if (m.type === 'error') {
        setError({ message: m.message });
        finish('failed');
      }
    };
    w.postMessage({ type: 'import', file, mapping, batchSize: BATCH_SIZE });
  };

  const cancel = () => {
    setCancelling(true);
    abort.current?.abort();
  };
  const again = () => {
    setPhase('choose');
    setFile(null);
    setInfo(null);
    setTotals(null);
    setRowErrors([]);
    setError(null);
    if (fileInput.current) fileInput.current.value = '';
    setTimeout(() => fileInput.current?.focus(), 0);
  };

  const pct = progress.total ? Math.round((progress.handled / progress.total) * 100) : 0;
  const busy = phase === 'importing' || phase === 'analyzing';
  const campaign = c.data;

  return (
    <section>
      <PageHeader
        back={
          <Link href={`/campaigns/${seg(id)}`} class="back-link">
            ← Back to {campaign ? campaign.name : 'the campaign'}
          </Link>
        }
        title="Import leads"
        subtitle="From a CSV file with a header row. Leads are matched by email: existing ones are updated, new ones created, and all are enrolled in this campaign."
      />
      {c.error && <ErrorBanner error={c.error} onRetry={c.reload} />}
      <div class="card form">
        <Field label="CSV file" hint="UTF-8, comma, semicolon or tab separated; the first row names the columns.">
          <input ref={fileInput} type="file" accept=".csv,.tsv,.txt,text/csv" onChange={choose} disabled={busy} />
        </Field>
        {phase === 'analyzing' && (
          <p class="muted" role="status">
            Reading {file?.name}…
          </p>
        )}
      </div>
      {error && <ErrorBanner error={error} title={phase === 'failed' ? 'The import stopped:' : undefined} />}

      {info && (phase === 'map' || phase === 'importing' || phase === 'done' || phase === 'cancelled' || phase === 'failed') && (
        <section class="card" aria-labelledby="map-title">
          <h2 id="map-title">Columns</h2>
          <p>
            {file.name}: {fmtNum(info.total)} rows, {fmtNum(info.fields.length)} columns
            {info.problems.length > 0 && `, ${fmtNum(info.problems.length)} rows the parser could not read (listed after the import)`}.
          </p>
          <TableWrap label="Column mapping" stack>
            <table class="table mapping">
              <caption class="visually-hidden">Map each column of the file to a lead field</caption>
              <thead>
                <tr>
                  <th scope="col">Column in the file</th>
                  <th scope="col">Examples</th>
                  <th scope="col">Import as</th>
                  <th scope="col">Custom field name</th>
                </tr>
              </thead>
              <tbody>
                {mapping.map((m, i) => (
                  <tr key={m.column}>
                    <th scope="row" data-label="Column">
                      {m.column || `(column ${i + 1})`}
                    </th>
                    <td class="sample" data-label="Examples">
                      {info.sample
                        .map((r) => r[m.column])
                        .filter((v) => v !== undefined && v !== '')
                        .slice(0, 3)
                        .join(' · ') || '—'}
                    </td>
                    <td data-label="Import as">
                      <label class="visually-hidden" for={`map-${i}`}>
                        Import column {m.column} as
                      </label>
                      <select id={`map-${i}`} value={m.target} disabled={phase !== 'map'} onChange={(e) => setTarget(i, e.currentTarget.value)}>
                        {TARGETS.map(([v, l]) => (
                          <option key={v} value={v}>
                            {l}
                          </option>
                        ))}
                      </select>
                    </td>
                    <td data-label="Custom field">
                      {m.target === 'custom' ? (
                        <>
                          <label class="visually-hidden" for={`key-${i}`}>
                            Custom field name for column {m.column}
                          </label>
                          <input
                            id={`key-${i}`}
                            type="text"
                            maxLength={100}
                            value={m.key}
                            disabled={phase !== 'map'}
                            onInput={(e) => setKey(i, e.currentTarget.value)}
                            aria-invalid={badKeys.includes(m) ? 'true' : undefined}
                          />
                          <span class="cell-sub">in templates: {`{{${m.key}}}`}</span>
                        </>
                      ) : (
                        <span class="muted">—</span>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableWrap>
          {!emailMapped && <Banner kind="warn">Choose the column that holds the email address: every lead needs one.</Banner>}
          {dupTargets.length > 0 && <Banner kind="warn">Each lead field can come from one column only ({dupTargets.join(', ')} is chosen twice).</Banner>}
          {badKeys.length > 0 && <Banner kind="warn">Custom field names must be 1 to 100 characters and different from each other.</Banner>}
          {phase === 'map' && (
            <div class="btn-row">
              <button type="button" class="btn btn-primary" onClick={start} disabled={!emailMapped || dupTargets.length > 0 || badKeys.length > 0}>
                Import {fmtNum(info.total)} leads
              </button>
              <button type="button" class="btn" onClick={again}>
                Choose another file
              </button>
            </div>
          )}
        </section>
      )}

      {totals && (
        <section class="card" aria-labelledby="progress-title">
          <h2 id="progress-title" tabIndex={-1} ref={resultHeading}>
            {phase === 'importing' ? 'Importing…' : phase === 'done' ? 'Import finished' : phase === 'cancelled' ? 'Import cancelled' : 'Import stopped'}
          </h2>
          <div class="progress-block">
            <label for="import-progress">
              {fmtNum(progress.handled)} of {fmtNum(progress.total)} rows handled ({pct} %)
            </label>
            <progress id="import-progress" max={progress.total || 1} value={progress.handled}>
              {pct} %
            </progress>
          </div>
          <dl class="kv" aria-live="polite">
            <dt>Enrolled</dt>
            <dd data-testid="enrolled">{fmtNum(totals.enrolled)}</dd>
            <dt>New leads</dt>
            <dd>{fmtNum(totals.created)}</dd>
            <dt>Updated leads</dt>
            <dd>{fmtNum(totals.updated)}</dd>
            <dt>Already enrolled</dt>
            <dd>{fmtNum(totals.alreadyEnrolled)}</dd>
            <dt>Rows with errors</dt>
            <dd data-testid="error-count">{fmtNum(totals.errors)}</dd>
          </dl>
          <div class="btn-row">
            {phase === 'importing' && (
              <button type="button" class="btn" onClick={cancel} disabled={cancelling}>
                {cancelling ? 'Stopping after this batch…' : 'Cancel'}
              </button>
            )}
            {phase !== 'importing' && (
              <>
                <Link href={`/campaigns/${seg(id)}`} class="btn btn-primary">
                  Go to the campaign
                </Link>
                <button type="button" class="btn" onClick={again}>
                  Import another file
                </button>
              </>
            )}
          </div>
        </section>
      )}

      {rowErrors.length > 0 && phase !== 'importing' && (
        <section class="card" aria-labelledby="errors-title">
          <div class="card-header">
            <h2 id="errors-title">Rows not imported ({fmtNum(rowErrors.length)})</h2>
            <button type="button" class="btn" onClick={() => download(`${(file?.name || 'leads').replace(/\.[^.]*$/, '')}-errors.csv`, errorsCsv(rowErrors))}>
              Download errors as CSV
            </button>
          </div>
          <TableWrap label="Rows not imported" stack>
            <table class="table">
              <caption class="visually-hidden">Rows not imported, with the reason</caption>
              <thead>
                <tr>
                  <th scope="col" class="num">
                    Row
                  </th>
                  <th scope="col">Email</th>
                  <th scope="col">Field</th>
                  <th scope="col">Problem</th>
                </tr>
              </thead>
              <tbody>
                {rowErrors.slice(0, SHOWN_ERRORS).map((e, i) => (
                  <tr key={i}>
                    <td class="num" data-label="Row">
                      {e.row}
                    </td>
                    <td data-label="Email">{e.email || '—'}</td>
                    <td data-label="Field">{e.field || '—'}</td>
                    <td data-label="Problem">{e.message}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableWrap>
          {rowErrors.length > SHOWN_ERRORS && <p class="muted">The first {SHOWN_ERRORS} are shown; the download has all of them.</p>}
        </section>
      )}
    </section>
  );
}
