import { maskUrl } from '@app/config';
import type { WebhookEntity } from '@app/delivery';

const SENSITIVE_HEADER_RE = /authorization|token|secret|key|cookie|password|signature|credential/i;

/**
 * The API shape of a webhook. Never the secrets (WebhookEntity does not select them, and this lists what is shown);
 * credentials in the URL and sensitive custom header values are masked.
 */
export function toWebhookView(w: WebhookEntity) {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(w.headers ?? {})) headers[k] = SENSITIVE_HEADER_RE.test(k) ? '***' : v;
  return {
    id: w.id,
    name: w.name,
    url: maskUrl(w.url),
    description: w.description,
    event_types: w.eventTypes,
    min_severity: w.minSeverity,
    matchers: w.matchers,
    headers,
    rate_limit_per_second: w.rateLimitPerSecond,
    is_active: w.isActive,
    disabled_reason: w.disabledReason,
    disabled_at: w.disabledAt,
    previous_secret_expires_at: w.previousSecretExpiresAt,
    created_at: w.createdAt,
    updated_at: w.updatedAt,
  };
}
export type WebhookView = ReturnType<typeof toWebhookView>;
