import { useRef, useState } from 'preact/hooks';
import { Link } from 'wouter-preact';
import { get, patch, seg } from '../api.js';
import { fmtDate, fmtNum, fmtRate } from '../format.js';
import { useNotify } from '../context.js';
import { DataTable } from './DataTable.jsx';
import { Confirm } from './Confirm.jsx';
import { ErrorBanner } from './ErrorBanner.jsx';

const pct = (c) => `${+(Number(c) * 100).toFixed(2)}\u00a0%`; // no break before %

/**
 * Sets a step's winner the one way a running campaign allows: its steps sent
 * back exactly as GET returned them, with winnerVariantId on that step.
 * Resolves to the campaign; refuses when the step got a winner meanwhile.
 */
async function chooseWinner(campaignId, stepNumber, variantId) {
  const fresh = (await get(`/v1/campaigns/${seg(campaignId)}`)).data;
  const step = fresh.sequenceSteps.find((s) => s.stepNumber === stepNumber);
  if (!step?.variants?.some((v) => v.id === variantId)) throw new Error('The sequence changed meanwhile; look at the table again.');
  if (step.winnerVariantId) return { campaign: fresh, already: step.winnerVariantId !== variantId };
  const sequenceSteps = fresh.sequenceSteps.map((s) => (s.stepNumber === stepNumber ? { ...s, winnerVariantId: variantId } : s));
  return { campaign: (await patch(`/v1/campaigns/${seg(campaignId)}`, { sequenceSteps })).data, already: false };
}

function StepVariants({ campaign, step, stats, onSaved }) {
  const notify = useNotify();
  const [asking, setAsking] = useState(null); // the variant being confirmed
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const heading = useRef(null);
  const opener = useRef(null);
  const n = step.stepNumber;
  const winner = step.variants.find((v) => v.id === step.winnerVariantId);
  const counts = new Map((stats?.variants || []).filter((r) => r.stepNumber === n).map((r) => [r.variantId, r]));
  const rows = step.variants.map((v) => ({ ...v, ...(counts.get(v.id) || {}), id: v.id }));
  const num = (k) => (r) => (counts.has(r.id) ? fmtNum(r[k] ?? 0) : '—');
  const tracked =
    campaign.tracking?.opens || campaign.tracking?.clicks || [...counts.values()].some((c) => c.opened || c.clicked);

  const ask = (v, e) => {
    opener.current = e.currentTarget;
    setError(null);
    setAsking(v);
  };
  const cancel = () => {
    setAsking(null);
    setTimeout(() => opener.current?.focus(), 0);
  };
  const confirm = async () => {
    setBusy(true);
    try {
      const r = await chooseWinner(campaign.id, n, asking.id);
      onSaved(r.campaign);
      if (r.already) setError({ message: `Step ${n} got a winner meanwhile; the table shows it.` });
      else notify(`Variant ${asking.label} is now the winner of step ${n}.`);
      setAsking(null);
      setTimeout(() => heading.current?.focus(), 0);
    } catch (e) {
      setError(e);
    }
    setBusy(false);
  };

  const columns = [
    { key: 'label', label: 'Variant', render: (r) => <span class="cell-main">{r.label}</span> },
    { key: 'weight', label: 'Weight', numeric: true, render: (r) => fmtNum(r.weight) },
    { key: 'sent', label: 'Sent', numeric: true, render: num('sent') },
    { key: 'delivered', label: 'Delivered', numeric: true, render: num('delivered') },
    { key: 'replied', label: 'Replied', numeric: true, render: num('replied') },
    { key: 'replyRate', label: 'Reply rate', numeric: true, render: (r) => (counts.has(r.id) ? fmtRate(r.replyRate) : '—') },
    // Opens and clicks by people, when the campaign tracks them (SPEC §13).
    ...(tracked
      ? [
          { key: 'opened', label: 'Opened', numeric: true, render: num('opened') },
          { key: 'clicked', label: 'Clicked', numeric: true, render: num('clicked') },
        ]
      : []),
    {
      key: 'winner',
      label: 'Winner',
      render: (r) =>
        r.id === step.winnerVariantId ? (
          <span class="badge badge-ok" data-testid="winner-badge">
            ✓ Winner
          </span>
        ) : winner ? (
          '—'
        ) : (
          <button type="button" class="btn btn-small" disabled={busy} onClick={(e) => ask(r, e)} aria-label={`Choose as winner: variant ${r.label} of step ${n}`}>
            Choose as winner
          </button>
        ),
    },
  ];
  return (
    <div class="ab-step" data-step={n}>
      <h3 tabIndex={-1} ref={heading}>
        Step {n}
      </h3>
      <p class="small" data-testid={`winner-status-${n}`}>
        {winner
          ? `Winner: variant ${winner.label}${step.winnerSelectedAt ? `, chosen ${fmtDate(step.winnerSelectedAt)}` : ''}. The rest of this step's sends use it only.`
          : 'No winner yet: each lead gets one variant at random, in proportion to the weights.'}
      </p>
      <DataTable caption={`Variants of step ${n}`} columns={columns} rows={rows} />
      {asking && (
        <Confirm
          question={`Choose variant ${asking.label} as the winner of step ${n}?`}
          confirmLabel={busy ? 'Choosing…' : `Choose variant ${asking.label}`}
          autoFocus
          onConfirm={confirm}
          onCancel={cancel}
        >
          The rest of this step's sends use it only; leads who already got another variant keep it.
        </Confirm>
      )}
      {error && <ErrorBanner error={error} title="Could not choose the winner:" />}
    </div>
  );
}

/** Per-variant results (GET …/stats, all time) of every A/B step, with a manual winner. */
export function VariantResults({ campaign, stats, onSaved }) {
  const tests = campaign.sequenceSteps.filter((s) => s.variants?.length);
  if (!tests.length) return null;
  const t = campaign.abTest || {};
  return (
    <section class="card" aria-labelledby="ab-title">
      <h2 id="ab-title">A/B tests</h2>
      <p data-testid="ab-auto">
        {t.autoSelectWinner ? (
          <>
            <strong>Automatic winner selection is on:</strong> once each variant of a step has {fmtNum(t.minSendsPerVariant)} delivered, one
            that beats the others' reply rate at {pct(t.confidence)} confidence becomes the winner.
          </>
        ) : (
          <>
            <strong>Automatic winner selection is off:</strong> choose a winner below, or turn it on in the{' '}
            <Link href={`/campaigns/${seg(campaign.id)}/edit`}>sequence editor</Link>.
          </>
        )}{' '}
        Numbers are for all time.
      </p>
      {tests.map((s) => (
        <StepVariants key={s.stepNumber} campaign={campaign} step={s} stats={stats} onSaved={onSaved} />
      ))}
    </section>
  );
}
