import type { DataSource } from 'typeorm';

/**
 * What the database is, whatever the URL that reached it: the cluster's system identifier (shared by a primary and
 * its physical replicas, so it survives a failover) and the database's oid inside that cluster. `127.0.0.1:5432/db`,
 * `localhost:5432/db` and a DNS alias of it have one identity.
 */
export interface DatabaseIdentity {
  systemIdentifier: string;
  databaseOid: string;
}

interface ConnectFacts {
  serverVersion: string | undefined;
  /** Null when the role may not read pg_control_system() (some managed services revoke it). */
  identity: DatabaseIdentity | null;
}

/** One round trip at connect: the server version and the identity (the identity falls back to null, never throws). */
export async function readConnectFacts(ds: DataSource): Promise<ConnectFacts> {
  try {
    const [row] = (await ds.query(
      `SELECT current_setting('server_version') AS server_version,
              (SELECT system_identifier::text FROM pg_control_system()) AS system_identifier,
              d.oid::text AS database_oid
         FROM pg_database d WHERE d.datname = current_database()`,
    )) as Array<{ server_version: string; system_identifier: string | null; database_oid: string }>;
    const identity = row?.system_identifier && row.database_oid ? { systemIdentifier: row.system_identifier, databaseOid: row.database_oid } : null;
    return { serverVersion: row?.server_version, identity };
  } catch {
    const rows = (await ds.query('SHOW server_version')) as Array<{ server_version: string }>;
    return { serverVersion: rows[0]?.server_version, identity: null };
  }
}
