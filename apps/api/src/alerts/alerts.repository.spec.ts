import { ServiceUnavailableException } from '@nestjs/common';
import type { DataSource, Repository } from 'typeorm';
import type { DeliveryOutbox } from '@app/delivery';
import type { AlertEntity } from './alert.entity';
import { AlertsRepository } from './alerts.repository';

describe('AlertsRepository before the database connects', () => {
  // The connection opens in the background; until then every query must be a clean 503, never a TypeORM error (500).
  const repo = new AlertsRepository({} as Repository<AlertEntity>, { isInitialized: false } as DataSource, {} as DeliveryOutbox);
  const input = { fingerprint: 'f', title: 't', severity: 'info' as const, source: null, description: null, labels: {}, annotations: {}, startsAt: null };

  it.each([
    ['upsertFiring', () => repo.upsertFiring(input)],
    ['upsertFiringMany', () => repo.upsertFiringMany([{ alert: input, count: 2 }])],
    ['findById', () => repo.findById('00000000-0000-4000-8000-000000000000')],
    ['list', () => repo.list({}, 10, undefined)],
    ['acknowledge', () => repo.acknowledge('00000000-0000-4000-8000-000000000000', 'me', null)],
    ['resolve', () => repo.resolve('00000000-0000-4000-8000-000000000000')],
    ['transaction', () => repo.transaction(async () => undefined)],
  ])('%s answers 503', async (_name, call) => {
    await expect(call()).rejects.toBeInstanceOf(ServiceUnavailableException);
  });
});
