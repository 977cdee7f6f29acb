import { readdirSync } from 'node:fs';
import { MIGRATIONS } from './index';

describe('migrations/index.ts', () => {
  const files = readdirSync(__dirname)
    .filter((f) => /^\d{13}-[A-Za-z0-9]+\.ts$/.test(f))
    .sort();

  it('lists every migration file in the folder, in timestamp order', () => {
    const listed = MIGRATIONS.map((m) => new m().name);
    const expected = files.map((f) => {
      const [, ts, name] = /^(\d{13})-([A-Za-z0-9]+)\.ts$/.exec(f)!;
      return `${name}${ts}`;
    });
    expect(listed).toEqual(expected);
  });

  it('has no stray files that are not migrations', () => {
    const other = readdirSync(__dirname).filter((f) => !files.includes(f) && !['index.ts', 'index.spec.ts'].includes(f));
    expect(other).toEqual([]);
  });

  it('gives each migration a unique name and a down()', () => {
    const names = MIGRATIONS.map((m) => new m().name);
    expect(new Set(names).size).toBe(names.length);
    for (const M of MIGRATIONS) expect(typeof new M().down).toBe('function');
  });
});
