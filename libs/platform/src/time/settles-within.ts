/**
 * True when `work` settles (resolves or rejects) within `ms`; false when the time runs out first.
 * The work is not cancelled: it goes on and its outcome is the caller's to handle or ignore. For
 * bounding shutdowns and teardowns, never business time (that comes from the Clock).
 */
export async function settlesWithin(work: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      work.then(
        () => true,
        () => true,
      ),
      new Promise<false>((resolve) => {
        timer = setTimeout(() => resolve(false), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
