/**
 * Runs teardown steps one after another, each given at most `boundMs`: a step that has not
 * finished by then is reported by name and left behind, so a suite is judged by its tests, not
 * by how long a loaded machine takes to close a connection (jest ends its workers anyway).
 */
export async function boundedTeardown(label: string, steps: ReadonlyArray<readonly [string, () => unknown]>, boundMs = 25_000): Promise<void> {
  for (const [what, step] of steps) {
    const started = Date.now();
    let timer: NodeJS.Timeout | undefined;
    const finished = await Promise.race([
      Promise.resolve()
        .then(step)
        .then(
          () => true,
          (error: unknown) => {
            console.warn(`${label}: stopping ${what} failed: ${error instanceof Error ? error.message : String(error)}`);
            return true;
          },
        ),
      new Promise<false>((resolve) => {
        timer = setTimeout(() => resolve(false), boundMs);
      }),
    ]);
    clearTimeout(timer);
    const took = Date.now() - started;
    if (!finished) console.warn(`${label}: stopping ${what} did not finish within ${boundMs} ms; left behind`);
    else if (took > 10_000) console.warn(`${label}: stopping ${what} took ${took} ms`);
  }
}
