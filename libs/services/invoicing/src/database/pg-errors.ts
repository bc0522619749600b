/** PostgreSQL error codes the repositories turn into answers. */
export const PG_LOCK_NOT_AVAILABLE = '55P03';
export const PG_UNIQUE_VIOLATION = '23505';

export function pgCode(error: unknown): string | undefined {
  const driver = (error as { driverError?: { code?: string }; code?: string }) ?? {};
  return driver.driverError?.code ?? driver.code;
}
