// The sequence editor's working copy of the steps (strings, as typed) and
// what is sent back in PATCH /v1/campaigns/:id. A step is plain
// ({subject, bodyHtml}) or an A/B test (`variants`, 2 to 5, SPEC §11).

export const MAX_VARIANTS = 5;
const LETTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';

let keySeq = 0;
const variantDraft = (v) => ({ key: ++keySeq, label: v.label ?? '', subject: v.subject ?? '', bodyHtml: v.bodyHtml ?? '', weight: String(v.weight ?? 50) });

export const toDraft = (s) => ({
  key: ++keySeq,
  subject: s.subject ?? '',
  bodyHtml: s.bodyHtml ?? '',
  delayDays: String(s.delayDays ?? 0),
  variants: s.variants?.length ? s.variants.map(variantDraft) : null,
});

// winnerVariantId is not sent: absent, the server keeps the step's winner
// (ids follow labels, so renaming the winner clears it).
export function toInput(s) {
  const delayDays = s.delayDays === '' ? 0 : Number(s.delayDays);
  if (!s.variants) return { subject: s.subject, bodyHtml: s.bodyHtml, delayDays };
  return {
    delayDays,
    variants: s.variants.map((v) => ({ label: v.label, subject: v.subject, bodyHtml: v.bodyHtml, weight: Number(v.weight) })),
  };
}

/** Why the steps cannot be saved yet (something a save would surely be refused for), or null. */
export function notReady(steps) {
  if (steps.some((s) => !s.variants && !s.bodyHtml.trim())) return 'every step needs a body.';
  const vs = steps.flatMap((s) => s.variants || []);
  if (vs.some((v) => !v.bodyHtml.trim())) return 'every variant needs a body.';
  if (vs.some((v) => !v.label.trim())) return 'every variant needs a label.';
  if (vs.some((v) => v.weight === '')) return 'every variant needs a weight.';
  return null;
}

/** The first letter no variant uses as its label. */
export function nextLabel(variants) {
  const used = new Set(variants.map((v) => v.label.trim()));
  return [...LETTERS].find((l) => !used.has(l)) || String(variants.length + 1);
}

/** A plain step becomes an A/B test: variants A and B, both starting from its content. */
export const startTest = (s) => ({
  ...s,
  subject: '',
  bodyHtml: '',
  variants: ['A', 'B'].map((label) => variantDraft({ label, subject: s.subject, bodyHtml: s.bodyHtml })),
});

/** One more variant, the next free letter, starting as a copy of the last one. */
export function addVariant(s) {
  const last = s.variants[s.variants.length - 1];
  return { ...s, variants: s.variants.concat(variantDraft({ label: nextLabel(s.variants), subject: last.subject, bodyHtml: last.bodyHtml })) };
}

// A step has 2 to 5 variants or none. Removing one of the last two ends the
// test: the step becomes a plain step with the content of the variant that is
// left, the one the user chose to keep. (Refusing instead would leave no way
// back to a plain step short of deleting the step and retyping it.)
export function removeVariant(s, j) {
  const rest = s.variants.filter((_, k) => k !== j);
  if (rest.length >= 2) return { ...s, variants: rest };
  return { ...s, subject: rest[0].subject, bodyHtml: rest[0].bodyHtml, variants: null };
}

/** "≈ 33 % of leads" for each variant from the weights as typed ('' while any is not 1 to 100). */
export function shares(variants) {
  const w = variants.map((v) => Number(v.weight));
  const total = w.reduce((a, b) => a + b, 0);
  if (w.some((x) => !Number.isInteger(x) || x < 1 || x > 100)) return variants.map(() => '');
  return w.map((x) => `≈ ${Math.round((100 * x) / total)} % of leads`);
}

/**
 * "Step 2, variant B" for an API param such as `sequenceSteps[1].variants[0].subject`,
 * reading labels from `steps` (drafts or saved steps); '' when it names no step.
 */
export function placeOf(param, steps) {
  const m = /^sequenceSteps\[(\d+)\](?:\.variants\[(\d+)\])?/.exec(param || '');
  if (!m) return '';
  const i = Number(m[1]);
  if (m[2] === undefined) return `Step ${i + 1}`;
  const label = steps[i]?.variants?.[Number(m[2])]?.label;
  return `Step ${i + 1}, variant ${label || Number(m[2]) + 1}`;
}
