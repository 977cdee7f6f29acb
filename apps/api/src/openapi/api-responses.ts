import { ApiProperty, OmitType } from '@nestjs/swagger';
import { CACHE_NAMESPACES } from '@app/cache';
import { DELIVERY_STATES, EVENT_TYPES, type RecoveryView, SEVERITIES } from '@app/delivery';
import type { AlertView } from '../alerts/alert.view';
import type { CacheService } from '../cache/cache.service';
import type { DeliveryView } from '../deliveries/delivery-view';
import type { EventCatalogueEntry } from '../event-types/event-catalogue';
import type { WebhookView } from '../webhooks/webhook-view';

/**
 * Response bodies of /api/v1 for the OpenAPI document. The views (`toAlertView`, ...) are the source of the wire
 * shapes; these classes describe them, and the key checks below fail to compile when a view gains or loses a field
 * that is not described here. `nullable` is written the 3.0 way (what @nestjs/swagger emits); openapi-31.ts turns it into
 * JSON Schema 2020-12. test/openapi-contract.e2e-spec.ts checks real responses against the document.
 */
type SameKeys<A, B> = [Exclude<keyof A, keyof B>, Exclude<keyof B, keyof A>] extends [never, never] ? true : never;

const stringMap = { type: 'object', additionalProperties: { type: 'string' } } as const;
const dateTime = { type: String, format: 'date-time' } as const;
const nullableDateTime = { ...dateTime, nullable: true } as const;

export class AlertViewDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() fingerprint: string;
  @ApiProperty() title: string;
  @ApiProperty({ enum: SEVERITIES }) severity: string;
  @ApiProperty({ enum: ['firing', 'resolved'] }) status: string;
  @ApiProperty({ type: String, nullable: true }) source: string | null;
  @ApiProperty({ type: String, nullable: true }) description: string | null;
  @ApiProperty(stringMap) labels: Record<string, string>;
  @ApiProperty(stringMap) annotations: Record<string, string>;
  @ApiProperty({ type: 'integer' }) occurrences: number;
  @ApiProperty(dateTime) starts_at: string;
  @ApiProperty(nullableDateTime) resolved_at: string | null;
  @ApiProperty(nullableDateTime) acknowledged_at: string | null;
  @ApiProperty({ type: String, nullable: true }) acknowledged_by: string | null;
  @ApiProperty({ type: String, nullable: true }) acknowledgement_note: string | null;
  @ApiProperty(dateTime) created_at: string;
  @ApiProperty(dateTime) updated_at: string;
  @ApiProperty() acknowledged: boolean;
}
export const alertViewKeys: SameKeys<AlertView, AlertViewDto> = true;

export class CreatedAlertDto extends AlertViewDto {
  @ApiProperty({ description: 'true when an alert with this fingerprint was already firing (200), false when created (201)' })
  deduplicated: boolean;
}

export class DeliveryViewDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) webhook_id: string;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) alert_id: string | null;
  @ApiProperty({ enum: EVENT_TYPES }) event_type: string;
  @ApiProperty({ enum: DELIVERY_STATES, description: '`paused`: pending, but its webhook is not active' }) status: string;
  @ApiProperty({ type: 'integer' }) attempts: number;
  @ApiProperty(nullableDateTime) next_attempt_at: string | null;
  @ApiProperty({ type: 'integer', nullable: true }) last_status_code: number | null;
  @ApiProperty({ type: String, nullable: true }) last_error: string | null;
  @ApiProperty(dateTime) created_at: string;
  @ApiProperty(dateTime) updated_at: string;
  @ApiProperty(nullableDateTime) completed_at: string | null;
}
export const deliveryViewKeys: SameKeys<DeliveryView, DeliveryViewDto> = true;

export class AttemptViewDto {
  @ApiProperty({ type: 'integer' }) attempt: number;
  @ApiProperty() success: boolean;
  @ApiProperty({ type: 'integer', nullable: true }) status_code: number | null;
  @ApiProperty({ type: String, nullable: true }) error: string | null;
  @ApiProperty({ type: String, nullable: true }) response_body: string | null;
  @ApiProperty({ type: 'integer', nullable: true }) duration_ms: number | null;
  @ApiProperty(dateTime) started_at: string;
}

/** The detail view: the payload, and `attempts` as the list of attempts instead of their count. */
export class DeliveryDetailDto extends OmitType(DeliveryViewDto, ['attempts'] as const) {
  @ApiProperty({ type: 'object', description: 'The signed JSON body sent to the webhook', additionalProperties: true }) payload: unknown;
  @ApiProperty({ type: [AttemptViewDto] }) attempts: AttemptViewDto[];
}

export class AlertDetailDto extends AlertViewDto {
  @ApiProperty({ type: [DeliveryViewDto] }) deliveries: DeliveryViewDto[];
}

