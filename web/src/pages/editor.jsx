import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { Link } from 'wouter-preact';
import { get, patch, post, seg } from '../api.js';
import { useAsync, useQueryParam, useTitle } from '../hooks.js';
import { fullName } from '../format.js';
import { lintWarnings } from '../lint.js';
import { PageHeader } from '../components/PageHeader.jsx';
import { Field, errorFor } from '../components/Field.jsx';
import { Banner, ErrorBanner } from '../components/ErrorBanner.jsx';
import { StatusBadge } from '../components/StatusBadge.jsx';

const SAVE_DELAY_MS = 800;
const SAMPLE_LEAD = {
  email: 'ada@analytical.example',
  firstName: 'Ada',
  lastName: 'Lovelace',
  company: 'Analytical Engines',
  jobTitle: 'Head of Research',
};

let stepKeySeq = 0;
const toDraft = (s) => ({ key: ++stepKeySeq, subject: s.subject ?? '', bodyHtml: s.bodyHtml ?? '', delayDays: String(s.delayDays ?? 0) });
const toInput = (s) => ({ subject: s.subject, bodyHtml: s.bodyHtml, delayDays: s.delayDays === '' ? 0 : Number(s.delayDays) });

function StepEditor({ step, index, count, locked, error, onChange, onMove, onDelete, onFocus, current }) {
  const p = `sequenceSteps[${index}]`;
  const id = `step-${step.key}`;
  const stepError = error && error.param === p ? error.message : null;
  return (
    <li class={`step-card ${current ? 'current' : ''}`} onFocusIn={onFocus} aria-labelledby={`${id}-title`}>
      <div class="step-head">
        <h3 id={`${id}-title`} tabIndex={-1}>
          Step {index + 1}
        </h3>
        <div class="btn-row">
          <button type="button" class="btn btn-small" id={`${id}-up`} disabled={locked || index === 0} onClick={() => onMove(-1, 'up')} aria-label={`Move step ${index + 1} up`}>
            ↑ Up
          </button>
          <button
            type="button"
            class="btn btn-small"
            id={`${id}-down`}
            disabled={locked || index === count - 1}
            onClick={() => onMove(1, 'down')}
            aria-label={`Move step ${index + 1} down`}
          >
            ↓ Down
          </button>
          <button type="button" class="btn btn-small btn-danger" disabled={locked} onClick={onDelete} aria-label={`Delete step ${index + 1}`}>
            Delete
          </button>
        </div>
      </div>
      {stepError && <p class="field-error">{stepError}</p>}
      <div class="form">
        <Field
          label={index === 0 ? 'Wait before sending (days)' : 'Wait after the previous step (days)'}
          param={`${p}.delayDays`}
          error={error}
          hint={index === 0 ? 'Counted from enrollment or start, whichever is later.' : undefined}
          className="step-delay"
        >
          <input type="number" min="0" max="365" step="any" value={step.delayDays} disabled={locked} onInput={(e) => onChange({ delayDays: e.currentTarget.value })} />
        </Field>
        <Field
          label="Subject"
          param={`${p}.subject`}
          error={error}
          hint={index > 0 ? 'Leave it empty to send this step as a reply in the same thread (Re: the previous subject).' : undefined}
        >
          <input type="text" maxLength={998} value={step.subject} disabled={locked} onInput={(e) => onChange({ subject: e.currentTarget.value })} />
        </Field>
        <Field label="Body (HTML)" param={`${p}.bodyHtml`} error={error} hint="Plain text works too; a text version is derived from it.">
          <textarea rows={8} value={step.bodyHtml} disabled={locked} onInput={(e) => onChange({ bodyHtml: e.currentTarget.value })} />
        </Field>
      </div>
    </li>
  );
}

