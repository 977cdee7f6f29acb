/** The feed's messages as the page reads them (docs/LIVE.md; the server's shapes are in dashboard.gateway.ts). */
export interface Alert {
  id: string;
  title: string;
  severity: string;
  source: string | null;
  status: string;
  occurrences: number;
  created_at: string;
  starts_at?: string | null;
  acknowledged?: boolean;
  acknowledged_by?: string | null;
  acknowledged_at?: string | null;
  /** Page-local: flashes the row once after alert.created. */
  fresh?: boolean;
}

export interface WebhookHealth {
  webhook_id: string;
  name: string;
  state: string;
  disabled_reason?: string | null;
  success_rate: number | null;
  p95_latency_ms: number | null;
  consecutive_failures: number;
  last_attempt_at: string | null;
}

export interface Queue {
  depth: number;
  due: number;
  paused: number;
  oldest_due_age_ms: number | null;
}

export interface Readiness {
  draining?: boolean;
  checks: Record<string, { ok: boolean; detail: string; error?: string }>;
}

export type FeedMessage =
  | {
      type: 'snapshot';
      alerts?: { items: Alert[] };
      webhooks?: WebhookHealth[];
      queue: Queue | null;
      readiness: Readiness | null;
      errors?: Record<string, unknown>;
    }
  | { type: 'alert.created' | 'alert.deduplicated' | 'alert.acknowledged' | 'alert.resolved'; alert: Alert }
  | { type: 'delivery.succeeded' | 'delivery.failed'; count: number }
  | { type: 'webhook.health'; webhooks: WebhookHealth[]; removed?: string[] }
  | { type: 'queue'; queue: Queue }
  | { type: 'readiness'; readiness: Readiness }
  | { type: 'heartbeat' | 'stats' };
