import { ConflictException, Injectable } from '@nestjs/common';
import { deliveryState } from '@app/delivery';
import { ResourceNotFoundException } from '../common/api-errors';
import type { Page } from '../common/cursor';
import { WebhookDisabledException } from '../webhooks/webhook-disabled.exception';
import { DeliveriesRepository } from './deliveries.repository';
import { toAttemptView, toDeliveryView, type DeliveryView } from './delivery-view';
import type { ListDeliveriesDto } from './dto/list-deliveries.dto';

@Injectable()
export class DeliveriesService {
  constructor(private readonly deliveries: DeliveriesRepository) {}

  async list(q: ListDeliveriesDto): Promise<Page<DeliveryView>> {
    const filter = { status: q.status, webhookId: q.webhook_id, alertId: q.alert_id, eventType: q.event_type, since: q.since };
    const page = await this.deliveries.page(filter, q.limit ?? 100, q.cursor);
    return { items: page.rows.map(toDeliveryView), next_cursor: page.next_cursor };
  }

  async forAlert(alertId: string): Promise<DeliveryView[]> {
    return (await this.deliveries.forAlert(alertId)).map(toDeliveryView);
  }

  async get(id: string) {
    const row = await this.deliveries.findById(id);
    if (!row) throw new ResourceNotFoundException('delivery', id);
    const attempts = await this.deliveries.attemptsOf(id);
    return { ...toDeliveryView(row), payload: JSON.parse(row.payload) as unknown, attempts: attempts.map(toAttemptView) };
  }

  /**
   * Puts a finished (failed or succeeded) delivery back in the queue, due now, with a fresh run of the retry
   * schedule; attempt numbers keep counting, so the attempt log stays in order. A delivery whose webhook is
   * disabled is refused (409), as the test ping is: the workers would never send it.
   */
  async retry(id: string): Promise<DeliveryView> {
    const row = await this.deliveries.requeue(id);
    if (row) return toDeliveryView(row);
    const state = await this.deliveries.retryState(id);
    if (!state) throw new ResourceNotFoundException('delivery', id);
    if (state.status !== 'failed' && state.status !== 'succeeded') {
      throw new ConflictException(`delivery is ${deliveryState(state.status, state.webhookActive)}; only failed or succeeded deliveries can be retried`);
    }
    throw new WebhookDisabledException();
  }
}
