import { maskUrl } from '@app/config';

export interface WebhookRow {
  id: string;
  name: string;
  url: string;
  description: string | null;
  event_types: string[];
  min_severity: string | null;
  headers: Record<string, string>;
  is_active: boolean;
  disabled_reason: string | null;
  disabled_at: Date | null;
  previous_secret_expires_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

/** Columns safe to read back: never the secrets. */
export const WEBHOOK_COLUMNS = `id, name, url, description, event_types, min_severity, headers, is_active, disabled_reason, disabled_at,
  previous_secret_expires_at, created_at, updated_at`;

const SENSITIVE_HEADER_RE = /authorization|token|secret|key|cookie|password|signature|credential/i;

/** The API shape of a webhook. Credentials in the URL and sensitive custom header values are masked. */
export function toWebhookView(row: WebhookRow) {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(row.headers ?? {})) headers[k] = SENSITIVE_HEADER_RE.test(k) ? '***' : v;
  return {
    id: row.id,
    name: row.name,
    url: maskUrl(row.url),
    description: row.description,
    event_types: row.event_types,
    min_severity: row.min_severity,
    headers,
    is_active: row.is_active,
    disabled_reason: row.disabled_reason,
    disabled_at: row.disabled_at,
    previous_secret_expires_at: row.previous_secret_expires_at,
    created_at: row.created_at,
    updated_at: row.updated_at,
  };
}
export type WebhookView = ReturnType<typeof toWebhookView>;
