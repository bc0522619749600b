import { startTestEngine, TestEngine } from '@abaxus/testing/test-engine';
import { planChangeScenario } from './plan-change-scenario';

/* Plan changes and late usage through the gateway, whole engine on the Kafka bus. */
describe('plan changes and late usage (whole engine, Kafka bus)', () => {
  let engine: TestEngine;

  beforeAll(async () => {
    engine = await startTestEngine({ bus: 'kafka' });
  });

  afterAll(() => engine?.stop());

  planChangeScenario(() => engine);
});
