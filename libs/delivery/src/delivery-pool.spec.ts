import { validateEnvOrThrow } from '@app/config';
import { buildDataSourceOptions, databaseBounds, DeadlineClient } from '@app/database';
import { deliveryPoolOptions } from './delivery-pool';

describe('deliveryPoolOptions', () => {
  const env = validateEnvOrThrow({ ENV: 'test', DB_POOL_SIZE: '10', DB_STATEMENT_TIMEOUT_MS: '30000', DB_CONNECT_TIMEOUT_MS: '4000' });

  it("is the shared pool builder with the CLI's bounds and its own size: jit=off and the deadline client included", () => {
    const delivery = deliveryPoolOptions(3, databaseBounds(env, 'cli'));
    expect(delivery).toMatchObject({
      Client: DeadlineClient,
      max: 8,
      connectionTimeoutMillis: 4000,
      statement_timeout: 30000,
      query_timeout: 35000,
      options: '-c jit=off',
    });
    // Everything but the size is what the CLI's TypeORM pool gets.
    const typeorm = buildDataSourceOptions(env, 'postgresql://unused', 'cli').extra as Record<string, unknown>;
    expect({ ...delivery, max: typeorm.max }).toEqual(typeorm);
  });
});
