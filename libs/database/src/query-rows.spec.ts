import type { QueryRunner } from 'typeorm';
import { queryRows } from './query-rows';

describe('queryRows', () => {
  it("on a TypeORM QueryRunner: the structured result's records (rows even for UPDATE … RETURNING)", async () => {
    const query = jest.fn(() => Promise.resolve({ records: [{ id: '1' }], raw: [[{ id: '1' }], 1] }));
    const runner = { manager: {}, query } as unknown as QueryRunner;
    await expect(queryRows(runner, 'UPDATE t SET x = $1 RETURNING id', [2])).resolves.toEqual([{ id: '1' }]);
    expect(query).toHaveBeenCalledWith('UPDATE t SET x = $1 RETURNING id', [2], true);
  });

  it("on a pg pool or client: the result's rows", async () => {
    const query = jest.fn(() => Promise.resolve({ rows: [{ id: '2' }], rowCount: 1 }));
    await expect(queryRows({ query } as never, 'SELECT id FROM t')).resolves.toEqual([{ id: '2' }]);
    expect(query).toHaveBeenCalledWith('SELECT id FROM t', []);
  });
});
