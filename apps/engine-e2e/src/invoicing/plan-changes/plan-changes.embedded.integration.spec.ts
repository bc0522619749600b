import { startTestEngine, TestEngine } from '@abaxus/testing/test-engine';
import { planChangeScenario } from './plan-change-scenario';

/* Plan changes and late usage through the gateway, whole engine on the embedded (PostgreSQL) bus. */
describe('plan changes and late usage (whole engine, embedded bus)', () => {
  let engine: TestEngine;

  beforeAll(async () => {
    engine = await startTestEngine({ bus: 'embedded' });
  });

  afterAll(() => engine?.stop());

  planChangeScenario(() => engine);
});