export class AlertPageDto {
  @ApiProperty({ type: [AlertViewDto] }) items: AlertViewDto[];
  @ApiProperty({ type: String, nullable: true, description: 'Pass as `cursor` for the next page; null on the last page' }) next_cursor: string | null;
}

export class DeliveryPageDto {
  @ApiProperty({ type: [DeliveryViewDto] }) items: DeliveryViewDto[];
  @ApiProperty({ type: String, nullable: true }) next_cursor: string | null;
}

export class WebhookViewDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() name: string;
  @ApiProperty({ description: 'Credentials in the URL are masked as ***' }) url: string;
  @ApiProperty({ type: String, nullable: true }) description: string | null;
  @ApiProperty({ type: [String], enum: EVENT_TYPES, description: 'Empty: every alert event' }) event_types: string[];
  // null is listed in the enum too: an enum admits null only if it holds it (toOpenApi31 would add it otherwise).
  @ApiProperty({ type: String, enum: [...SEVERITIES, null], nullable: true }) min_severity: string | null;
  @ApiProperty({
    type: [String],
    example: ['team="db"', 'env=~"prod|staging"'],
    description:
      'Label matchers, ANDed, each in one canonical form: name, operator, then the value double-quoted with \\\\, \\" and \\n escaped. Empty: every alert',
  })
  matchers: string[];
  @ApiProperty({ ...stringMap, description: 'Sensitive values are masked as ***' }) headers: Record<string, string>;
  @ApiProperty({ type: Number, nullable: true, description: 'Requests per second across every worker; null: only the in-flight caps' })
  rate_limit_per_second: number | null;
  @ApiProperty() is_active: boolean;
  @ApiProperty({ type: String, nullable: true }) disabled_reason: string | null;
  @ApiProperty(nullableDateTime) disabled_at: string | null;
  @ApiProperty(nullableDateTime) previous_secret_expires_at: string | null;
  @ApiProperty(dateTime) created_at: string;
  @ApiProperty(dateTime) updated_at: string;
}
export const webhookViewKeys: SameKeys<WebhookView, WebhookViewDto> = true;

export class WebhookWithSecretDto extends WebhookViewDto {
  @ApiProperty({ description: 'The signing secret (Standard Webhooks `whsec_...`), shown only here' }) secret: string;
}

export class WebhookPageDto {
  @ApiProperty({ type: [WebhookViewDto] }) items: WebhookViewDto[];
  @ApiProperty({ type: 'integer' }) total: number;
  @ApiProperty({ type: String, nullable: true }) next_cursor: string | null;
}

export class WebhookHealthDto {
  @ApiProperty({ format: 'uuid' }) webhook_id: string;
  @ApiProperty() name: string;
  @ApiProperty({ enum: ['healthy', 'degraded', 'disabled'] }) state: string;
  @ApiProperty({ type: String, nullable: true }) disabled_reason: string | null;
  @ApiProperty({ type: 'integer' }) attempts: number;
  @ApiProperty({ type: 'integer' }) failures: number;
  @ApiProperty({ type: Number, nullable: true }) success_rate: number | null;
  @ApiProperty({ type: 'integer', nullable: true }) p95_latency_ms: number | null;
  @ApiProperty({ type: 'integer' }) consecutive_failures: number;
  @ApiProperty(nullableDateTime) last_attempt_at: string | null;
  @ApiProperty(nullableDateTime) last_success_at: string | null;
}

export class TestPingDto {
  @ApiProperty({ format: 'uuid' }) delivery_id: string;
  @ApiProperty({ format: 'uuid' }) webhook_id: string;
  @ApiProperty({ enum: ['pending'] }) status: string;
}

export class AlertmanagerResultDto {
  @ApiProperty({ type: 'integer' }) received: number;
  @ApiProperty({ type: 'integer' }) created: number;
  @ApiProperty({ type: 'integer' }) updated: number;
  @ApiProperty({ type: 'integer' }) resolved: number;
  @ApiProperty({ type: 'integer' }) ignored: number;
}

const LAYER_STATUSES = ['available', 'unavailable', 'disabled'] as const;
type CacheStats = ReturnType<CacheService['stats']>;

export class CacheL1StatsDto {
  @ApiProperty({ enum: ['available', 'disabled'] }) status: string;
  @ApiProperty({ type: 'integer' }) hits: number;
  @ApiProperty({ type: 'integer' }) misses: number;
  @ApiProperty({ type: 'integer' }) entries: number;
  @ApiProperty({ type: 'integer' }) max_entries: number;
  @ApiProperty({ type: 'integer' }) ttl_ms: number;
  @ApiProperty({ type: 'integer', description: 'Serialized size of the L1 entries' }) size_bytes: number;
}
export const cacheL1StatsKeys: SameKeys<CacheStats['l1'], CacheL1StatsDto> = true;

