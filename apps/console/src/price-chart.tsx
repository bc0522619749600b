import uPlot from 'uplot';
import { useEffect, useRef } from 'preact/hooks';
import type { PricePoint } from './format/price-curve';

/** The price of a tiered or volume charge against the quantity (exact figures are in the tier table beside it). */
export function PriceChart({ points, label }: { points: PricePoint[]; label: string }) {
  const host = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const element = host.current;
    if (!element) return;
    // Plotting needs numbers; the decimals were computed exactly before this conversion.
    const xs = points.map((point) => Number(point.quantity));
    const ys = points.map((point) => Number(point.amount));
    const plot = new uPlot(
      {
        width: Math.min(480, Math.max(260, element.clientWidth || 480)),
        height: 200,
        legend: { show: false },
        cursor: { drag: { x: false, y: false } },
        scales: { x: { time: false } },
        axes: [{ label: 'quantity' }, { size: 60, label: 'price' }],
        series: [{}, { label, stroke: '#166534', width: 2, points: { show: false } }],
      },
      [xs, ys],
      element,
    );
    return () => plot.destroy();
  }, [points, label]);
  return (
    <div ref={host} class="price-chart" role="img" aria-label={`${label}: price by quantity, from 0 to ${points[points.length - 1]?.quantity ?? 0} units`} />
  );
}
