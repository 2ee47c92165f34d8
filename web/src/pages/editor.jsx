import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { Link } from 'wouter-preact';
import { get, patch, seg } from '../api.js';
import { useAsync, useTitle } from '../hooks.js';
import { lintWarnings, variantLabels } from '../lint.js';
import { notReady, placeOf, toDraft, toInput } from '../steps.js';
import { PageHeader } from '../components/PageHeader.jsx';
import { Field, errorFor } from '../components/Field.jsx';
import { Banner, ErrorBanner } from '../components/ErrorBanner.jsx';
import { StatusBadge } from '../components/StatusBadge.jsx';
import { StepEditor } from '../components/StepEditor.jsx';
import { StepPreview } from '../components/StepPreview.jsx';
import { AbTestSettings, abDraft, abInput } from '../components/AbTestSettings.jsx';
import { TrackingSettings, trackingDraft } from '../components/TrackingSettings.jsx';
import { Loading, PageLoadError } from '../components/PageStatus.jsx';

const SAVE_DELAY_MS = 800;

export default function Editor({ id }) {
  const c = useAsync(() => get(`/v1/campaigns/${seg(id)}`).then((r) => r.data), [id]);
  const [campaign, setCampaign] = useState(null);
  const [name, setName] = useState('');
  const [stopOnReply, setStopOnReply] = useState('lead');
  const [steps, setSteps] = useState([]);
  const [abTest, setAbTest] = useState(abDraft());
  const [tracking, setTracking] = useState(trackingDraft());
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
    setAbTest(abDraft(c.data.abTest));
    setTracking(trackingDraft(c.data.tracking));
    setLocked(c.data.status === 'running');
  }, [c.data]);

  useEffect(() => {
    if (!focusTarget) return;
    const el = document.getElementById(focusTarget);
    if (el && !el.disabled) el.focus();
    else document.getElementById(focusTarget.replace(/-(up|down)$/, '-title'))?.focus();
    setFocusTarget(null);
  }, [focusTarget, steps]);

  const missing = notReady(steps);
  const incomplete = !!missing;
  const hasTests = steps.some((s) => s.variants);
  const edit = (fn) => {
    fn();
    version.current++;
    setDirty(true);
  };

  const save = async () => {
    const v = version.current;
    // abTest and tracking can change while the campaign runs; its steps cannot.
    const body = { name, stopOnReply, abTest: abInput(abTest), tracking };
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
        setError({ ...e, message: 'Pause the campaign to edit its steps. Its name and tracking can still be changed.' });
      } else setError(e);
    }
    setSaving(false);
  };

  // Saves by itself a moment after the last change, once nothing is missing
  // that the server would refuse (every step and variant has a body, …).
  useEffect(() => {
    if (!dirty || saving || !campaign) return undefined;
    if (!locked && incomplete) return undefined;
    if (!name.trim()) return undefined;
    const t = setTimeout(save, SAVE_DELAY_MS);
    return () => clearTimeout(t);
  }, [dirty, saving, name, stopOnReply, steps, abTest, tracking, locked]);

  const lintList = useMemo(() => lintWarnings(lint.data, variantLabels(campaign)), [lint.data, campaign]);

  if (c.error)
    return (
      <PageLoadError title="Sequence editor" back={<Link href="/campaigns" class="back-link">← Campaigns</Link>} error={c.error} onRetry={c.reload} notFound="There is no such campaign in this workspace." />
    );
  if (!campaign)
    return (
      <Loading />
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
  const change = (i, patchObj, focusId) =>
    edit(() => {
      setSteps(steps.map((s, j) => (j === i ? { ...s, ...patchObj } : s)));
      if (focusId) setFocusTarget(focusId);
    });

  const previewStep = Math.min(current, Math.max(0, (campaign.sequenceSteps.length || 1) - 1)) + 1;
  let saveText;
  if (saving) saveText = 'Saving…';
  else if (error) saveText = 'Not saved';
  else if (dirty && incomplete && !locked) saveText = `Not saved yet: ${missing}`;
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
          Pause the campaign to edit its steps (<Link href={`/campaigns/${seg(id)}`}>go to the campaign</Link>). Its name and tracking can still be changed.
        </Banner>
      )}
      {error && !errorFor(error, 'name') && !/^(sequenceSteps|abTest|tracking)/.test(error.param || '') && <ErrorBanner error={error} title="Could not save:" />}
      {error && /^(sequenceSteps|abTest|tracking)/.test(error.param || '') && (
        <ErrorBanner error={error} title="Could not save:">
          {error.message} ({placeOf(error.param, steps) || (error.param.startsWith('tracking') ? 'Tracking' : 'A/B test settings')}: see the highlighted field)
        </ErrorBanner>
      )}
      {warnings.length > 0 && (
        <Banner kind="warn" title="Saved, but check:">
          <ul>
            {warnings.map((w) => (
              <li key={w.param + w.message}>
                {placeOf(w.param, campaign.sequenceSteps) && `${placeOf(w.param, campaign.sequenceSteps)}: `}
                {w.message}
              </li>
            ))}
          </ul>
        </Banner>
      )}
      {/* Wider previews once any step is an A/B test (its variants show side by side). */}
      <div class={`editor ${hasTests ? 'editor-ab' : ''}`}>
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
                saved={campaign.sequenceSteps[i]}
                index={i}
                count={steps.length}
                locked={locked}
                error={error}
                current={i === current}
                onFocus={() => setCurrent(i)}
                onChange={(p, focusId) => change(i, p, focusId)}
                onMove={(d, dir) => move(i, d, dir)}
                onDelete={() => remove(i)}
              />
            ))}
          </ol>
          <button type="button" id="add-step" class="btn" onClick={addStep} disabled={locked || steps.length >= 50}>
            + Add step
          </button>
          {hasTests && <AbTestSettings value={abTest} error={error} onChange={(p) => edit(() => setAbTest({ ...abTest, ...p }))} />}
          {lintList.length > 0 && (
            <Banner kind="warn" title="Lint:">
              <ul>
                {lintList.map((w) => (
                  <li key={w.key}>{w.text}</li>
                ))}
              </ul>
            </Banner>
          )}
          <TrackingSettings value={tracking} error={error} onChange={(p) => edit(() => setTracking({ ...tracking, ...p }))} />
        </div>
        <StepPreview
          campaignId={id}
          stepNumber={previewStep}
          step={campaign.sequenceSteps[previewStep - 1]}
          stepCount={campaign.sequenceSteps.length}
          revision={revision}
          dirty={dirty}
        />
      </div>
    </section>
  );
}
