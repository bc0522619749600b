import { AbaxusApiError, AbaxusConnectionError, AbaxusError } from './errors';

describe('AbaxusApiError', () => {
  it('exposes the problem document: status, code, type, title, detail and field errors', () => {
    const error = new AbaxusApiError('createMetric', 1, 400, {
      type: 'https://abaxus.dev/problems/validation-failed',
      title: 'Bad Request',
      status: 400,
      code: 'validation_failed',
      detail: 'The request body is not valid.',
      errors: [{ field: 'aggregation_type', message: 'must be one of sum, count, max, min, latest, unique_count' }],
    });
    expect(error).toBeInstanceOf(AbaxusError);
    expect(error).toMatchObject({
      name: 'AbaxusApiError',
      operation: 'createMetric',
      status: 400,
      code: 'validation_failed',
      type: 'https://abaxus.dev/problems/validation-failed',
      title: 'Bad Request',
      detail: 'The request body is not valid.',
    });
    expect(error.fieldError('aggregation_type')).toMatch(/must be one of/);
    expect(error.fieldError('key')).toBeUndefined();
    expect(error.message).toBe(
      'createMetric: 400 validation_failed: The request body is not valid. (aggregation_type: must be one of sum, count, max, min, latest, unique_count)',
    );
  });

  it('keeps extension members (lag, currencies, decline_code) in `problem`', () => {
    const error = new AbaxusApiError('computeUsage', 5, 503, {
      type: 'https://abaxus.dev/problems/usage-not-caught-up',
      title: 'Service Unavailable',
      status: 503,
      code: 'usage_not_caught_up',
      detail: 'behind',
      lag: 42,
    });
    expect(error.problem.lag).toBe(42);
    expect(error.errors).toEqual([]);
    expect(error.attempts).toBe(5);
  });

  it('makes a usable error of a body that is not a problem document', () => {
    const error = new AbaxusApiError('getInvoice', 1, 502, '<html>Bad Gateway</html>');
    expect(error).toMatchObject({ status: 502, code: 'unexpected_response', detail: '<html>Bad Gateway</html>', type: 'about:blank' });
    expect(new AbaxusApiError('getInvoice', 1, 502, undefined).detail).toBe('HTTP 502 without a problem document');
  });
});

describe('AbaxusConnectionError', () => {
  it('names the cause of a failed connection, and says when the attempts timed out', () => {
    const refused = new AbaxusConnectionError('listInvoices', 3, false, Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNREFUSED' } }));
    expect(refused.message).toBe('listInvoices: connection failed (ECONNREFUSED) after 3 attempt(s)');
    expect(refused.timedOut).toBe(false);
    const slow = new AbaxusConnectionError('issueInvoice', 5, true, new DOMException('no answer', 'TimeoutError'));
    expect(slow.message).toBe('issueInvoice: no answer in time after 5 attempt(s)');
  });
});
