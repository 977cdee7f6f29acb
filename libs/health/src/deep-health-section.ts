/**
 * A section of `GET /api/health/deep` that the app contributes (seed 002: `cache`, `webhooks`). The health lib knows
 * only this shape; the API provides the sections under DEEP_HEALTH_SECTIONS (no default: a missing provider fails
 * the boot). Each section is collected under the probe's deadline; a section that fails or times out reads
 * `{ error }` and does not change the probe's status, which stays readiness's.
 */
export interface DeepHealthSection {
  readonly name: string;
  /** Reads PostgreSQL: skipped (`{ error }`) while readiness finds the database failing, so a hung server is not
   * sent a query per deep probe, each holding a pooled connection until its own timeout. */
  readonly readsDatabase: boolean;
  collect(): Promise<Record<string, unknown>>;
}

export const DEEP_HEALTH_SECTIONS = Symbol('DEEP_HEALTH_SECTIONS');
