/** Latency percentiles (nearest rank) and the figures the benchmark prints. */
export function percentile(sortedMs: number[], p: number): number {
  if (sortedMs.length === 0) return NaN;
  const rank = Math.min(sortedMs.length - 1, Math.max(0, Math.ceil((p / 100) * sortedMs.length) - 1));
  return sortedMs[rank];
}

export interface LatencySummary {
  count: number;
  p50: number;
  p99: number;
  max: number;
}

export function summarize(latenciesMs: number[]): LatencySummary {
  const sorted = [...latenciesMs].sort((a, b) => a - b);
  return { count: sorted.length, p50: percentile(sorted, 50), p99: percentile(sorted, 99), max: sorted[sorted.length - 1] ?? NaN };
}

export function ms(value: number): string {
  return `${value.toFixed(value < 10 ? 2 : 1)} ms`;
}

export function perSecond(count: number, elapsedMs: number): number {
  return Math.round((count * 1000) / elapsedMs);
}

export function row(label: string, value: string, target = ''): void {
  console.log(`  ${label.padEnd(58)} ${value.padStart(16)}${target ? `   (${target})` : ''}`);
}
