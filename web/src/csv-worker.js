// The CSV import's Web Worker: Papa Parse streams the file here, off the
// page's thread, so a 100,000-row file never freezes the tab. (Papa's own
// `worker: true` would start a blob: worker, which the CSP forbids.)
//
// Messages in:
//   {type: 'analyze', file}                  → {type: 'analyzed', fields, total, sample, problems}
//   {type: 'import', file, mapping, batchSize} → {type: 'batch', leads, rows, processed, problems}
//                                                … (waits for 'continue' after each) …
//                                                {type: 'done', processed, problems}
//   {type: 'continue'} | {type: 'cancel'}
// `rows[i]` is the line of leads[i] in a spreadsheet view of the file (the
// header is row 1). `problems` are rows the parser itself could not read.
import Papa from 'papaparse';

const BASE = { header: true, skipEmptyLines: 'greedy', transformHeader: (h) => h.trim(), chunkSize: 512 * 1024 };
const MAX_PROBLEMS = 5000;

function describe(err) {
  if (err.code === 'TooFewFields' || err.code === 'TooManyFields') return { field: '', message: err.message.replace(/parsed/, 'this row has') };
  if (err.code === 'MissingQuotes' || err.code === 'InvalidQuotes') return { field: '', message: 'A quoted value is not closed or has a stray quote: ' + err.message };
  return { field: '', message: err.message };
}

/** Row problems of one chunk, keyed by the data row index they concern. */
function chunkProblems(results, offset) {
  const map = new Map();
  for (const e of results.errors) {
    if (typeof e.row !== 'number') continue;
    const idx = e.row >= offset ? e.row : offset + e.row;
    if (!map.has(idx)) map.set(idx, { row: idx + 2, email: null, code: 'csv_' + e.code, ...describe(e) });
  }
  return map;
}

function analyze(file) {
  let total = 0;
  const sample = [];
  const problems = [];
  let fields = [];
  Papa.parse(file, {
    ...BASE,
    chunk(results) {
      if (!fields.length && results.meta.fields) fields = results.meta.fields;
      const probs = chunkProblems(results, total);
      for (const p of probs.values()) if (problems.length < MAX_PROBLEMS) problems.push(p);
      for (const row of results.data) {
        if (sample.length < 5) sample.push(row);
      }
      total += results.data.length;
    },
    complete() {
      postMessage({ type: 'analyzed', fields, total, sample, problems, bytes: file.size });
    },
    error(err) {
      postMessage({ type: 'error', message: 'The file could not be read: ' + (err.message || err) });
    },
  });
}

const trim = (v) => (typeof v === 'string' ? v.trim() : v);

/** mapping: [{column, target, key}] target ∈ email|firstName|lastName|company|jobTitle|timezone|custom|skip */
function toLead(row, mapping) {
  const lead = {};
  let custom = null;
  for (const m of mapping) {
    const v = trim(row[m.column]);
    if (v === undefined || v === null || v === '') continue;
    if (m.target === 'skip') continue;
    if (m.target === 'custom') {
      (custom ||= {})[m.key] = v;
    } else {
      lead[m.target] = v;
    }
  }
  if (custom) lead.customFields = custom;
  return lead;
}

// Import: rows are queued as leads (or problems); full batches go to the
// page one at a time, and parsing pauses while the queue holds a full batch.
let job = null;

function runImport(file, mapping, batchSize) {
  job = { mapping, batchSize, leads: [], rows: [], problems: [], processed: 0, parsed: false, waiting: false, parser: null, cancelled: false };
  const my = job;
  Papa.parse(file, {
    ...BASE,
    chunk(results, p) {
      if (my.cancelled) return p.abort();
      my.parser = p;
      const probs = chunkProblems(results, my.processed);
      for (let i = 0; i < results.data.length; i++) {
        const idx = my.processed + i;
        const prob = probs.get(idx);
        if (prob) my.problems.push(prob);
        else {
          my.leads.push(toLead(results.data[i], my.mapping));
          my.rows.push(idx + 2);
        }
      }
      my.processed += results.data.length;
      if (my.leads.length >= my.batchSize) p.pause();
      send(my);
    },
    complete() {
      my.parsed = true;
      send(my);
    },
    error(err) {
      postMessage({ type: 'error', message: 'The file could not be read: ' + (err.message || err) });
    },
  });
}

function send(my) {
  if (my.cancelled || my.waiting) return;
  const full = my.leads.length >= my.batchSize;
  if (full || (my.parsed && (my.leads.length || my.problems.length))) {
    const leads = my.leads.splice(0, my.batchSize);
    const rows = my.rows.splice(0, my.batchSize);
    const problems = my.problems.splice(0);
    my.waiting = true;
    postMessage({ type: 'batch', leads, rows, problems, last: my.parsed && !my.leads.length });
  } else if (my.parsed) {
    postMessage({ type: 'done', processed: my.processed });
    job = null;
  }
}

self.onmessage = (e) => {
  const m = e.data;
  if (m.type === 'analyze') analyze(m.file);
  else if (m.type === 'import') runImport(m.file, m.mapping, m.batchSize);
  else if (m.type === 'continue' && job) {
    job.waiting = false;
    if (job.parsed || job.leads.length >= job.batchSize) send(job);
    else job.parser?.resume();
  } else if (m.type === 'cancel' && job) {
    job.cancelled = true;
    try {
      job.parser?.abort();
    } catch {
      /* already finished */
    }
    job = null;
    postMessage({ type: 'cancelled' });
  }
};