function Preview({ campaignId, stepNumber, stepCount, revision, dirty }) {
  const [leadId, setLeadId] = useQueryParam('previewLead', '');
  const [view, setView] = useQueryParam('view', 'text');
  const leads = useAsync(() => get(`/v1/campaigns/${seg(campaignId)}/leads`, { limit: 100 }).then((r) => r.data), [campaignId]);
  const [result, setResult] = useState(null);
  const [error, setError] = useState(null);
  const [loading, setLoading] = useState(false);
  useEffect(() => {
    if (!stepCount || stepNumber > stepCount) {
      setResult(null);
      return;
    }
    let gone = false;
    setLoading(true);
    const body = leadId ? { leadId, stepNumber } : { lead: SAMPLE_LEAD, stepNumber };
    post(`/v1/campaigns/${seg(campaignId)}/preview`, body).then(
      (r) => {
        if (gone) return;
        setResult(r.data);
        setError(null);
        setLoading(false);
      },
      (e) => {
        if (gone) return;
        setError(e);
        setLoading(false);
      },
    );
    return () => {
      gone = true;
    };
  }, [campaignId, stepNumber, stepCount, leadId, revision]);

  return (
    <section class="card preview-pane" aria-labelledby="preview-title">
      <h2 id="preview-title">Preview of step {stepNumber}</h2>
      <div class="form">
        <Field label="Preview for" hint="Shows the saved step as this lead would receive it.">
          <select value={leadId} onChange={(e) => setLeadId(e.currentTarget.value)}>
            <option value="">Sample lead (Ada Lovelace, Analytical Engines)</option>
            {(leads.data || []).map((l) => (
              <option key={l.id} value={l.id}>
                {[l.email, fullName(l), l.company].filter(Boolean).join(' · ')}
              </option>
            ))}
          </select>
        </Field>
      </div>
      {!stepCount ? (
        <p class="muted">Add a step to see how it reads.</p>
      ) : error ? (
        <ErrorBanner error={error} />
      ) : result ? (
        <div class="preview" aria-busy={loading || dirty ? 'true' : 'false'}>
          {dirty && <p class="small muted">Saving your latest changes; the preview follows.</p>}
          {result.missingFields.length > 0 && (
            <Banner kind="warn" title="No value for:">
              {result.missingFields.map((f) => `{{${f}}}`).join(', ')} — these render empty (or as their fallback).
            </Banner>
          )}
          <p class="label">Subject</p>
          <p class="preview-subject" data-testid="preview-subject">
            {result.subject || '(empty subject)'}
          </p>
          <div class="segmented" role="group" aria-label="Preview format">
            <button type="button" aria-pressed={view === 'text' ? 'true' : 'false'} onClick={() => setView('text')}>
              Text
            </button>
            <button type="button" aria-pressed={view === 'html' ? 'true' : 'false'} onClick={() => setView('html')}>
              HTML
            </button>
          </div>
          {view === 'html' ? (
            // Rendered HTML is shown only inside a sandbox without scripts.
            <iframe class="preview-frame" title={`Step ${stepNumber} rendered as HTML`} sandbox="" srcdoc={result.bodyHtml} />
          ) : (
            <pre class="preview-text" data-testid="preview-text">
              {result.bodyText}
            </pre>
          )}
        </div>
      ) : (
        <p class="muted" role="status">
          Loading…
        </p>
      )}
    </section>
  );
}

