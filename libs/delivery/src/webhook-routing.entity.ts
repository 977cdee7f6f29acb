import { Check, Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * One row: the generation of every webhook's matchers, bumped by triggers (1732800000000-WebhookMatchers) in the
 * transaction of each write that changes them. The fan-out statement compares it with the generation of the matcher
 * table it evaluated with (webhook-routing.ts).
 */
@Entity({ name: 'webhook_routing' })
@Check('webhook_routing_singleton_ck', 'id = 1')
export class WebhookRoutingEntity {
  @PrimaryColumn({ type: 'smallint', primaryKeyConstraintName: 'webhook_routing_pkey' }) id: number;
  @Column({ type: 'bigint' }) generation: string;
}
