import { Field } from './Field.jsx';
import { fmtDate } from '../format.js';
import { MAX_VARIANTS, addVariant, removeVariant, shares } from '../steps.js';

/**
 * The variants of an A/B step: per variant its label, weight, subject and
 * body, a Remove button, and "Add variant" (up to 5). API errors whose param
 * names a variant (`sequenceSteps[i].variants[j].subject`) show at its input:
 * variants are sent in this order, so j is the variant's place here.
 */
export function VariantsEditor({ step, saved, index, locked, error, subjectHint, onChange }) {
  const p = `sequenceSteps[${index}]`;
  const id = `step-${step.key}`;
  const vs = step.variants;
  const share = shares(vs);
  const groupError = error && (error.param === `${p}.variants` || error.param === `${p}.winnerVariantId`) ? error.message : null;
  const setVariant = (j, patchObj) => onChange({ variants: vs.map((v, k) => (k === j ? { ...v, ...patchObj } : v)) });
  const add = () => {
    const next = addVariant(step);
    onChange(next, `${id}-v${next.variants[next.variants.length - 1].key}-subject`);
  };
  const remove = (j) => {
    const next = removeVariant(step, j);
    onChange(next, next.variants ? `${id}-add-variant` : `${id}-subject`);
  };
  const winner = saved?.winnerVariantId && saved.variants?.find((v) => v.id === saved.winnerVariantId);
  const winnerShown = winner && vs.some((v) => v.label === winner.label);
  return (
    <div class="variants" role="group" aria-labelledby={`${id}-variants`}>
      <p class="label" id={`${id}-variants`}>
        Variants of step {index + 1}
      </p>
      <p class="hint">Each lead gets one variant at random, in proportion to the weights; the campaign page compares their reply rates.</p>
      {winnerShown && (
        <p class="winner-note" data-testid="editor-winner">
          Winner: variant {winner.label}
          {saved.winnerSelectedAt && <> (chosen {fmtDate(saved.winnerSelectedAt)})</>}. The rest of this step's sends use it only.
        </p>
      )}
      {groupError && <p class="field-error">{groupError}</p>}
      <ol class="plain-list variant-list">
        {vs.map((v, j) => {
          const vp = `${p}.variants[${j}]`;
          const vid = `${id}-v${v.key}`;
          const name = v.label.trim() || `${j + 1}`;
          return (
            <li key={v.key}>
              <fieldset class="variant form">
                <legend>Variant {name}</legend>
                <div class="variant-meta">
                  <Field label="Label" param={`${vp}.label`} error={error} className="variant-label">
                    <input type="text" maxLength={40} value={v.label} disabled={locked} onInput={(e) => setVariant(j, { label: e.currentTarget.value })} />
                  </Field>
                  <Field label="Weight" param={`${vp}.weight`} error={error} hint={share[j] || '1 to 100'} className="variant-weight">
                    <input type="number" min="1" max="100" step="1" value={v.weight} disabled={locked} onInput={(e) => setVariant(j, { weight: e.currentTarget.value })} />
                  </Field>
                  <button
                    type="button"
                    class="btn btn-small btn-danger variant-remove"
                    disabled={locked}
                    onClick={() => remove(j)}
                    aria-label={vs.length > 2 ? `Remove variant ${name}` : `Remove variant ${name} and end the test`}
                  >
                    Remove
                  </button>
                </div>
                <Field label="Subject" param={`${vp}.subject`} error={error} hint={subjectHint}>
                  <input type="text" id={`${vid}-subject`} maxLength={998} value={v.subject} disabled={locked} onInput={(e) => setVariant(j, { subject: e.currentTarget.value })} />
                </Field>
                <Field label="Body (HTML)" param={`${vp}.bodyHtml`} error={error}>
                  <textarea rows={6} value={v.bodyHtml} disabled={locked} onInput={(e) => setVariant(j, { bodyHtml: e.currentTarget.value })} />
                </Field>
              </fieldset>
            </li>
          );
        })}
      </ol>
      <div class="btn-row">
        <button type="button" class="btn btn-small" id={`${id}-add-variant`} disabled={locked || vs.length >= MAX_VARIANTS} onClick={add}>
          + Add variant
        </button>
        <span class="hint">
          {vs.length >= MAX_VARIANTS ? `${MAX_VARIANTS} variants is the most a step can have.` : 'Keep labels as they are once sending starts: results follow the label.'}
        </span>
      </div>
    </div>
  );
}
