import { compareMigrations } from './migration-state';

describe('compareMigrations', () => {
  it('is at head when everything shipped is applied', () => {
    const s = compareMigrations(['A1', 'B2'], ['A1', 'B2']);
    expect(s).toMatchObject({ atHead: true, pending: [], current: 'B2', head: 'B2', unknown: [] });
  });

  it('lists pending migrations in shipped order', () => {
    const s = compareMigrations(['A1', 'B2', 'C3'], ['A1']);
    expect(s).toMatchObject({ atHead: false, pending: ['B2', 'C3'], current: 'A1', head: 'C3' });
  });

  it('reports a fresh database as all pending with no current migration', () => {
    expect(compareMigrations(['A1'], [])).toMatchObject({ atHead: false, pending: ['A1'], current: null });
  });

  it('reports migrations applied by a newer build as unknown, without calling them pending', () => {
    const s = compareMigrations(['A1'], ['A1', 'Z9']);
    expect(s).toMatchObject({ atHead: true, pending: [], unknown: ['Z9'], current: 'Z9' });
  });
});
