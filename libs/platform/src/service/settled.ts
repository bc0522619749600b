/** One answer of a batch whose items fail on their own: its value, or why it failed. */
export type Settled<T> = { ok: true; value: T } | { ok: false; error: unknown };

export function settle<T>(work: Promise<T>): Promise<Settled<T>> {
  return work.then(
    (value) => ({ ok: true as const, value }),
    (error: unknown) => ({ ok: false as const, error }),
  );
}
