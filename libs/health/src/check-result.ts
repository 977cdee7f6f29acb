/** The standardized readiness JSON (CONTRACT §3). */
export type CheckDetail = 'connected' | 'unreachable' | 'disabled' | 'head' | 'pending' | 'shutting_down';

export interface CheckResult {
  ok: boolean;
  detail: CheckDetail;
  latency_ms: number;
  /** Masked error text, only when `ok` is false. */
  error?: string;
  /** Migrations only: the last applied migration and how many shipped ones are not applied. */
  current?: string | null;
  pending?: number;
}

export const READINESS_CHECKS = ['db', 'redis', 'migrations'] as const;
export type ReadinessCheckName = (typeof READINESS_CHECKS)[number];

/** Field names of the older flat `dependencies` map, kept for existing scripts. */
export const DEPENDENCY_NAMES: Record<ReadinessCheckName, string> = { db: 'database', redis: 'redis', migrations: 'migrations' };

/** One line of a probe's `components` list (seed 004's evidence commands read `.components[].name`/`.message`). */
export interface Component {
  name: string;
  status: 'ok' | 'fail';
  message: string;
}

export interface ReadinessBody {
  status: 'ok' | 'fail';
  /** Present only while draining after SIGTERM/SIGINT. */
  detail?: 'shutting_down';
  checks: Record<ReadinessCheckName, CheckResult>;
  dependencies: Record<string, CheckDetail>;
  /** The same checks as a list, named as `dependencies` names them, with a sentence each. */
  components: Component[];
  version: string;
  time: string;
}

/** A body and the status code it is served with. */
export interface ProbeResponse<B = unknown> {
  statusCode: 200 | 503;
  body: B;
}
