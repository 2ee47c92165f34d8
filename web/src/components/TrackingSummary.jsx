import { Link } from 'wouter-preact';
import { seg } from '../api.js';
import { fmtNum, fmtRate } from '../format.js';
import { StatCards } from './StatCards.jsx';

const on = (campaign) => !!(campaign?.tracking?.opens || campaign?.tracking?.clicks);

/** True when the campaign tracks opens or clicks, or has tracked counts from before. */
export function showTracking(campaign, metrics = {}) {
  return on(campaign) || ['opened', 'clicked', 'machineOpened', 'machineClicked'].some((k) => metrics[k] > 0);
}

function statusText(t) {
  if (t?.opens && t?.clicks) return 'Tracking: opens and clicks';
  if (t?.opens) return 'Tracking: opens';
  if (t?.clicks) return 'Tracking: clicks';
  return 'Tracking off';
}

const count = (n, what) => `${fmtNum(n)} machine ${what}${n === 1 ? '' : 's'}`;

/**
 * Under the campaign's totals: whether tracking is on (with a link to the
 * editor, where it changes) and, when it is on or counted anything, cards
 * for opens and clicks by people with their rates, and the opens and clicks
 * made by machines (privacy proxies, link scanners), which are not counted.
 */
export function TrackingSummary({ campaign, metrics: m = {}, loading }) {
  const mo = m.machineOpened || 0;
  const mc = m.machineClicked || 0;
  const machine = [mo && count(mo, 'open'), mc && count(mc, 'click')].filter(Boolean).join(' and ');
  const shown = showTracking(campaign, m);
  return (
    <div class={`tracking-summary ${shown ? 'with-cards' : ''}`}>
      {shown && (
        <StatCards
          label="Opens and clicks by people"
          loading={loading}
          cards={[
            ['Opened', fmtNum(m.opened), `${fmtRate(m.openRate)} of delivered`],
            ['Clicked', fmtNum(m.clicked), `${fmtRate(m.clickRate)} of delivered`],
          ]}
        />
      )}
      <div class="small muted">
        <p>
          <span data-testid="tracking-status">{statusText(campaign.tracking)}</span>
          {' · '}
          <Link href={`/campaigns/${seg(campaign.id)}/edit`}>change in the sequence editor</Link>
        </p>
        {machine && !loading && (
          <p data-testid="machine-counts">
            +{machine} not counted: mail privacy proxies, link scanners and fetches right after delivery.
          </p>
        )}
      </div>
    </div>
  );
}
