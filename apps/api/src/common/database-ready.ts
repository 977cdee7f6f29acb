import { ServiceUnavailableException } from '@nestjs/common';
import type { DataSource } from 'typeorm';

/**
 * The connection is opened in the background (DatabaseConnector): until it is up, domain routes answer a clean
 * 503, not a 500. Repositories call this before their first query.
 */
export function ensureDatabaseReady(dataSource: DataSource): void {
  if (!dataSource.isInitialized) throw new ServiceUnavailableException('database not available yet');
}
