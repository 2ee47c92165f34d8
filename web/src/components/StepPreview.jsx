import { useEffect, useState } from 'preact/hooks';
import { get, post, seg } from '../api.js';
import { useAsync, useQueryParam } from '../hooks.js';
import { fullName } from '../format.js';
import { Field } from './Field.jsx';
import { Banner, ErrorBanner } from './ErrorBanner.jsx';

const SAMPLE_LEAD = {
  email: 'ada@analytical.example',
  firstName: 'Ada',
  lastName: 'Lovelace',
  company: 'Analytical Engines',
  jobTitle: 'Head of Research',
};

/** One rendered message: subject, then its text or its HTML in a sandboxed frame. */
function Rendered({ result, view, title, toggle }) {
  return (
    <>
      <p class="label">Subject</p>
      <p class="preview-subject" data-testid="preview-subject">
        {result.subject || '(empty subject)'}
      </p>
      {toggle}
      {view === 'html' ? (
        // Rendered HTML is shown only inside a sandbox without scripts.
        <iframe class="preview-frame" title={title} sandbox="" srcdoc={result.bodyHtml} />
      ) : (
        <pre class="preview-text" data-testid="preview-text">
          {result.bodyText}
        </pre>
      )}
    </>
  );
}

/**
 * The saved step as a lead would receive it (POST …/preview). An A/B step
 * shows every variant side by side (one request per variant, with its
 * variantId), each under its label; they stack on narrow screens.
 */
export function StepPreview({ campaignId, stepNumber, step, stepCount, revision, dirty }) {
  const [leadId, setLeadId] = useQueryParam('previewLead', '');
  const [view, setView] = useQueryParam('view', 'text');
  const leads = useAsync(() => get(`/v1/campaigns/${seg(campaignId)}/leads`, { limit: 100 }).then((r) => r.data), [campaignId]);
  const [results, setResults] = useState(null);
  const [error, setError] = useState(null);
  const [loading, setLoading] = useState(false);
  const variants = step?.variants || [];
  const variantKey = variants.map((v) => v.id + ':' + v.label).join(',');
  useEffect(() => {
    if (!stepCount || stepNumber > stepCount) {
      setResults(null);
      return undefined;
    }
    let gone = false;
    setLoading(true);
    const targets = variants.length ? variants : [null];
    Promise.all(
      targets.map((v) => {
        const body = leadId ? { leadId, stepNumber } : { lead: SAMPLE_LEAD, stepNumber };
        if (v) body.variantId = v.id;
        return post(`/v1/campaigns/${seg(campaignId)}/preview`, body).then((r) => ({ variant: v, result: r.data }));
      }),
    ).then(
      (rs) => {
        if (gone) return;
        setResults(rs);
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
  }, [campaignId, stepNumber, stepCount, leadId, revision, variantKey]);

  const missing = (results || []).filter((r) => r.result.missingFields.length);
  const single = results && results.length === 1 && !results[0].variant;
  const toggle = (
    <div class={`segmented ${single ? '' : 'preview-toolbar'}`} role="group" aria-label="Preview format">
      <button type="button" aria-pressed={view === 'text' ? 'true' : 'false'} onClick={() => setView('text')}>
        Text
      </button>
      <button type="button" aria-pressed={view === 'html' ? 'true' : 'false'} onClick={() => setView('html')}>
        HTML
      </button>
    </div>
  );
  const fields = (r) => r.result.missingFields.map((f) => `{{${f}}}`).join(', ');
  return (
    <section class={`card preview-pane ${variants.length ? 'preview-ab' : ''}`} aria-labelledby="preview-title">
      <h2 id="preview-title">
        Preview of step {stepNumber}
        {variants.length > 0 && ` (${variants.length} variants)`}
      </h2>
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
      ) : results ? (
        <div class="preview" aria-busy={loading || dirty ? 'true' : 'false'}>
          {dirty && <p class="small muted">Saving your latest changes; the preview follows.</p>}
          {missing.length > 0 && (
            <Banner kind="warn" title="No value for:">
              {single
                ? fields(missing[0])
                : missing.map((r) => `${fields(r)} (variant ${r.variant.label})`).join('; ')}{' '}
              — these render empty (or as their fallback).
            </Banner>
          )}
          {single ? (
            <Rendered result={results[0].result} view={view} toggle={toggle} title={`Step ${stepNumber} rendered as HTML`} />
          ) : (
            <>
              {toggle}
              <div class="preview-variants">
                {results.map(({ variant, result }) => (
                  <section key={variant.id} class="preview-variant" aria-labelledby={`preview-${variant.id}`} data-variant={variant.label}>
                    <h3 class="preview-variant-title" id={`preview-${variant.id}`}>
                      Variant {variant.label}
                      {step.winnerVariantId === variant.id && <span class="badge badge-ok">Winner</span>}
                    </h3>
                    <Rendered result={result} view={view} title={`Step ${stepNumber}, variant ${variant.label}, rendered as HTML`} />
                  </section>
                ))}
              </div>
            </>
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