export class CacheL2StatsDto {
  @ApiProperty({ enum: LAYER_STATUSES, description: '`disabled` without REDIS_URL or with the cache off' }) status: string;
  @ApiProperty({ type: 'integer' }) hits: number;
  @ApiProperty({ type: 'integer' }) misses: number;
  @ApiProperty({ type: 'integer', description: 'Redis commands that failed or timed out' }) errors: number;
  @ApiProperty({ type: 'integer' }) ttl_ms: number;
}
export const cacheL2StatsKeys: SameKeys<CacheStats['l2'], CacheL2StatsDto> = true;

export class CacheBusStatsDto {
  @ApiProperty({ enum: LAYER_STATUSES }) status: string;
  @ApiProperty({ type: 'integer', description: 'Invalidations this process published' }) published: number;
  @ApiProperty({ type: 'integer', description: 'Invalidations received from other processes' }) received: number;
}
export const cacheBusStatsKeys: SameKeys<CacheStats['bus'], CacheBusStatsDto> = true;

export class CacheStatsDto {
  @ApiProperty({ type: Number, minimum: 0, maximum: 1, description: 'cache_hits / (cache_hits + cache_misses), 4 decimals; 0 before any read' })
  hit_rate: number;
  @ApiProperty({ type: 'integer', description: 'L1 or L2 hits' }) cache_hits: number;
  @ApiProperty({ type: 'integer', description: 'Database reads' }) cache_misses: number;
  @ApiProperty({ type: 'integer' }) current_size_bytes: number;
  @ApiProperty() enabled: boolean;
  @ApiProperty({ type: CacheL1StatsDto }) l1: CacheL1StatsDto;
  @ApiProperty({ type: CacheL2StatsDto }) l2: CacheL2StatsDto;
  @ApiProperty({ type: CacheBusStatsDto }) bus: CacheBusStatsDto;
}
export const cacheStatsKeys: SameKeys<CacheStats, CacheStatsDto> = true;

export class CacheWarmResultDto {
  @ApiProperty({ enum: ['success'] }) status: string;
  @ApiProperty({ type: 'integer', description: 'First pages of webhooks and alerts, each of their items, health and the degraded list' })
  warmed_entries: number;
  @ApiProperty({ type: 'integer' }) duration_ms: number;
}
export const cacheWarmKeys: SameKeys<Awaited<ReturnType<CacheService['warm']>>, CacheWarmResultDto> = true;

export class CacheDroppedDto {
  @ApiProperty({ type: 'integer', description: "Entries dropped from this process's L1" }) l1: number;
  @ApiProperty({ type: 'integer', description: 'Entries deleted from Redis' }) l2: number;
}

export class CacheInvalidateResultDto {
  @ApiProperty({ enum: ['success'] }) status: string;
  @ApiProperty({ enum: ['all', 'namespace', 'key'] }) scope: string;
  // A nullable enum lists null among its values, or null is not one of them.
  @ApiProperty({ type: String, enum: [...CACHE_NAMESPACES, null], nullable: true }) namespace: string | null;
  @ApiProperty({ type: String, nullable: true }) key: string | null;
  @ApiProperty({ type: CacheDroppedDto }) dropped: CacheDroppedDto;
}
export const cacheInvalidateKeys: SameKeys<Awaited<ReturnType<CacheService['invalidate']>>, CacheInvalidateResultDto> = true;

export class WebhookRecoveryDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) webhook_id: string;
  @ApiProperty({ ...dateTime, description: 'Deliveries that failed at or after this instant are requeued' }) since: string;
  @ApiProperty({ ...dateTime, description: 'Window end (exclusive): as requested, or when the recovery was created if that is earlier or none was given' })
  until: string;
  @ApiProperty({ enum: ['pending', 'running', 'completed'] }) status: string;
  @ApiProperty({ type: 'integer', description: 'Deliveries put back in the queue so far' }) requeued: number;
  @ApiProperty(dateTime) created_at: string;
  @ApiProperty(dateTime) updated_at: string;
  @ApiProperty(nullableDateTime) completed_at: string | null;
}
export const webhookRecoveryKeys: SameKeys<RecoveryView, WebhookRecoveryDto> = true;

export class EventTypeDto {
  @ApiProperty({ enum: EVENT_TYPES }) type: string;
  @ApiProperty() description: string;
  @ApiProperty({ type: 'object', additionalProperties: true, description: 'JSON Schema (draft 2020-12) of the whole request body POSTed to webhooks' })
  schema: Record<string, unknown>;
}
export const eventTypeKeys: SameKeys<EventCatalogueEntry, EventTypeDto> = true;

export class EventTypeListDto {
  @ApiProperty({ type: [EventTypeDto] }) items: EventTypeDto[];
}
