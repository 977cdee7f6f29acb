/**
 * What is cached, one owner each (the service that invalidates it on every write that changes it):
 * - `webhook` (by id), `webhooks-page` (first page per limit), `health` (all + degraded): WebhooksService, and the
 *   delivery worker's auto-disable (libs/delivery). Health also changes with every delivery outcome, which does not
 *   invalidate: it is cached for CACHE_HEALTH_TTL_MS only.
 * - `alert` (by id, without its deliveries), `alerts-page` (first page per filter): AlertsService.
 */
export const CACHE_NAMESPACES = ['webhook', 'webhooks-page', 'health', 'alert', 'alerts-page'] as const;
export type CacheNamespace = (typeof CACHE_NAMESPACES)[number];
