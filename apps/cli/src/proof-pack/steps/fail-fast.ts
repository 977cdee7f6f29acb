import { maskText, maskUrl } from '@app/config';
import { freePort, tcpOpen } from '@app/database/net';
import { sleep } from '../child-processes';
import type { CommandEvidence } from '../evidence';
import { API_HOST, type GateContext, type GateStep, type StepOutcome } from '../gate-context';

const DEADLINE_MS = 15_000;

/** Step 4: strict mode without REDIS_URL exits non-zero, naming REDIS_URL, without ever accepting a connection. */
async function failFast(ctx: GateContext): Promise<StepOutcome> {
  const port = await freePort();
  const child = ctx.children.spawnNode(ctx.targets.apiMain, [], 'api (fail fast)', {
    ...ctx.baseOverrides,
    REDIS_URL: undefined,
    PORT: String(port),
    HOST: API_HOST,
  });
  // Probe the port for as long as the process lives: it must never accept a connection.
  let listened = false;
  let probes = 0;
  const t0 = Date.now();
  while (child.running && Date.now() - t0 < DEADLINE_MS) {
    probes += 1;
    if (await tcpOpen(API_HOST, port, 200)) listened = true;
    if (child.running) await sleep(20);
  }
  const stillRunning = child.running;
  if (stillRunning) await child.stop(2000);
  const status = await child.exited;
  const ms = (child.exitedAt ?? Date.now()) - child.startedAt;
  const command: CommandEvidence = {
    command: `${ctx.display.api}  # CI_STRICT=1, REDIS_URL unset, PORT=${port}`,
    exitCode: status.code,
    signal: status.signal,
    timedOut: stillRunning,
    durationMs: ms,
    output: maskText(child.output),
  };
  const problems: string[] = [];
  if (stillRunning) problems.push(`still running after ${DEADLINE_MS} ms (killed)`);
  else if (status.code === 0 || status.code === null) problems.push(`exited with ${status.code ?? `signal ${status.signal}`}, expected a non-zero code`);
  if (listened) problems.push(`port ${port} accepted a connection`);
  if (!stillRunning && !/REDIS_URL/.test(child.output)) problems.push('the error output does not name REDIS_URL');
  return {
    status: problems.length ? 'FAIL' : 'PASS',
    reason: problems.length
      ? problems.join('; ')
      : `exited ${status.code} after ${ms} ms without ever listening (${probes} probes of 127.0.0.1:${port} refused)`,
    script: [
      `export ENV=${ctx.env.ENV}`,
      'export CI_STRICT=1',
      `export DATABASE_URL='${maskUrl(ctx.env.DATABASE_URL ?? '')}'`,
      'unset REDIS_URL',
      `PORT=${port} HOST=${API_HOST} ${ctx.display.api}`,
      'echo "EXIT_CODE=$?"',
      `# meanwhile, every ~20 ms: probe tcp ${API_HOST}:${port} (must never accept)`,
    ].join('\n'),
    expected: ['EXIT_CODE non-zero', `no connection ever accepted on ${API_HOST}:${port}`, 'the error names REDIS_URL'],
    commands: [command],
    http: [],
    logLines: [],
    notes: [`${probes} TCP probes of ${API_HOST}:${port} while the process ran; ${listened ? 'at least one was accepted' : 'none was accepted'}`],
  };
}

export const failFastStep: GateStep = { id: 4, title: 'Fail-fast (strict mode, no listener)', run: failFast };
