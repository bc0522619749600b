import { parseArgs, ParseArgsConfig } from 'node:util';
import { AbaxusApiError, AbaxusClient, AbaxusConnectionError, AbaxusError, DEFAULT_BASE_URL, RetryNotice, RetryPolicy } from '@abaxus/sdk';

export const VERSION = '0.1.0';

export interface CliIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  env: NodeJS.ProcessEnv;
}

export type OptionValues = Record<string, string | boolean | string[] | undefined>;

export interface CommandContext {
  positionals: string[];
  values: OptionValues;
  io: CliIo;
  /** --json: one JSON document on stdout, nothing else there. */
  json: boolean;
  /** --quiet: no progress line. */
  quiet: boolean;
  url: string;
  /** A client of the engine at `url`, with the API key; `onRetry` hears about each retry. */
  client(settings?: { onRetry?: (notice: RetryNotice) => void; retry?: Partial<RetryPolicy> }): AbaxusClient;
}

export interface Command {
  /** The words that name it: `events import`. */
  name: string;
  arguments?: string;
  summary: string;
  /** The --help text after the usage line. */
  help: string;
  options: NonNullable<ParseArgsConfig['options']>;
  run(context: CommandContext): Promise<number>;
}

/** A mistake in the command line: said with the command's usage, exit status 2. */
export class UsageError extends Error {}

const GLOBAL_OPTIONS: NonNullable<ParseArgsConfig['options']> = {
  url: { type: 'string' },
  'api-key': { type: 'string' },
  json: { type: 'boolean' },
  quiet: { type: 'boolean', short: 'q' },
  help: { type: 'boolean', short: 'h' },
};

const GLOBAL_HELP = `Options for every command:
  --url <url>         the engine's gateway (env ABAXUS_URL; default ${DEFAULT_BASE_URL})
  --api-key <key>     API key (env ABAXUS_API_KEY; none for an engine running open on loopback)
  --json              write one JSON document to stdout (for scripts) instead of text
  -q, --quiet         no progress line on stderr
  -h, --help          this help`;

export async function runCli(argv: string[], io: CliIo, commands: Command[]): Promise<number> {
  // The command's words come first (`abaxus invoices run --cutoff …`); options follow.
  const firstOption = argv.findIndex((arg) => arg.startsWith('-'));
  const words = firstOption < 0 ? argv : argv.slice(0, firstOption);
  if (argv[0] === '--version' || argv[0] === '-v') {
    io.stdout.write(`abaxus ${VERSION}\n`);
    return 0;
  }
  const command = commands.find((candidate) => candidate.name.split(' ').every((word, i) => words[i] === word));
  if (!command) {
    const asked = words.length > 0 && words[0] !== 'help';
    (asked ? io.stderr : io.stdout).write(`${asked ? `abaxus: unknown command "${words.join(' ')}"\n\n` : ''}${overview(commands)}\n`);
    return asked ? 2 : 0;
  }
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: { ...GLOBAL_OPTIONS, ...command.options }, allowPositionals: true, strict: true });
  } catch (error) {
    return usageFailure(io, command, (error as Error).message);
  }
  const values = parsed.values as OptionValues;
  if (values.help) {
    io.stdout.write(`${commandHelp(command)}\n`);
    return 0;
  }
  const url = (values.url as string | undefined) ?? io.env.ABAXUS_URL ?? DEFAULT_BASE_URL;
  const apiKey = (values['api-key'] as string | undefined) ?? io.env.ABAXUS_API_KEY;
  const context: CommandContext = {
    positionals: parsed.positionals.slice(command.name.split(' ').length),
    values,
    io,
    json: Boolean(values.json),
    quiet: Boolean(values.quiet),
    url,
    client: (settings = {}) => new AbaxusClient({ baseUrl: url, apiKey: apiKey || undefined, onRetry: settings.onRetry, retry: settings.retry }),
  };
  try {
    return await command.run(context);
  } catch (error) {
    if (error instanceof UsageError) return usageFailure(io, command, error.message);
    io.stderr.write(`abaxus ${command.name}: ${describeFailure(error, url)}\n`);
    return 1;
  }
}

/** A failure as a person reads it: what the engine said, or that it could not be reached. */
export function describeFailure(error: unknown, url: string): string {
  if (error instanceof AbaxusConnectionError) return `cannot reach the engine at ${url} (${error.message}); is it running? (--url, ABAXUS_URL)`;
  if (error instanceof AbaxusApiError && error.status === 401) return `${error.detail} (--api-key, ABAXUS_API_KEY)`;
  if (error instanceof AbaxusError) return error.message;
  return (error as Error)?.message ?? String(error);
}

function usageFailure(io: CliIo, command: Command, message: string): number {
  io.stderr.write(`abaxus ${command.name}: ${message}\nUsage: ${usageLine(command)}\nRun "abaxus ${command.name} --help" for more.\n`);
  return 2;
}

function usageLine(command: Command): string {
  return `abaxus ${command.name}${command.arguments ? ` ${command.arguments}` : ''}`;
}

function commandHelp(command: Command): string {
  return `Usage: ${usageLine(command)}\n\n${command.summary}\n\n${command.help}\n\n${GLOBAL_HELP}`;
}

function overview(commands: Command[]): string {
  const width = Math.max(...commands.map((command) => command.name.length));
  return [
    `abaxus ${VERSION}: the ABAXUS command line (usage import, month-end runs, reads).`,
    '',
    'Usage: abaxus <command> [options]',
    '',
    'Commands:',
    ...commands.map((command) => `  ${command.name.padEnd(width)}  ${command.summary}`),
    '',
    GLOBAL_HELP,
    '',
    'Run "abaxus <command> --help" for a command\'s options.',
  ].join('\n');
}

/** A positive integer option, within bounds. */
export function integerOption(values: OptionValues, name: string, fallback: number, max = Number.MAX_SAFE_INTEGER): number {
  const raw = values[name];
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (typeof raw !== 'string' || !/^\d+$/.test(raw) || value < 1 || value > max) throw new UsageError(`--${name} must be an integer from 1 to ${max}`);
  return value;
}

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/i;

/** An RFC 3339 timestamp with an offset, as the API takes it. */
export function timestampOption(values: OptionValues, name: string, fallback?: string): string {
  const raw = values[name] ?? fallback;
  if (typeof raw !== 'string') throw new UsageError(`--${name} is required`);
  if (!RFC3339.test(raw)) throw new UsageError(`--${name} must be an RFC 3339 timestamp with an offset, e.g. 2026-03-31T23:59:59Z`);
  return raw;
}

export function writeJson(io: CliIo, value: unknown): void {
  io.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}
