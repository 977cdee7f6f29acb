/**
 * A section of `GET /api/health/deep` that the app contributes (seed 002: `cache`, `webhooks`). The health lib knows
 * only this shape; the API provides the sections under DEEP_HEALTH_SECTIONS (no default: a missing provider fails
 * the boot). Each section is collected under the probe's deadline; a section that fails or times out reads
 * `{ error }` and does not change the probe's status, which stays readiness's.
 */
export interface DeepHealthSection {
  readonly name: string;
  collect(): Promise<Record<string, unknown>>;
}

export const DEEP_HEALTH_SECTIONS = Symbol('DEEP_HEALTH_SECTIONS');
