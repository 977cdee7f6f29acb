import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { inputsHash, isFresh, writeStamp, OUTPUTS } = require('./build-stamp') as {
  inputsHash(root: string, env?: Record<string, string | undefined>): string;
  isFresh(hash: string, root: string): boolean;
  writeStamp(hash: string, root: string): void;
  OUTPUTS: string[];
};

describe('build stamp (npm start builds only when an input changed)', () => {
  let root: string;
  const put = (path: string, text: string) => {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  };

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'sg-stamp-'));
    put('apps/api/src/main.ts', 'export {};');
    put('libs/config/src/env.ts', 'export const a = 1;');
    put('migrations/1-init.ts', 'export {};');
    put('tsconfig.json', '{}');
    put('package-lock.json', '{}');
    put('rspack.config.js', 'module.exports = [];');
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('is the same for the same tree, and changes with any source, config, the lock file or SG_NO_MINIFY', () => {
    const before = inputsHash(root, {});
    expect(inputsHash(root, {})).toBe(before);
    for (const [path, text] of [
      ['libs/config/src/env.ts', 'export const a = 2;'],
      ['apps/api/src/new-file.ts', ''],
      ['migrations/1-init.ts', 'export {}; '],
      ['apps/api/tsconfig.app.json', '{"x":1}'],
      ['tsconfig.json', '{"y":1}'],
      ['package-lock.json', '{"z":1}'],
      ['rspack.config.js', 'module.exports = [{}];'],
    ]) {
      const previous = inputsHash(root, {});
      put(path, text);
      expect(inputsHash(root, {})).not.toBe(previous);
    }
    const plain = inputsHash(root, {});
    expect(inputsHash(root, { SG_NO_MINIFY: '1' })).not.toBe(plain);
  });

  it('ignores what the build writes and what is not an input (dist/, docs)', () => {
    const before = inputsHash(root, {});
    put('dist/apps/api/main.js', 'x');
    put('docs/ARCHITECTURE.md', 'y');
    expect(inputsHash(root, {})).toBe(before);
  });

  it('is fresh only with the same hash and every output present', () => {
    const hash = inputsHash(root, {});
    for (const o of OUTPUTS) put(o, 'built');
    expect(isFresh(hash, root)).toBe(false); // no stamp yet
    writeStamp(hash, root);
    expect(isFresh(hash, root)).toBe(true);
    put('libs/config/src/env.ts', 'changed');
    expect(isFresh(inputsHash(root, {}), root)).toBe(false);
    writeStamp(inputsHash(root, {}), root);
    rmSync(join(root, OUTPUTS[0]));
    expect(isFresh(inputsHash(root, {}), root)).toBe(false);
  });
});
