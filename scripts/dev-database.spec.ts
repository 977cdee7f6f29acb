import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EmbeddedPostgresHandle } from '@app/database/embedded-postgres';
import { startDevDatabase } from './dev-database';

describe('start:dev database holder', () => {
  let cwd: string;
  beforeEach(() => (cwd = mkdtempSync(join(tmpdir(), 'sg-dev-db-'))));
  afterEach(() => rmSync(cwd, { recursive: true, force: true }));

  const handle = { url: 'postgresql://x', port: 5999, owned: true, dataDir: '/d', stop: async () => undefined } as EmbeddedPostgresHandle;

  it('starts the server the API would start (configured directory and port)', async () => {
    const start = jest.fn(async () => handle);
    await expect(startDevDatabase({ EMBEDDED_PG_DIR: '/srv/pg', EMBEDDED_PG_PORT: '5544' }, cwd, () => undefined, start)).resolves.toBe(handle);
    expect(start).toHaveBeenCalledWith('/srv/pg', 5544, expect.any(Function));
  });

  it('starts none with a DATABASE_URL or an invalid configuration (the API then reports it)', async () => {
    const start = jest.fn(async () => handle);
    await expect(startDevDatabase({ DATABASE_URL: 'postgresql://u:p@db:5432/x' }, cwd, () => undefined, start)).resolves.toBeUndefined();
    await expect(startDevDatabase({ PORT: 'x' }, cwd, () => undefined, start)).resolves.toBeUndefined();
    expect(start).not.toHaveBeenCalled();
  });
});
