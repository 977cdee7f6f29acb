import { clearRegisteredSecrets, registerUrlSecrets } from '@app/config';
import { type Evidence, renderEvidenceJson, renderEvidenceMarkdown, type StepEvidence } from './evidence';

const PASSWORD = 'p@ss:w/rd#1';
const url = `postgresql://app:${encodeURIComponent(PASSWORD)}@db:5432/app`;

function step(id: StepEvidence['id'], status: StepEvidence['status'], output: string): StepEvidence {
  return {
    id,
    title: `step ${id}`,
    status,
    reason: status === 'PASS' ? 'fine' : 'broken | badly',
    script: `export DATABASE_URL='${url}'\nnode dist/apps/cli/main.js migrate up`,
    expected: ['exit 0'],
    commands: [{ command: 'node dist/apps/cli/main.js migrate up', exitCode: status === 'PASS' ? 0 : 1, durationMs: 5, output }],
    http: [],
    logLines: [`error connecting to ${url} with password ${PASSWORD}`],
    notes: [],
    durationMs: 10,
  };
}

function evidence(steps: StepEvidence[]): Evidence {
  return {
    tool: 'signalgate proof-pack',
    result: 'NO-GO',
    startedAt: '2026-11-22T00:00:00Z',
    finishedAt: '2026-11-22T00:00:09Z',
    environment: 'staging',
    strict: true,
    serviceVersion: '0.1.0',
    gitSha: 'abc',
    runner: 'ru***er',
    nodeVersion: 'node v20',
    target: { databaseUrl: url, redisUrl: 'redis://127.0.0.1:6379/0', baseUrl: 'x' },
    steps,
    summary: 'NO-GO: step 1 failed.',
  };
}

describe('evidence rendering', () => {
  beforeAll(() => registerUrlSecrets(url));
  afterAll(() => clearRegisteredSecrets());

  it('masks the password in every form, in both renderings', () => {
    const ev = evidence([step(1, 'FAIL', `first\n${url}\nlast`)]);
    for (const text of [renderEvidenceMarkdown(ev), renderEvidenceJson(ev)]) {
      expect(text).not.toContain(PASSWORD);
      expect(text).not.toContain(encodeURIComponent(PASSWORD));
      expect(text).toContain('postgresql://app:***@db:5432/app');
    }
  });

  it('follows the template: metadata, per-step command, exit codes, output, result', () => {
    const md = renderEvidenceMarkdown(evidence([step(1, 'FAIL', 'x'), { ...step(4, 'SKIPPED', ''), reason: 'skipped with --skip-failfast' }]));
    expect(md).toContain('## Result: NO-GO');
    expect(md).toContain('### Metadata\n- Date (UTC): 2026-11-22T00:00:00Z');
    expect(md).toContain('- node dist/apps/cli/main.js migrate up: EXIT_CODE=1 (5 ms)');
    expect(md).toContain('**Result: FAIL** — broken | badly');
    expect(md).toContain('| 1. step 1 | FAIL | broken \\| badly |');
    expect(md).toContain('### Step 4 — step 4\n\n**Result: SKIPPED** — skipped with --skip-failfast');
  });

  it('shows the first and last 10 lines of a long migrate up, and cannot be broken by backticks in output', () => {
    const output = Array.from({ length: 30 }, (_, i) => `line ${i + 1}`).join('\n') + '\n```\n# not a heading';
    const md = renderEvidenceMarkdown(evidence([step(1, 'PASS', output)]));
    expect(md).toContain('(first 10 of 32 lines)');
    expect(md).toContain('(last 10 lines)');
    expect(md).toContain('line 10\n');
    expect(md).not.toContain('line 11\n');
    expect(md).toContain('````text');
  });
});
