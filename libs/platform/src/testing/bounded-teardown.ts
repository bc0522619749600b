import { settlesWithin } from '../time/settles-within';

/**
 * Runs teardown steps one after another, each given at most `boundMs`: a step that has not
 * finished by then is reported by name and left behind, so a suite is judged by its tests, not
 * by how long a loaded machine takes to close a connection (jest ends its workers anyway).
 */
export async function boundedTeardown(label: string, steps: ReadonlyArray<readonly [string, () => unknown]>, boundMs = 25_000): Promise<void> {
  for (const [what, step] of steps) {
    const started = Date.now();
    const stopping = Promise.resolve()
      .then(step)
      .catch((error: unknown) => console.warn(`${label}: stopping ${what} failed: ${error instanceof Error ? error.message : String(error)}`));
    const finished = await settlesWithin(stopping, boundMs);
    const took = Date.now() - started;
    if (!finished) console.warn(`${label}: stopping ${what} did not finish within ${boundMs} ms; left behind`);
    else if (took > 10_000) console.warn(`${label}: stopping ${what} took ${took} ms`);
  }
}
