/** Fails with the answer's body unless it has the expected status. */
export function expectStatus<R extends { status: number; body: unknown }>(response: R, status: number): R {
  if (response.status !== status) throw new Error(`expected ${status}, got ${response.status}: ${JSON.stringify(response.body)}`);
  return response;
}
