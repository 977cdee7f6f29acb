import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readBuildInfo } from './build-info';
import { version } from '../../../package.json';

describe('readBuildInfo', () => {
  let root: string;
  beforeEach(() => (root = mkdtempSync(join(tmpdir(), 'sg-build-'))));
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('finds dist/build-info.json above the bundled entry script', () => {
    mkdirSync(join(root, 'dist/apps/api'), { recursive: true });
    writeFileSync(join(root, 'dist/build-info.json'), JSON.stringify({ git_sha: 'abc123', build_time: '2026-11-22T00:00:00.000Z', version: '9.9.9' }));
    expect(readBuildInfo(join(root, 'dist/apps/api/main.js'), '/nonexistent')).toEqual({
      version: '9.9.9',
      git_sha: 'abc123',
      build_time: '2026-11-22T00:00:00.000Z',
    });
  });

  it('falls back to the package version and "unknown" when there is no build info', () => {
    expect(readBuildInfo(join(root, 'main.js'), root)).toEqual({ version, git_sha: 'unknown', build_time: 'unknown' });
  });

  it('ignores a corrupt file', () => {
    writeFileSync(join(root, 'build-info.json'), '{not json');
    expect(readBuildInfo(join(root, 'main.js'), root).git_sha).toBe('unknown');
  });
});
