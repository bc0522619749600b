import { ProblemBody, ProblemException } from '@abaxus/platform/http/problem.exception';
import { screenJsonBody } from './body-screen';

function refusal(body: string): ProblemBody | undefined {
  try {
    screenJsonBody(Buffer.from(body));
  } catch (error) {
    if (error instanceof ProblemException) return error.problem;
    throw error;
  }
  return undefined;
}

describe('screenJsonBody', () => {
  it.each([
    ['{"name":"a\\u0000b"}', 'name'],
    ['{"events":[{"properties":{"region":"eu\\u0000"}}]}', 'events[0].properties.region'],
    ['{"metadata":{"k\\u0000":"v"}}', 'metadata.k\\u0000'],
    ['"\\u0000"', 'body'],
    ['{"__proto__":{"admin":true}}', '__proto__'],
    ['{"charges":[{"constructor":{}}]}', 'charges[0].constructor'],
    ['{"\\u005f_proto__":1}', '__proto__'],
    ['{"metadata":{"constructor":"x"}}', 'metadata.constructor'],
    ['{"issuer":{"email":"\\ud800"}}', 'issuer.email'],
    ['{"name":"a\\udc00b"}', 'name'],
  ])('refuses %s with 400 naming %s', (body, field) => {
    expect(refusal(body)).toMatchObject({ status: 400, code: 'validation_failed', errors: [{ field }] });
  });

  it.each([['{"name":"a\\\\u0000b"}'], ['{"name":"constructor"}'], ['{"text":"\\u00e9"}'], ['{"emoji":"\\ud83d\\ude00"}'], ['not json \\u0000'], ['']])(
    'lets %s through',
    (body) => {
      expect(refusal(body)).toBeUndefined();
    },
  );

  it('walks a deeply nested body without exhausting the stack', () => {
    const deep = `${'['.repeat(100000)}"\\u0000"${']'.repeat(100000)}`;
    expect(refusal(deep)).toMatchObject({ status: 400 });
  });
});
