import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import { fmtNum } from '../format.js';

export const SERIES = [
  { key: 'sent', label: 'Sent', color: '#5b6577' },
  { key: 'delivered', label: 'Delivered', color: '#0f766e' },
  { key: 'bounced', label: 'Bounced', color: '#c2410c' },
  { key: 'replied', label: 'Replied', color: '#2563eb' },
];
/** Opens and clicks by people (tracking on): dashed, after the others. */
export const TRACKED_SERIES = [
  { key: 'opened', label: 'Opened', color: '#7e22ce', dash: [6, 4] },
  { key: 'clicked', label: 'Clicked', color: '#be185d', dash: [6, 4] },
];

/**
 * A uPlot time series of analytics buckets ({start, sent, delivered, ...}),
 * drawn in the workspace's time zone. uPlot's own legend is off: the legend
 * is rendered as text beside it, and the numbers are in a table below.
 */
export function TimeChart({ buckets, interval, timezone, label, series = SERIES }) {
  const box = useRef(null);
  const plot = useRef(null);

  useEffect(() => {
    const el = box.current;
    const xs = buckets.map((b) => Math.floor(Date.parse(b.start) / 1000));
    const data = [xs, ...series.map((s) => buckets.map((b) => b[s.key] ?? 0))];
    const width = Math.max(el.clientWidth, 280);
    const opts = {
      width,
      height: 260,
      legend: { show: false },
      cursor: { drag: { x: false, y: false } },
      scales: { x: { time: true }, y: { range: (u, min, max) => [0, Math.max(4, max * 1.1)] } },
      tzDate: timezone ? (ts) => uPlot.tzDate(new Date(ts * 1000), timezone) : undefined,
      axes: [
        { stroke: '#535d6c', grid: { stroke: '#eceff3' }, ticks: { stroke: '#d9dee5' } },
        { stroke: '#535d6c', grid: { stroke: '#eceff3' }, ticks: { stroke: '#d9dee5' }, values: (u, vals) => vals.map((v) => fmtNum(v)) },
      ],
      series: [
        {},
        ...series.map((s) => ({
          label: s.label,
          stroke: s.color,
          dash: s.dash,
          width: 2,
          points: { show: buckets.length <= 60, size: 5 },
        })),
      ],
    };
    plot.current?.destroy();
    plot.current = new uPlot(opts, data, el);
    const ro = new ResizeObserver(() => {
      const w = Math.max(el.clientWidth, 280);
      if (plot.current && Math.abs(plot.current.width - w) > 2) plot.current.setSize({ width: w, height: 260 });
    });
    ro.observe(el);
    return () => {
      ro.disconnect();
      plot.current?.destroy();
      plot.current = null;
    };
  }, [buckets, interval, timezone, series]);

  return (
    <figure class="chart" aria-label={label}>
      <div ref={box} class="chart-box" aria-hidden="true" />
      <ul class="chart-legend" aria-label="Legend">
        {series.map((s) => {
          const total = buckets.reduce((n, b) => n + (b[s.key] || 0), 0);
          return (
            <li key={s.key}>
              <span class={`swatch ${s.dash ? 'swatch-dashed' : ''}`} style={{ background: s.color }} />
              {s.label}: {fmtNum(total)}
            </li>
          );
        })}
      </ul>
    </figure>
  );
}
