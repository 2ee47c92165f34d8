import { Field } from './Field.jsx';
import { VariantsEditor } from './VariantsEditor.jsx';
import { startTest } from '../steps.js';

/**
 * One step of the sequence editor: its delay, then either its subject and
 * body or its A/B variants. onChange(patch, focusId?) merges a patch into the
 * step draft and then moves the focus to the element with that id.
 * `saved` is the step as last saved (for its winner).
 */
export function StepEditor({ step, saved, index, count, locked, error, onChange, onMove, onDelete, onFocus, current }) {
  const p = `sequenceSteps[${index}]`;
  const id = `step-${step.key}`;
  const stepError = error && error.param === p ? error.message : null;
  const subjectHint = index > 0 ? 'Leave it empty to send this step as a reply in the same thread (Re: the previous subject).' : undefined;
  const test = () => {
    const next = startTest(step);
    onChange(next, `${id}-v${next.variants[1].key}-subject`);
  };
  return (
    <li class={`step-card ${current ? 'current' : ''}`} onFocusIn={onFocus} aria-labelledby={`${id}-title`}>
      <div class="step-head">
        <h3 id={`${id}-title`} tabIndex={-1}>
          Step {index + 1}
          {step.variants && <span class="step-kind"> · A/B test</span>}
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
        {step.variants ? (
          <VariantsEditor step={step} saved={saved} index={index} locked={locked} error={error} subjectHint={subjectHint} onChange={onChange} />
        ) : (
          <>
            <Field label="Subject" param={`${p}.subject`} error={error} hint={subjectHint}>
              <input type="text" id={`${id}-subject`} maxLength={998} value={step.subject} disabled={locked} onInput={(e) => onChange({ subject: e.currentTarget.value })} />
            </Field>
            <Field label="Body (HTML)" param={`${p}.bodyHtml`} error={error} hint="Plain text works too; a text version is derived from it.">
              <textarea rows={8} value={step.bodyHtml} disabled={locked} onInput={(e) => onChange({ bodyHtml: e.currentTarget.value })} />
            </Field>
            <div class="btn-row">
              <button type="button" class="btn btn-small" disabled={locked} onClick={test} aria-describedby={`${id}-test-hint`}>
                Test variants of this step
              </button>
              <span class="hint" id={`${id}-test-hint`}>
                Send 2 to 5 versions and compare their reply rates.
              </span>
            </div>
          </>
        )}
      </div>
    </li>
  );
}
