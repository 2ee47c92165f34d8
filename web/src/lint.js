import { fmtNum } from './format.js';

/** variantId → label over a campaign's A/B steps (for lintWarnings). */
export function variantLabels(campaign) {
  const m = new Map();
  for (const s of campaign?.sequenceSteps || []) for (const v of s.variants || []) m.set(v.id, v.label);
  return m;
}

// "1 (variant B), 3": the steps a field is used in, naming the variants of
// A/B steps (usedInVariants, SPEC §11).
function where(f, labels) {
  return f.usedInSteps
    .map((n) => {
      const vs = (f.usedInVariants || []).filter((u) => u.stepNumber === n && labels.has(u.variantId)).map((u) => labels.get(u.variantId));
      return vs.length ? `${n} (variant${vs.length > 1 ? 's' : ''} ${vs.join(', ')})` : String(n);
    })
    .join(', ');
}

/**
 * Plain-language warnings from GET /v1/campaigns/:id/lint: tokens nothing
 * can fill, and fields some enrolled leads lack (so "Hi ," goes out).
 * Returns [{key, text}] (text only; tokens are shown as typed). `labels`
 * (variantLabels) names the variants a field is used in.
 */
export function lintWarnings(lint, labels = new Map()) {
  if (!lint) return [];
  const out = [];
  for (const t of lint.unknownTokens || []) {
    out.push({ key: 'u:' + t, text: `{{${t}}} matches no lead field and no custom field of any lead, so it renders empty.` });
  }
  for (const f of lint.fields || []) {
    if (!f.leadsMissing || f.hasFallback) continue;
    if ((lint.unknownTokens || []).includes(f.field)) continue;
    const steps = f.usedInSteps?.length ? ` (used in step${f.usedInSteps.length > 1 ? 's' : ''} ${where(f, labels)})` : '';
    out.push({
      key: 'f:' + f.field,
      text: `{{${f.field}}} is empty for ${fmtNum(f.leadsMissing)} of ${fmtNum(lint.enrolledLeads)} enrolled leads${steps}. Add a fallback such as {{${f.field}|there}} or fill the field.`,
    });
  }
  return out;
}
