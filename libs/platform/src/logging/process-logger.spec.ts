import { Writable } from 'node:stream';
import { loadConfig } from '../config/abaxus-config';
import { runInLogContext } from './log-context';
import { configureLogging, createLogger, nestLogger, registerSecrets } from './process-logger';
import { configSecrets, SecretScrubber } from './secret-scrubber';

/** A destination that keeps what pino writes. */
function capture(): Writable & { lines: string[]; records(): Array<Record<string, unknown>> } {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer | string, _encoding, done) {
      lines.push(
        ...chunk
          .toString()
          .split('\n')
          .filter((line) => line !== ''),
      );
      done();
    },
  });
  return Object.assign(stream, { lines, records: () => lines.map((line) => JSON.parse(line) as Record<string, unknown>) });
}

describe('createLogger, JSON lines', () => {
  it('writes level, time, service, request id and message, one object per line', () => {
    const out = capture();
    const logger = createLogger({ level: 'log', format: 'json', service: 'engine', destination: out });
    runInLogContext({ service: 'catalog', requestId: 'req-1' }, () => logger.info('created'));
    logger.warn('outside any request');
    const [inRequest, outside] = out.records();
    expect(inRequest).toEqual({
      level: 'info',
      time: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      service: 'catalog',
      requestId: 'req-1',
      msg: 'created',
    });
    expect(outside).toEqual({ level: 'warn', time: expect.any(String), service: 'engine', msg: 'outside any request' });
  });

  it.each([
    ['error', ['error']],
    ['warn', ['error', 'warn']],
    ['log', ['error', 'warn', 'info']],
    ['debug', ['error', 'warn', 'info', 'debug']],
  ] as const)('keeps ABAXUS_LOG_LEVEL=%s meaning what it did', (level, written) => {
    const out = capture();
    const logger = createLogger({ level, format: 'json', service: 's', destination: out });
    for (const method of ['error', 'warn', 'info', 'debug', 'trace'] as const) logger[method](method);
    expect(out.records().map((record) => record.msg)).toEqual(written);
  });

  it('redacts secret fields wherever they are logged', () => {
    const out = capture();
    const logger = createLogger({ level: 'log', format: 'json', service: 's', destination: out });
    logger.info(
      {
        req: { headers: { authorization: 'Bearer k1', cookie: 'session=c1', 'stripe-signature': 't=1,v1=s1', accept: '*/*' } },
        config: { databaseUrl: 'postgres://u:p@db/x' },
        stripeSecretKey: 'sk-value',
      },
      'incoming',
    );
    const [record] = out.records();
    expect(record.req).toEqual({ headers: { authorization: '[REDACTED]', cookie: '[REDACTED]', 'stripe-signature': '[REDACTED]', accept: '*/*' } });
    expect(record.config).toBe('[REDACTED]');
    expect(record.stripeSecretKey).toBe('[REDACTED]');
  });

  it('removes configured secret values and credential-shaped text from messages and stacks', () => {
    const config = loadConfig({
      ABAXUS_API_KEYS: 'abx_key_0123456789abcdef',
      STRIPE_SECRET_KEY: 'stripe-secret-value-1',
      STRIPE_WEBHOOK_SECRET: 'hook-secret-value-2',
      DATABASE_URL: 'postgres://abaxus:db%22pass%40word@db.internal:5432/abaxus',
      SMTP_URL: 'smtp://mailer:smtp-pass-3@mail.internal:587',
      ABAXUS_INTERNAL_TOKEN: 'internal-token-value-0123456789abcdef',
    });
    const scrubber = new SecretScrubber();
    scrubber.add(configSecrets(config));
    const out = capture();
    const logger = createLogger({ level: 'log', format: 'json', service: 's', scrubber, destination: out });
    const error = new Error('connect to postgres://abaxus:db%22pass%40word@db.internal failed (password db"pass@word)');
    logger.error(
      { err: error },
      `key abx_key_0123456789abcdef, stripe stripe-secret-value-1, hook hook-secret-value-2, smtp smtp-pass-3, internal internal-token-value-0123456789abcdef`,
    );
    logger.warn('Authorization: Bearer some-caller-token and sk_live_51AbCdEf and whsec_AbCd1234 and whsec_Ab+d/23Ef45+/Gh= and https://user:pw@example.com/x');
    const text = out.lines.join('\n');
    for (const secret of [
      'abx_key_0123456789abcdef',
      'stripe-secret-value-1',
      'hook-secret-value-2',
      'db%22pass%40word',
      'db\\"pass@word',
      'smtp-pass-3',
      'internal-token-value',
    ]) {
      expect(text).not.toContain(secret);
    }
    for (const shaped of ['some-caller-token', 'sk_live_51AbCdEf', 'whsec_AbCd1234', '23Ef45+/Gh=', 'user:pw@']) expect(text).not.toContain(shaped);
    expect(text).toContain('https://user:[REDACTED]@example.com/x');
    expect(text).toContain('Bearer [REDACTED]');
    expect(out.records()[0].err).toMatchObject({ type: 'Error', stack: expect.stringContaining('at ') });
  });
});

describe('createLogger, readable lines', () => {
  it('writes one line per record: time, level, service, context, message, request id', () => {
    const out = capture();
    const logger = createLogger({ level: 'log', format: 'pretty', service: 'engine', destination: out });
    runInLogContext({ service: 'catalog', requestId: 'req-7' }, () => logger.info({ context: 'CatalogService' }, 'metric created'));
    logger.warn('ABAXUS API ready at http://127.0.0.1:3000/v1');
    expect(out.lines).toEqual([
      expect.stringMatching(/^\[\d\d:\d\d:\d\d\.\d{3}\] INFO: \[catalog\] CatalogService: metric created \(request req-7\)$/),
      expect.stringMatching(/^\[\d\d:\d\d:\d\d\.\d{3}\] WARN: \[engine\] ABAXUS API ready at http:\/\/127\.0\.0\.1:3000\/v1$/),
    ]);
  });
});

describe("Nest's logger (nestjs-pino) on the process logger", () => {
  it("drops Nest's start-up chatter below verbose, keeps the rest with its context, and never writes a registered secret", () => {
    const out = capture();
    configureLogging({ level: 'debug', format: 'json', service: 'catalog', destination: out });
    registerSecrets(['registered-secret-value']);
    const nest = nestLogger();
    nest.log('Mapped {/v1/metrics, POST} route', 'RouterExplorer');
    nest.log('CatalogAppModule dependencies initialized', 'InstanceLoader');
    nest.log('MetricsController {/v1/metrics}:', 'RoutesResolver');
    nest.log('Starting Nest application...', 'NestFactory');
    nest.log('Nest application successfully started', 'NestApplication');
    nest.log('relay started', 'OutboxRelay');
    nest.warn('retrying with registered-secret-value', 'KafkaMessageBus');
    nest.error('boom', 'Error: boom\n    at somewhere (file.ts:1:1)', 'ExceptionHandler');
    const records = out.records();
    expect(records.map((record) => [record.level, record.context, record.msg])).toEqual([
      ['info', 'OutboxRelay', 'relay started'],
      ['warn', 'KafkaMessageBus', 'retrying with [REDACTED]'],
      ['error', 'ExceptionHandler', 'boom'],
    ]);
    expect(records[2].err).toMatchObject({ message: 'boom', stack: expect.stringContaining('at somewhere') });
  });
});
