import { assertGatewayBindAllowed } from '@abaxus/platform/config/abaxus-config';
import { ServiceRuntime } from '@abaxus/platform/service/service-runtime';
import { startHttpApp, StartedApp } from '@abaxus/platform/service/start-service-app';
import { GatewayAppModule } from './gateway-app.module';

/** Largest body the edge accepts: a backfill of 5,000 events with properties fits well inside. */
export const GATEWAY_BODY_LIMIT_BYTES = 8 * 1024 * 1024;

export function startGateway(runtime: ServiceRuntime, port = runtime.config.port): Promise<StartedApp> {
  assertGatewayBindAllowed(runtime.config);
  return startHttpApp(GatewayAppModule.forRoot(runtime), {
    port,
    host: runtime.config.host,
    bodyLimitBytes: GATEWAY_BODY_LIMIT_BYTES,
    parseJson: false,
  });
}
