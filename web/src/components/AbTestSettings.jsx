import { Field } from './Field.jsx';

const LEVELS = ['0.9', '0.95', '0.99'];
const pct = (c) => `${+(Number(c) * 100).toFixed(2)} %`;

/** The editor's draft of a campaign's abTest, as strings for the inputs, and back. */
export const abDraft = (t = {}) => ({
  autoSelectWinner: !!t.autoSelectWinner,
  minSendsPerVariant: String(t.minSendsPerVariant ?? 100),
  confidence: String(t.confidence ?? 0.95),
});
export const abInput = (d) => ({
  autoSelectWinner: d.autoSelectWinner,
  minSendsPerVariant: d.minSendsPerVariant === '' ? 0 : Number(d.minSendsPerVariant),
  confidence: Number(d.confidence),
});

/** "A/B test settings": automatic winner, its minimum per variant and its confidence (abTest, saved with the campaign). */
export function AbTestSettings({ value, onChange, error }) {
  const levels = LEVELS.includes(value.confidence) ? LEVELS : LEVELS.concat(value.confidence).sort((a, b) => a - b);
  return (
    <section class="card form ab-settings" aria-labelledby="ab-settings-title">
      <h2 id="ab-settings-title">A/B test settings</h2>
      <Field
        label="Pick the winner automatically"
        inline
        param="abTest.autoSelectWinner"
        error={error}
        hint="The winner is chosen by a sequential test that stays valid however often it is checked."
      >
        <input type="checkbox" checked={value.autoSelectWinner} onChange={(e) => onChange({ autoSelectWinner: e.currentTarget.checked })} />
      </Field>
      <div class="form-row">
        <Field label="Minimum delivered per variant" param="abTest.minSendsPerVariant" error={error}>
          <input type="number" min="1" max="1000000" step="1" value={value.minSendsPerVariant} onInput={(e) => onChange({ minSendsPerVariant: e.currentTarget.value })} />
        </Field>
        <Field label="Confidence" param="abTest.confidence" error={error}>
          <select value={value.confidence} onChange={(e) => onChange({ confidence: e.currentTarget.value })}>
            {levels.map((c) => (
              <option key={c} value={c}>
                {pct(c)}
              </option>
            ))}
          </select>
        </Field>
      </div>
    </section>
  );
}
