export interface ProgressSnapshot {
  /** How far along, in the unit of `total` (bytes of the file, customers). */
  done: number;
  total: number;
  /** Items handled in this run (events, invoices), for the rate. */
  count: number;
  /** Items refused or failed so far, shown when not zero. */
  refused?: number;
}

const BAR_WIDTH = 24;

/**
 * One progress line: bar, percentage, items, rate, ETA. `doneAtStart` is where a resumed run
 * began, so the rate and ETA measure this run only.
 */
export function formatProgress(label: string, unit: string, snapshot: ProgressSnapshot, elapsedMs: number, doneAtStart = 0): string {
  const fraction = snapshot.total > 0 ? Math.min(1, snapshot.done / snapshot.total) : 1;
  const filled = Math.round(fraction * BAR_WIDTH);
  const seconds = elapsedMs / 1000;
  const rate = seconds > 0 ? snapshot.count / seconds : 0;
  const speed = seconds > 0 ? (snapshot.done - doneAtStart) / seconds : 0;
  const eta = speed > 0 ? (snapshot.total - snapshot.done) / speed : undefined;
  const parts = [
    `${label} [${'#'.repeat(filled)}${'.'.repeat(BAR_WIDTH - filled)}] ${(fraction * 100).toFixed(1).padStart(5)}%`,
    `${snapshot.count.toLocaleString('en')} ${unit}`,
    `${Math.round(rate).toLocaleString('en')} ${unit}/s`,
    `ETA ${eta === undefined ? '--:--' : formatDuration(eta)}`,
  ];
  if (snapshot.refused) parts.push(`${snapshot.refused.toLocaleString('en')} refused`);
  return parts.join(' | ');
}

/** `m:ss`, or `h:mm:ss` from an hour. */
export function formatDuration(totalSeconds: number): string {
  const whole = Math.max(0, Math.ceil(totalSeconds));
  const hours = Math.floor(whole / 3600);
  const minutes = Math.floor((whole % 3600) / 60);
  const seconds = String(whole % 60).padStart(2, '0');
  return hours > 0 ? `${hours}:${String(minutes).padStart(2, '0')}:${seconds}` : `${minutes}:${seconds}`;
}

/**
 * The progress line on stderr (stdout stays for results and --json): redrawn in place on a
 * terminal, a new line every few seconds otherwise (logs, CI).
 */
export class ProgressLine {
  private readonly startedAt = Date.now();
  private lastDrawnAt = 0;
  private snapshot: ProgressSnapshot | undefined;
  private readonly tty: boolean;
  private readonly intervalMs: number;

  constructor(
    private readonly stream: NodeJS.WritableStream & { isTTY?: boolean },
    private readonly label: string,
    private readonly unit: string,
    private readonly options: { enabled: boolean; doneAtStart?: number },
  ) {
    this.tty = Boolean(stream.isTTY);
    this.intervalMs = this.tty ? 200 : 2_000;
  }

  update(snapshot: ProgressSnapshot): void {
    this.snapshot = snapshot;
    if (Date.now() - this.lastDrawnAt >= this.intervalMs) this.draw();
  }

  /** A notice (a retry) on its own line, the progress line redrawn below it. */
  note(message: string): void {
    if (!this.options.enabled) return;
    this.stream.write(this.tty ? `\r\x1b[K${message}\n` : `${message}\n`);
    if (this.snapshot) this.draw();
  }

  finish(): void {
    if (this.snapshot) this.draw();
    if (this.options.enabled && this.tty && this.snapshot) this.stream.write('\n');
  }

  private draw(): void {
    this.lastDrawnAt = Date.now();
    if (!this.options.enabled || !this.snapshot) return;
    const line = formatProgress(this.label, this.unit, this.snapshot, Date.now() - this.startedAt, this.options.doneAtStart);
    this.stream.write(this.tty ? `\r${line}\x1b[K` : `${line}\n`);
  }
}
