import type { Logger } from '@nestjs/common';
import { maskText } from '@app/config';

/** Logs an activity's error (claim, reaper, ...) when it changes, not on every poll; masked. */
export class ChangeOnlyLog {
  private readonly last = new Map<string, string>();

  constructor(private readonly logger: Pick<Logger, 'warn'>) {}

  warn(what: string, e: unknown): void {
    const text = `${what}: ${maskText(e instanceof Error ? e.message : String(e))}`;
    if (text !== this.last.get(what)) this.logger.warn(text);
    this.last.set(what, text);
  }
}
