import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { type RecoveryView, recoveryWindowProblems, WebhookRecoveries } from '@app/delivery';
import { ResourceNotFoundException, ValidationFailedException } from '../common/api-errors';
import { ensureDatabaseReady } from '../common/database-ready';
import type { RecoverWebhookDto } from './dto/recover-webhook.dto';
import { WebhookDisabledException } from './webhook-disabled.exception';

/**
 * Recovery of a webhook's failed deliveries: the API starts one and shows its progress; the delivery workers do the
 * requeueing in the background (libs/delivery WebhookRecoveryRunner). The statements are shared with the CLI.
 */
@Injectable()
export class WebhookRecoveryService {
  private readonly recoveries: WebhookRecoveries;

  constructor(private readonly dataSource: DataSource) {
    this.recoveries = new WebhookRecoveries(<T>(sql: string, params: unknown[]) => {
      ensureDatabaseReady(this.dataSource);
      return this.dataSource.query<T[]>(sql, params);
    });
  }

  /** 202 body: the new recovery, or the open one for the same window. */
  async start(webhookId: string, dto: RecoverWebhookDto): Promise<RecoveryView> {
    const since = new Date(dto.since);
    const until = dto.until === undefined ? undefined : new Date(dto.until);
    const problems = recoveryWindowProblems(since, until, new Date());
    if (Object.keys(problems).length > 0) {
      throw new ValidationFailedException(Object.fromEntries(Object.entries(problems).map(([k, v]) => [k, [v]])));
    }
    const result = await this.recoveries.start(webhookId, since, until);
    if ('recovery' in result) return result.recovery;
    if (result.outcome === 'webhook_not_found') throw new ResourceNotFoundException('webhook', webhookId);
    throw new WebhookDisabledException();
  }

  async get(webhookId: string, id: string): Promise<RecoveryView> {
    const recovery = await this.recoveries.get(webhookId, id);
    if (!recovery) throw new ResourceNotFoundException('recovery', id);
    return recovery;
  }
}
