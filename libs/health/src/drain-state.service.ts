import { Injectable, Logger } from '@nestjs/common';

/**
 * Whether the process is draining after SIGTERM/SIGINT. Set by the shutdown sequence (apps/api/src/shutdown-sequence.ts)
 * before anything else happens, so readiness answers 503 `shutting_down` at once while liveness stays 200.
 */
@Injectable()
export class DrainState {
  private readonly logger = new Logger('Shutdown');
  private startedAt: number | undefined;

  get draining(): boolean {
    return this.startedAt !== undefined;
  }

  begin(signal: string): void {
    if (this.startedAt !== undefined) return;
    this.startedAt = Date.now();
    this.logger.log(`${signal} received: readiness now answers 503 shutting_down`);
  }
}
