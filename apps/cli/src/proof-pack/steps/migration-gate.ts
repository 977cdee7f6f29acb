import type { GateContext, GateStep, StepOutcome } from '../gate-context';

/** Step 1: `migrate up` then `migrate status` through the built CLI; pass when both exit 0 at head. */
async function migrationGate(ctx: GateContext): Promise<StepOutcome> {
  const timeoutMs = ctx.env.MIGRATION_LOCK_TIMEOUT_MS + 120_000;
  const up = await ctx.runCli(['migrate', 'up'], timeoutMs);
  const status = await ctx.runCli(['migrate', 'status'], 120_000);
  const atHead = /^status: head$/m.test(status.output);
  const pass = up.exitCode === 0 && status.exitCode === 0 && atHead;
  const reason = pass
    ? '`migrate up` exited 0 and `migrate status` reports head'
    : `migrate up exited ${up.exitCode ?? 'abnormally'}, migrate status exited ${status.exitCode ?? 'abnormally'}${atHead ? '' : ', not at head'}`;
  return {
    status: pass ? 'PASS' : 'FAIL',
    reason,
    script: [...ctx.exportsScript(), '', `${up.command}`, 'echo "EXIT_CODE=$?"', `${status.command}`, 'echo "EXIT_CODE=$?"'].join('\n'),
    expected: ['`migrate up` exits 0', '`migrate status` exits 0 and shows `status: head`'],
    commands: [up, status],
    http: [],
    logLines: [],
    notes: [],
  };
}

export const migrationGateStep: GateStep = { id: 1, title: 'External Migration Gate (Postgres)', run: migrationGate };
