import { assertGatewayBindAllowed } from '@abaxus/platform/config/abaxus-config';
import { ServiceRuntime } from '@abaxus/platform/service/service-runtime';
import { startHttpApp, StartedApp } from '@abaxus/platform/service/start-service-app';
import { GatewayAppModule } from './gateway-app.module';

/** Largest body the edge accepts: a backfill of 5,000 events with properties fits well inside. */
export const GATEWAY_BODY_LIMIT_BYTES = 8 * 1024 * 1024;

/** The edge keeps bodies as bytes: they are forwarded unchanged and hashed for Idempotency-Key. */
export const GATEWAY_BODY_HANDLING = { bodyLimitBytes: GATEWAY_BODY_LIMIT_BYTES, parseJson: false };

export function startGateway(runtime: ServiceRuntime, port = runtime.config.port): Promise<StartedApp> {
  assertGatewayBindAllowed(runtime.config);
  return startHttpApp(GatewayAppModule.forRoot(runtime), {
    port,
    host: runtime.config.host,
    ...GATEWAY_BODY_HANDLING,
  });
}
