import { ProblemBody, ProblemException } from '../http/problem.exception';

/** The problem a promise is rejected with; fails when it resolves or throws anything else. */
export async function problemOf(promise: Promise<unknown>): Promise<ProblemBody> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ProblemException) return error.problem;
    throw error;
  }
  throw new Error('expected a ProblemException, but the promise resolved');
}
