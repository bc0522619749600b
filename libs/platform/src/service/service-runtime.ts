import { AbaxusConfig } from '../config/abaxus-config';
import { MessageBus } from '../bus/message-bus';
import { Clock } from '../time/clock';
import { ServiceDirectory } from './service-directory';

/** What every service is started with, in either run mode. */
export interface ServiceRuntime {
  config: AbaxusConfig;
  /** Resolved database URL (DATABASE_URL, or the embedded PostgreSQL's). */
  databaseUrl: string;
  directory: ServiceDirectory;
  /** One bus shared by every service of an embedded engine (which then closes it itself). */
  sharedBus?: MessageBus;
  /** The current time (default: the system's); tests pass one they can move. */
  clock?: Clock;
}

export const ABAXUS_CONFIG = Symbol('ABAXUS_CONFIG');
/** The service's name (`catalog`, `api-gateway`, …), as its log lines show it. */
export const SERVICE_NAME = Symbol('SERVICE_NAME');