export default function Editor({ id }) {
  const c = useAsync(() => get(`/v1/campaigns/${seg(id)}`).then((r) => r.data), [id]);
  const [campaign, setCampaign] = useState(null);
  const [name, setName] = useState('');
  const [stopOnReply, setStopOnReply] = useState('lead');
  const [steps, setSteps] = useState([]);
  const [dirty, setDirty] = useState(false);
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState(null);
  const [warnings, setWarnings] = useState([]);
  const [locked, setLocked] = useState(false);
  const [revision, setRevision] = useState(0);
  const [current, setCurrent] = useState(0);
  const [focusTarget, setFocusTarget] = useState(null);
  const version = useRef(0);
  const lint = useAsync(() => get(`/v1/campaigns/${seg(id)}/lint`).then((r) => r.data), [id, revision]);
  useTitle(campaign ? `Edit ${campaign.name}` : 'Sequence editor');

  useEffect(() => {
    if (!c.data || campaign) return;
    setCampaign(c.data);
    setName(c.data.name);
    setStopOnReply(c.data.stopOnReply || 'lead');
    setSteps(c.data.sequenceSteps.map(toDraft));
    setLocked(c.data.status === 'running');
  }, [c.data]);

  useEffect(() => {
    if (!focusTarget) return;
    const el = document.getElementById(focusTarget);
    if (el && !el.disabled) el.focus();
    else document.getElementById(focusTarget.replace(/-(up|down)$/, '-title'))?.focus();
    setFocusTarget(null);
  }, [focusTarget, steps]);

  const incomplete = steps.some((s) => !s.bodyHtml.trim());
  const edit = (fn) => {
    fn();
    version.current++;
    setDirty(true);
  };

  const save = async () => {
    const v = version.current;
    const body = { name, stopOnReply };
    if (!locked) body.sequenceSteps = steps.map(toInput);
    setSaving(true);
    try {
      const r = await patch(`/v1/campaigns/${seg(id)}`, body);
      setCampaign(r.data);
      setWarnings(r.warnings || []);
      setError(null);
      if (version.current === v) setDirty(false);
      setRevision((n) => n + 1);
    } catch (e) {
      if (e.code === 'invalid_state') {
        setLocked(true);
        setError({ ...e, message: 'Pause the campaign to edit its steps. Its name can still be changed.' });
      } else setError(e);
    }
    setSaving(false);
  };

  // Saves by itself a moment after the last change, once every step has a body.
  useEffect(() => {
    if (!dirty || saving || !campaign) return undefined;
    if (!locked && incomplete) return undefined;
    if (!name.trim()) return undefined;
    const t = setTimeout(save, SAVE_DELAY_MS);
    return () => clearTimeout(t);
  }, [dirty, saving, name, stopOnReply, steps, locked]);

  const lintList = useMemo(() => lintWarnings(lint.data), [lint.data]);

  if (c.error)
    return (
      <section>
        <PageHeader title="Sequence editor" back={<Link href="/campaigns" class="back-link">← Campaigns</Link>} />
        <ErrorBanner error={c.error} onRetry={c.reload}>
          {c.error.status === 404 ? 'There is no such campaign in this workspace.' : c.error.message}
        </ErrorBanner>
      </section>
    );
  if (!campaign)
    return (
      <p class="muted" role="status">
        Loading…
      </p>
    );

  const addStep = () => {
    edit(() => {
      const s = toDraft({ subject: '', bodyHtml: '', delayDays: steps.length ? 3 : 0 });
      setSteps(steps.concat(s));
      setCurrent(steps.length);
      setTimeout(() => document.querySelector(`#step-${s.key}-title`)?.closest('li')?.querySelector('input[type=text]')?.focus(), 0);
    });
  };
  const move = (i, d, dir) =>
    edit(() => {
      const n = steps.slice();
      const [s] = n.splice(i, 1);
      n.splice(i + d, 0, s);
      setSteps(n);
      setCurrent(i + d);
      setFocusTarget(`step-${s.key}-${dir}`);
    });
  const remove = (i) =>
    edit(() => {
      const n = steps.filter((_, j) => j !== i);
      setSteps(n);
      setCurrent(Math.max(0, Math.min(current, n.length - 1)));
      setFocusTarget(n.length ? `step-${n[Math.min(i, n.length - 1)].key}-title` : 'add-step');
    });
  const change = (i, patchObj) => edit(() => setSteps(steps.map((s, j) => (j === i ? { ...s, ...patchObj } : s))));

  let saveText;
  if (saving) saveText = 'Saving…';
  else if (error) saveText = 'Not saved';
  else if (dirty && incomplete && !locked) saveText = 'Not saved yet: every step needs a body.';
  else if (dirty && !name.trim()) saveText = 'Not saved yet: the campaign needs a name.';
  else if (dirty) saveText = 'Unsaved changes…';
  else saveText = 'All changes saved';

  return (
    <section>
      <PageHeader
        back={
          <Link href={`/campaigns/${seg(id)}`} class="back-link">
            ← Back to the campaign
          </Link>
        }
        title="Sequence editor"
        subtitle={
          <>
            <StatusBadge status={campaign.status} /> · changes are saved as you type
          </>
        }
        actions={
          <>
            <span class="save-state" role="status">
              {saveText}
            </span>
            <button type="button" class="btn" onClick={save} disabled={saving || (!locked && incomplete) || !name.trim()}>
              Save now
            </button>
            <Link href={`/campaigns/${seg(id)}`} class="btn btn-primary">
              Done
            </Link>
          </>
        }
      />
      {locked && (
        <Banner kind="warn" title="This campaign is running." role="status">
          Pause the campaign to edit its steps (<Link href={`/campaigns/${seg(id)}`}>go to the campaign</Link>). Its name can still be changed.
        </Banner>
      )}
      {error && !errorFor(error, 'name') && !(error.param || '').startsWith('sequenceSteps') && <ErrorBanner error={error} title="Could not save:" />}
      {error && (error.param || '').startsWith('sequenceSteps') && (
        <ErrorBanner error={error} title="Could not save:">
          {error.message} (see the highlighted step)
        </ErrorBanner>
      )}
      {warnings.length > 0 && (
        <Banner kind="warn" title="Saved, but check:">
          <ul>
            {warnings.map((w) => (
              <li key={w.param + w.message}>{w.message}</li>
            ))}
          </ul>
        </Banner>
      )}
      <div class="editor">
        <div>
          <div class="card form">
            <Field label="Campaign name" param="name" error={error}>
              <input type="text" maxLength={200} value={name} onInput={(e) => edit(() => setName(e.currentTarget.value))} />
            </Field>
            <Field label="When a lead replies, stop" param="stopOnReply" error={error}>
              <select value={stopOnReply} onChange={(e) => edit(() => setStopOnReply(e.currentTarget.value))}>
                <option value="lead">that lead's sequence</option>
                <option value="company">every lead of the same email domain</option>
              </select>
            </Field>
          </div>
          <h2>Steps</h2>
          <p class="hint">
            Personalize with {'{{firstName}}'}, {'{{lastName}}'}, {'{{company}}'}, {'{{jobTitle}}'}, {'{{email}}'} or any custom field, with a
            fallback such as {'{{firstName|there}}'}.
          </p>
          {steps.length === 0 && <p class="muted">No steps yet. Add the first email of the sequence.</p>}
          <ol class="steps-list plain-list">
            {steps.map((s, i) => (
              <StepEditor
                key={s.key}
                step={s}
                index={i}
                count={steps.length}
                locked={locked}
                error={error}
                current={i === current}
                onFocus={() => setCurrent(i)}
                onChange={(p) => change(i, p)}
                onMove={(d, dir) => move(i, d, dir)}
                onDelete={() => remove(i)}
              />
            ))}
          </ol>
          <button type="button" id="add-step" class="btn" onClick={addStep} disabled={locked || steps.length >= 50}>
            + Add step
          </button>
          {lintList.length > 0 && (
            <Banner kind="warn" title="Lint:">
              <ul>
                {lintList.map((w) => (
                  <li key={w.key}>{w.text}</li>
                ))}
              </ul>
            </Banner>
          )}
        </div>
        <Preview
          campaignId={id}
          stepNumber={Math.min(current, Math.max(0, (campaign.sequenceSteps.length || 1) - 1)) + 1}
          stepCount={campaign.sequenceSteps.length}
          revision={revision}
          dirty={dirty}
        />
      </div>
    </section>
  );
}
