import { fmtNum } from './format.js';

/**
 * Plain-language warnings from GET /v1/campaigns/:id/lint: tokens nothing
 * can fill, and fields some enrolled leads lack (so "Hi ," goes out).
 * Returns [{key, text}] (text only; tokens are shown as typed).
 */
export function lintWarnings(lint) {
  if (!lint) return [];
  const out = [];
  for (const t of lint.unknownTokens || []) {
    out.push({ key: 'u:' + t, text: `{{${t}}} matches no lead field and no custom field of any lead, so it renders empty.` });
  }
  for (const f of lint.fields || []) {
    if (!f.leadsMissing || f.hasFallback) continue;
    if ((lint.unknownTokens || []).includes(f.field)) continue;
    const steps = f.usedInSteps?.length ? ` (used in step${f.usedInSteps.length > 1 ? 's' : ''} ${f.usedInSteps.join(', ')})` : '';
    out.push({
      key: 'f:' + f.field,
      text: `{{${f.field}}} is empty for ${fmtNum(f.leadsMissing)} of ${fmtNum(lint.enrolledLeads)} enrolled leads${steps}. Add a fallback such as {{${f.field}|there}} or fill the field.`,
    });
  }
  return out;
}
