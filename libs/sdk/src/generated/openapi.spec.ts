import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const root = join(__dirname, '../../../..');

describe('generated OpenAPI types', () => {
  it('are what docs/openapi.yaml generates today (npm run sdk:generate)', () => {
    const result = spawnSync(process.execPath, [join(root, 'libs/sdk/scripts/generate-types.mjs'), '--check'], { cwd: root, encoding: 'utf8' });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  });
});
