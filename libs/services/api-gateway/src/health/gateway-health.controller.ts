import { Controller, Get } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { SERVICE_NAMES } from '@abaxus/platform/config/abaxus-config';
import { MessageBus } from '@abaxus/platform/bus/message-bus';
import { ProblemException } from '@abaxus/platform/http/problem.exception';
import { ServiceHttpClient } from '@abaxus/platform/service/service-http-client';

/** Unauthenticated. Ready means: database, bus, and every service ready. */
@Controller('health')
export class GatewayHealthController {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly bus: MessageBus,
    private readonly services: ServiceHttpClient,
  ) {}

  @Get('live')
  live(): { status: string } {
    return { status: 'ok' };
  }

  @Get('ready')
  async ready(): Promise<{ status: string; checks: Record<string, string> }> {
    const checks: Record<string, string> = {};
    const probe = async (name: string, check: () => Promise<unknown>) => {
      try {
        await check();
        checks[name] = 'ok';
      } catch (error) {
        checks[name] = error instanceof ProblemException ? error.problem.detail : (error as Error).message;
      }
    };
    await Promise.all([
      probe('database', () => this.dataSource.query('SELECT 1')),
      probe('bus', () => this.bus.ping()),
      ...SERVICE_NAMES.map((name) => probe(name, () => this.services.expectOk(name, 'GET', '/health/ready'))),
    ]);
    const failing = Object.entries(checks).filter(([, value]) => value !== 'ok');
    if (failing.length > 0) {
      throw new ProblemException(503, 'not_ready', `Not ready: ${failing.map(([name, reason]) => `${name} (${reason})`).join(', ')}`, { checks });
    }
    return { status: 'ok', checks };
  }
}
