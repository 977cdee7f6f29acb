import { httpGet, type HttpExchange } from '../child-processes';
import type { HttpEvidence } from '../evidence';
import { API_HOST, dependencyState, type GateContext, type GateStep, logLinesMatching, type StartedApi, type StepOutcome } from '../gate-context';

/**
 * Step 2: /api/ready answers 200 with the database and Redis connected, and /api/version answers, on an API started
 * here with the configured env, or on the running deployment given with --base-url.
 */
async function readyGate(ctx: GateContext): Promise<StepOutcome> {
  const notes: string[] = [];
  let logLines: string[] = [];
  let baseUrl = ctx.opts.baseUrl;
  let api: StartedApi | undefined;
  const scriptHead: string[] = [];
  if (!baseUrl) {
    api = await ctx.startApi({}, 'api (ready gate)');
    baseUrl = api.baseUrl;
    scriptHead.push(...ctx.exportsScript([`export PORT=${api.port} HOST=${API_HOST}`]), `${ctx.display.api} &`, '');
    if (!api.listening) {
      const failed = await ctx.apiStartFailure(api);
      return {
        status: 'FAIL',
        reason: `the API did not start listening (exit code ${failed.exitCode ?? 'none'})`,
        script: scriptHead.join('\n'),
        expected: ['the API listens, then /api/ready answers HTTP 200'],
        commands: [failed],
        http: [],
        logLines: [],
        notes,
      };
    }
  } else {
    notes.push(`ready gate run against --base-url ${baseUrl}; boot log lines are not available from here: take them from that instance's logs`);
  }
  const isReady = (x: HttpExchange) => x.status === 200 && dependencyState(x.json, 'db') === 'connected' && dependencyState(x.json, 'redis') === 'connected';
  const ready = await ctx.pollReady(baseUrl, isReady, api?.child);
  const version = await httpGet(`${baseUrl}/api/version`, ctx.httpTimeoutMs);
  ctx.versionExchange = version;
  if (api) {
    logLines = logLinesMatching(api.child.output, /database connected|redis connected|database not available|redis error|failed to start/i);
    await api.child.stop();
  }
  const db = dependencyState(ready.json, 'db');
  const redis = dependencyState(ready.json, 'redis');
  const migrations = dependencyState(ready.json, 'migrations');
  const problems: string[] = [];
  if (ready.status !== 200) problems.push(`/api/ready answered ${ready.status ?? `nothing (${ready.error ?? 'no response'})`}`);
  if (db !== 'connected') problems.push(`database is ${db ?? 'not reported'}`);
  if (redis !== 'connected') problems.push(`redis is ${redis ?? 'not reported'}`);
  if (migrations !== undefined && migrations !== 'head') problems.push(`migrations are ${migrations}`);
  if (version.status !== 200) problems.push(`/api/version answered ${version.status ?? `nothing (${version.error ?? 'no response'})`}`);
  const http: HttpEvidence[] = [
    { command: `curl -sS -i ${baseUrl}/api/ready`, exchange: ready },
    { command: `curl -sS -i ${baseUrl}/api/version`, exchange: version },
  ];
  return {
    status: problems.length ? 'FAIL' : 'PASS',
    reason: problems.length
      ? problems.join('; ')
      : `/api/ready answered 200 with database connected, redis connected${migrations ? `, migrations ${migrations}` : ''}; /api/version answered 200`,
    script: [...scriptHead, ...http.flatMap((h) => [h.command, 'echo "EXIT_CODE=$?"'])].join('\n'),
    expected: [
      '/api/ready: HTTP 200',
      'Response includes dependencies.database=connected, dependencies.redis=connected (checks.db/redis.detail=connected)',
      'If present: dependencies.migrations=head',
      '/api/version: HTTP 200',
    ],
    commands: [],
    http,
    logLines,
    notes,
  };
}

export const readyGateStep: GateStep = { id: 2, title: 'Runtime Ready Gate (DB + Redis)', run: readyGate };
