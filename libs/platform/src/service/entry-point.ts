import { setFlagsFromString } from 'node:v8';
import { AbaxusConfig, ConfigError, loadConfig, loadLogSettings, LogFormat } from '../config/abaxus-config';
import { configureLogging, registerSecrets, rootLogger } from '../logging/process-logger';
import { configSecrets } from '../logging/secret-scrubber';

type Env = Record<string, string | undefined>;

/**
 * The first step of every entry point: logging set up (the format defaults to the run mode's),
 * then the configuration read. A bad configuration is logged, naming each problem, and ends the process.
 */
export function configureProcess(service: string, defaultFormat: LogFormat, env: Env = process.env): AbaxusConfig {
  const logSettings = loadLogSettings(env);
  configureLogging({ level: logSettings.level, format: logSettings.format ?? defaultFormat, service });
  let config: AbaxusConfig;
  try {
    config = loadConfig(env);
  } catch (error) {
    return exitOnStartFailure(error);
  }
  registerSecrets(configSecrets(config));
  limitHeapGrowth(config.heapGrowthPercent);
  return config;
}

/**
 * Sets how far V8 grows the heap past the live data before a full GC (ABAXUS_HEAP_GROWTH_PERCENT;
 * 0 leaves V8's own sizing). Set at run time because NODE_OPTIONS does not carry this V8 flag.
 */
export function limitHeapGrowth(percent: number): void {
  if (percent > 0) setFlagsFromString(`--heap-growing-percent=${percent}`);
}

/** Logs why the process cannot start (an unexpected error with its stack and cause) and ends it. */
export function exitOnStartFailure(reason: unknown): never {
  if (reason instanceof ConfigError || !(reason instanceof Error))
    rootLogger().fatal(`cannot start: ${reason instanceof Error ? reason.message : String(reason)}`);
  else rootLogger().fatal({ err: reason }, `cannot start: ${reason.message}`);
  process.exit(1);
}
