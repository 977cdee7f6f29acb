import { Injectable, UnprocessableEntityException } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { createHash } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import type { Env } from '@app/config';
import { ValidationFailedException } from '../common/api-errors';
import { WithStatus } from '../common/with-status';
import { IdempotencyKeyEntity } from './idempotency-key.entity';

const KEY_RE = /^[\x21-\x7e]{1,255}$/;

/**
 * JSON with every object's keys sorted, at every depth: two bodies that differ only in key order (the order a client
 * happened to serialise `labels` in) are the same request. Arrays keep their order; it means something.
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return v;
    // No prototype: a `__proto__` key (JSON.parse makes it an own property) stays a key instead of being swallowed.
    const sorted: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
    for (const k of Object.keys(v).sort()) sorted[k] = (v as Record<string, unknown>)[k];
    return sorted;
  });
}

export function requestHash(body: unknown): string {
  return createHash('sha256').update(canonicalJson(body)).digest('hex');
}

/** The hash stored before canonical hashing; such keys expire within IDEMPOTENCY_TTL_HOURS of the upgrade. */
export function legacyRequestHash(body: unknown): string {
  return createHash('sha256').update(JSON.stringify(body)).digest('hex');
}

/**
 * Idempotency-Key storage, per token subject. Both calls run inside the caller's transaction, so a key is claimed,
 * used and answered atomically with the work it guards.
 */
@Injectable()
export class IdempotencyKeyStore {
  private readonly ttlHours: number;

  constructor(config: ConfigService<Env, true>) {
    this.ttlHours = config.get('IDEMPOTENCY_TTL_HOURS', { infer: true });
  }

  /**
   * Reserves the key for this request. A concurrent request with the same key waits on the row lock, then sees the
   * committed response. Returns the stored response to replay, or undefined to proceed (then call `complete`).
   * The same key with another body is refused (422).
   */
  async claim(tx: EntityManager, subject: string, key: string, body: unknown): Promise<WithStatus<unknown> | undefined> {
    if (!KEY_RE.test(key)) throw ValidationFailedException.field('Idempotency-Key', 'must be 1-255 printable ASCII characters');
    const hash = requestHash(body);
    const claimed = await tx
      .createQueryBuilder()
      .insert()
      .into(IdempotencyKeyEntity, ['subject', 'key', 'requestHash'])
      .values({ subject, key, requestHash: hash })
      .orIgnore()
      .returning('key')
      .execute();
    if ((claimed.raw as unknown[]).length) return undefined;

    const stored = await tx
      .createQueryBuilder()
      .select(['k.requestHash AS request_hash', 'k.statusCode AS status_code', 'k.response AS response'])
      // The database's clock decides expiry, as it does for the prune.
      .addSelect(`k.createdAt < now() - :ttlHours * interval '1 hour'`, 'expired')
      .from(IdempotencyKeyEntity, 'k')
      .where('k.subject = :subject AND k.key = :key', { subject, key, ttlHours: this.ttlHours })
      .setLock('pessimistic_write')
      .getRawOne<{ request_hash: string; status_code: number | null; response: unknown; expired: boolean }>();
    if (!stored || stored.expired || stored.status_code === null) {
      await tx
        .createQueryBuilder()
        .update(IdempotencyKeyEntity)
        .set({ requestHash: hash, statusCode: null, response: null, createdAt: () => 'now()' })
        .where('subject = :subject AND key = :key', { subject, key })
        .execute();
      return undefined;
    }
    if (stored.request_hash !== hash && stored.request_hash !== legacyRequestHash(body)) {
      throw new UnprocessableEntityException('Idempotency-Key was already used with a different request body');
    }
    return new WithStatus(stored.status_code, stored.response, { 'Idempotent-Replayed': 'true' });
  }

  /** Stores the response a claimed key answers with from now on. */
  async complete(tx: EntityManager, subject: string, key: string, result: WithStatus<unknown>): Promise<void> {
    await tx
      .createQueryBuilder()
      .update(IdempotencyKeyEntity)
      .set({ statusCode: result.status, response: result.body as object })
      .where('subject = :subject AND key = :key', { subject, key })
      .execute();
  }
}
