import { Field } from './Field.jsx';

/** A campaign's tracking ({opens, clicks}) with both off when absent. */
export const trackingDraft = (t = {}) => ({ opens: !!t?.opens, clicks: !!t?.clicks });

/**
 * "Tracking": opens and clicks (tracking, saved with the campaign; it can
 * change while the campaign runs and applies to messages built from then on).
 */
export function TrackingSettings({ value, onChange, error }) {
  return (
    <section class="card form tracking-settings" aria-labelledby="tracking-title">
      <h2 id="tracking-title">Tracking</h2>
      <p class="tracking-warning" id="tracking-warning">
        <strong>Best left off, above all for first emails.</strong> A tracking pixel and rewritten links make spam filters more
        likely to send your email to spam, and most opens now come from mail privacy proxies, not people. Judge your copy by
        replies.
      </p>
      <div class="checks">
        <Field label="Track opens" inline param="tracking.opens" error={error}>
          <input type="checkbox" checked={value.opens} onChange={(e) => onChange({ opens: e.currentTarget.checked })} />
        </Field>
        <Field label="Track clicks" inline param="tracking.clicks" error={error}>
          <input type="checkbox" checked={value.clicks} onChange={(e) => onChange({ clicks: e.currentTarget.checked })} />
        </Field>
      </div>
      <p class="hint">Applies to messages sent from now on, also while the campaign runs.</p>
    </section>
  );
}
