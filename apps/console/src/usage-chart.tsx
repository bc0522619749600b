import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { useEffect, useRef } from 'preact/hooks';
import type { UsageHistogram } from './api';
import { formatQuantity } from './format/money';

/**
 * One metric's usage per bucket, drawn with uPlot. The canvas gets numbers (a chart can only plot
 * those); the table under it, which screen readers and the browser tests read, shows the API's
 * decimal strings unchanged.
 */
export function UsageChart({ histogram, label }: { histogram: UsageHistogram; label: string }) {
  const host = useRef<HTMLDivElement>(null);
  const buckets = histogram.buckets;
  useEffect(() => {
    const element = host.current;
    if (!element) return;
    const xs = buckets.map((bucket) => Date.parse(bucket.start) / 1000);
    const ys = buckets.map((bucket) => (bucket.value === null ? null : Number(bucket.value)));
    const width = Math.max(280, element.clientWidth || 600);
    const plot = new uPlot(
      {
        width,
        height: 220,
        legend: { show: false },
        cursor: { drag: { x: false, y: false } },
        scales: { x: { time: true } },
        axes: [{}, { size: 60 }],
        series: [{}, { label, stroke: '#1d4ed8', fill: 'rgba(29, 78, 216, 0.15)', width: 2, paths: uPlot.paths.stepped?.({ align: 1 }) }],
      },
      [xs, ys],
      element,
    );
    const resize = () => plot.setSize({ width: Math.max(280, element.clientWidth), height: 220 });
    addEventListener('resize', resize);
    return () => {
      removeEventListener('resize', resize);
      plot.destroy();
    };
  }, [buckets, label]);
  return (
    <figure class="chart">
      <div ref={host} class="chart-canvas" role="img" aria-label={`${label}: usage per bucket, ${buckets.length} buckets`} />
      <details>
        <summary>Data points ({buckets.length})</summary>
        <table class="points" data-testid="usage-points">
          <thead>
            <tr>
              <th scope="col">Bucket start (UTC)</th>
              <th scope="col">Value</th>
            </tr>
          </thead>
          <tbody>
            {buckets.map((bucket) => (
              <tr key={bucket.start} data-start={bucket.start} data-value={bucket.value ?? ''}>
                <td>{bucket.start}</td>
                <td class="num">{formatQuantity(bucket.value)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </figure>
  );
}
