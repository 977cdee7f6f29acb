import type { HttpExchange } from '../child-processes';
import { API_HOST, dependencyState, type GateContext, type GateStep, logLinesMatching, type StepOutcome } from '../gate-context';

/** The configured Redis URL, credentials kept, pointed at a port nothing listens on. */
function brokenRedisUrl(configured: string | undefined): string {
  const u = new URL(configured ?? 'redis://127.0.0.1:6379/0');
  u.hostname = '127.0.0.1';
  u.port = '1';
  return u.toString();
}

/** Step 3: with Redis unreachable the API still boots, and /api/ready answers 503 with redis unreachable. */
async function negativeProof(ctx: GateContext): Promise<StepOutcome> {
  const broken = brokenRedisUrl(ctx.env.REDIS_URL);
  const api = await ctx.startApi({ REDIS_URL: broken }, 'api (redis broken)');
  const script = [
    ...ctx.exportsScript([`export PORT=${api.port} HOST=${API_HOST}`], broken),
    `${ctx.display.api} &`,
    '',
    `curl -sS -i ${api.baseUrl}/api/ready`,
    'echo "EXIT_CODE=$?"',
  ].join('\n');
  const expected = ['/api/ready: HTTP 503', 'dependencies.redis=unreachable (checks.redis.detail=unreachable)'];
  if (!api.listening) {
    const failed = await ctx.apiStartFailure(api);
    return {
      status: 'FAIL',
      reason: `the API did not start listening with Redis unreachable (exit code ${failed.exitCode ?? 'none'}): it must boot and report 503, not crash`,
      script,
      expected,
      commands: [failed],
      http: [],
      logLines: [],
      notes: [],
    };
  }
  // Settled: Redis reported unreachable, and the database connected so the 503 is Redis's doing alone.
  const settled = (x: HttpExchange) => x.status === 503 && dependencyState(x.json, 'redis') === 'unreachable' && dependencyState(x.json, 'db') === 'connected';
  const ready = await ctx.pollReady(api.baseUrl, settled, api.child);
  await api.child.stop();
  // Redis's own lines (connection errors, state changes) and readiness failures; not Nest's module-loading chatter.
  const logLines = logLinesMatching(api.child.output, /redis/i).filter((l) => !/dependencies initialized/.test(l));
  const redis = dependencyState(ready.json, 'redis');
  const pass = ready.status === 503 && redis === 'unreachable';
  const notes: string[] = [];
  if (pass && dependencyState(ready.json, 'db') !== 'connected')
    notes.push('the database was not connected either: the 503 is not attributable to Redis alone');
  if (!logLines.length) notes.push('no log line mentioning Redis was captured');
  return {
    status: pass ? 'PASS' : 'FAIL',
    reason: pass
      ? '/api/ready answered 503 with redis unreachable'
      : `/api/ready answered ${ready.status ?? `nothing (${ready.error ?? 'no response'})`} with redis ${redis ?? 'not reported'} (expected 503, unreachable)`,
    script,
    expected,
    commands: [],
    http: [{ command: `curl -sS -i ${api.baseUrl}/api/ready`, exchange: ready }],
    logLines,
    notes,
  };
}

export const negativeProofStep: GateStep = { id: 3, title: 'Negative Proof (Redis broken => Ready 503)', run: negativeProof };
