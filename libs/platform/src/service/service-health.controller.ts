import { Controller, Get } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { MessageBus } from '../bus/message-bus';
import { ProblemException } from '../http/problem.exception';

@Controller('health')
export class ServiceHealthController {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly bus: MessageBus,
  ) {}

  @Get('live')
  live(): { status: string } {
    return { status: 'ok' };
  }

  @Get('ready')
  async ready(): Promise<{ status: string; checks: Record<string, string> }> {
    const checks: Record<string, string> = {};
    const failures: string[] = [];
    await this.dataSource.query('SELECT 1').then(
      () => (checks.database = 'ok'),
      (error: Error) => failures.push(`database: ${error.message}`),
    );
    await this.bus.ping().then(
      () => (checks.bus = 'ok'),
      (error: Error) => failures.push(`bus: ${error.message}`),
    );
    if (failures.length > 0) throw new ProblemException(503, 'not_ready', failures.join('; '), { checks });
    return { status: 'ok', checks };
  }
}
