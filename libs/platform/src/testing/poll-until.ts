/** Retries an assertion until it passes or the time is up; tests wait on outcomes, never on sleeps. */
export async function pollUntil<T>(check: () => Promise<T>, { timeoutMs = 20000, intervalMs = 100 } = {}): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) throw lastError;
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
