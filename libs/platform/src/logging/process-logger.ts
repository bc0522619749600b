import { Logger as NestLogger, LoggerService } from '@nestjs/common';
import { Logger as NestPinoAdapter, PinoLogger } from 'nestjs-pino';
import pino, { DestinationStream } from 'pino';
import pinoPretty from 'pino-pretty';
import { loadLogSettings, LogFormat, LogLevelName } from '../config/abaxus-config';
import { currentLogContext } from './log-context';
import { REDACTED, SecretScrubber } from './secret-scrubber';

const PINO_LEVELS: Record<LogLevelName, pino.Level> = { fatal: 'fatal', error: 'error', warn: 'warn', log: 'info', debug: 'debug', verbose: 'trace' };

/** Fields that hold secrets wherever someone might log them (pino replaces their values). */
export const REDACTED_PATHS = [
  'authorization',
  'cookie',
  'password',
  'apiKeys',
  'internalToken',
  'databaseUrl',
  'smtpUrl',
  'stripeSecretKey',
  'stripeWebhookSecret',
  'config',
  '*.authorization',
  '*.cookie',
  '*.password',
  '*.apiKeys',
  '*.internalToken',
  '*.databaseUrl',
  '*.smtpUrl',
  '*.stripeSecretKey',
  '*.stripeWebhookSecret',
  '*.config',
  '*.headers.authorization',
  '*.headers.cookie',
  '*.headers["set-cookie"]',
  '*.headers["stripe-signature"]',
  '*.headers["x-api-key"]',
  '*.headers["x-abaxus-internal-token"]',
  'headers["set-cookie"]',
  'headers["stripe-signature"]',
  'headers["x-api-key"]',
  'headers["x-abaxus-internal-token"]',
];

/** Fields the readable format shows in the line's text, not again as JSON. */
const PRETTY_HIDDEN_FIELDS = 'service,context,requestId,requestIds,method,path,status,durationMs';

export interface LoggerOptions {
  level: LogLevelName;
  format: LogFormat;
  /** Service name of lines written outside any service's context. */
  service: string;
  scrubber?: SecretScrubber;
  /** Where lines go (default stdout, written synchronously so nothing is lost on exit). */
  destination?: DestinationStream;
}

/** A pino logger with the engine's line shape, redaction and request context. */
export function createLogger(options: LoggerOptions): pino.Logger {
  const scrubber = options.scrubber ?? new SecretScrubber();
  const json = options.format === 'json';
  const destination = options.destination ?? pino.destination({ dest: 1, sync: true });
  return pino(
    {
      level: PINO_LEVELS[options.level],
      base: null,
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: json ? { level: (label) => ({ level: label }) } : {},
      mixin: () => contextFields(options.service),
      redact: { paths: REDACTED_PATHS, censor: REDACTED },
      hooks: { streamWrite: (line) => scrubber.scrub(line) },
    },
    json ? destination : readableLines(destination),
  );
}

function contextFields(defaultService: string): Record<string, unknown> {
  const context = currentLogContext();
  return {
    service: context?.service ?? defaultService,
    ...(context?.requestId ? { requestId: context.requestId } : {}),
    ...(context?.requestIds ? { requestIds: context.requestIds } : {}),
  };
}

/** `[12:00:01.234] INFO: [catalog] Context: message (request 5f2c…)`, one line per record (stacks aside). */
function readableLines(destination: DestinationStream): DestinationStream {
  return pinoPretty({
    destination,
    sync: true,
    singleLine: true,
    translateTime: 'SYS:HH:MM:ss.l',
    ignore: PRETTY_HIDDEN_FIELDS,
    messageFormat: (log, messageKey) => {
      const context = log.context ? `${String(log.context)}: ` : '';
      const requests = log.requestId ? ` (request ${String(log.requestId)})` : Array.isArray(log.requestIds) ? ` (requests ${log.requestIds.join(', ')})` : '';
      return `[${String(log.service)}] ${context}${String(log[messageKey] ?? '')}${requests}`;
    },
  });
}

// One logger per process: Nest's static Logger is process-wide too.
const processScrubber = new SecretScrubber();
let processLogger: pino.Logger | undefined;

/** Sets the process's logger; the entry points call it first, with the run mode's default format. */
export function configureLogging(options: Omit<LoggerOptions, 'scrubber'>): void {
  processLogger = createLogger({ ...options, scrubber: processScrubber });
  NestLogger.overrideLogger(nestLogger());
}

/** The process's logger; without configureLogging (tests, benchmarks), ABAXUS_LOG_LEVEL and _FORMAT decide. */
export function rootLogger(): pino.Logger {
  if (!processLogger) {
    const settings = loadLogSettings(process.env);
    processLogger = createLogger({ level: settings.level, format: settings.format ?? 'pretty', service: 'abaxus', scrubber: processScrubber });
  }
  return processLogger;
}

/** Values never to appear in a log line of this process (see configSecrets). */
export function registerSecrets(values: Array<string | undefined>): void {
  processScrubber.add(values);
}

/** Nest's start-up chatter (modules loaded, each route mapped): shown only at `verbose`. */
const NEST_BOOTSTRAP_CONTEXTS = new Set(['NestFactory', 'InstanceLoader', 'RoutesResolver', 'RouterExplorer', 'NestApplication']);

/** nestjs-pino's PinoLogger, always on the process's current logger. */
class ProcessPinoLogger extends PinoLogger {
  override get logger(): pino.Logger {
    return rootLogger();
  }
}

/** Nest's LoggerService on pino (nestjs-pino), with the framework's start-up lines turned down. */
class AbaxusNestLogger extends NestPinoAdapter {
  override log(message: unknown, ...optionalParams: unknown[]): void {
    const context = optionalParams[optionalParams.length - 1];
    if (typeof context === 'string' && NEST_BOOTSTRAP_CONTEXTS.has(context)) super.verbose(message, ...optionalParams);
    else super.log(message, ...optionalParams);
  }
}

let processNestLogger: LoggerService | undefined;

/** What Nest apps log through (NestFactory's `logger`). */
export function nestLogger(): LoggerService {
  processNestLogger ??= new AbaxusNestLogger(new ProcessPinoLogger({ pinoHttp: { logger: rootLogger() } }), {});
  return processNestLogger;
}
