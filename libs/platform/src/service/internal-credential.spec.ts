import { ExecutionContext } from '@nestjs/common';
import { ProblemException } from '../http/problem.exception';
import { generateInternalCredential, INTERNAL_CREDENTIAL_HEADER, InternalCredentialGuard, OpenToProbes } from './internal-credential';
import { ServiceDirectory } from './service-directory';

class DataController {}

@OpenToProbes()
class ProbeController {}

function requestWith(headers: Record<string, string | string[]>, controller: object = DataController): ExecutionContext {
  return { getClass: () => controller, switchToHttp: () => ({ getRequest: () => ({ headers }) }) } as unknown as ExecutionContext;
}

function refusal(guard: InternalCredentialGuard, headers: Record<string, string | string[]>): unknown {
  try {
    guard.canActivate(requestWith(headers));
  } catch (error) {
    return error instanceof ProblemException ? error.problem.status : error;
  }
  return 'let in';
}

describe('InternalCredentialGuard', () => {
  const credential = generateInternalCredential();
  const guard = new InternalCredentialGuard(credential);

  it('lets in what the directory sends, and nothing else', () => {
    expect(credential).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(generateInternalCredential()).not.toBe(credential);
    expect(guard.canActivate(requestWith(new ServiceDirectory({}, credential).requestHeaders()))).toBe(true);
    expect(refusal(guard, {})).toBe(401);
    expect(refusal(guard, { [INTERNAL_CREDENTIAL_HEADER]: `${credential}x` })).toBe(401);
    expect(refusal(guard, { [INTERNAL_CREDENTIAL_HEADER]: [credential, credential] })).toBe(401);
    expect(refusal(guard, { authorization: `Bearer ${credential}` })).toBe(401);
  });

  it('lets probes in without it (health and metrics controllers)', () => {
    expect(guard.canActivate(requestWith({}, ProbeController))).toBe(true);
  });

  it('is not sent where there is no credential (a single service under test)', () => {
    expect(new ServiceDirectory({ catalog: 'http://catalog:3001' }).requestHeaders()).toEqual({});
  });
});
