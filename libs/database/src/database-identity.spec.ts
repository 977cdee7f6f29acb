import type { DataSource } from 'typeorm';
import { readConnectFacts } from './database-identity';

const fakeDataSource = (query: (sql: string) => Promise<unknown>) => ({ query }) as unknown as DataSource;

describe('readConnectFacts', () => {
  it('reads the server version and the identity in one statement', async () => {
    const sent: string[] = [];
    const facts = await readConnectFacts(
      fakeDataSource(async (sql) => {
        sent.push(sql);
        return [{ server_version: '15.20', system_identifier: '7716696646554523799', database_oid: '16384' }];
      }),
    );
    expect(facts).toEqual({ serverVersion: '15.20', identity: { systemIdentifier: '7716696646554523799', databaseOid: '16384' } });
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatch(/pg_control_system\(\)/);
  });

  it('falls back to the version alone when the role may not read pg_control_system()', async () => {
    const facts = await readConnectFacts(
      fakeDataSource(async (sql) => {
        if (sql.includes('pg_control_system')) throw Object.assign(new Error('permission denied for function pg_control_system'), { code: '42501' });
        return [{ server_version: '16.4' }];
      }),
    );
    expect(facts).toEqual({ serverVersion: '16.4', identity: null });
  });
});
