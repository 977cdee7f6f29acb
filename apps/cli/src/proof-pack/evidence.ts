import { maskText } from '@app/config';
import type { HttpExchange } from './child-processes';
import { formatExchange } from './child-processes';

/**
 * The evidence of one proof-pack run and its two renderings: evidence.md in the template of
 * seeds/000_10ec4dc567bf47f2.txt ("Evidence Output Template (Audit Trail)") and evidence.json for machines.
 * Both pass through `maskText` as a whole right before they are written: nothing unmasked leaves the process.
 */

export interface CommandEvidence {
  /** The command as an operator would type it (masked). */
  command: string;
  exitCode: number | null;
  signal?: string | null;
  timedOut?: boolean;
  durationMs: number;
  /** stdout and stderr, interleaved. */
  output: string;
}

export interface HttpEvidence {
  command: string;
  exchange: HttpExchange;
}

export interface StepEvidence {
  id: 1 | 2 | 3 | 4;
  title: string;
  status: 'PASS' | 'FAIL' | 'SKIPPED';
  /** Why it passed or failed, in one or two sentences. */
  reason: string;
  /** The script an operator would run for this step (masked exports + commands). */
  script: string;
  expected: string[];
  commands: CommandEvidence[];
  http: HttpEvidence[];
  /** Log lines of the API instance relevant to the step (boot: DB connect, Redis ping; failures). */
  logLines: string[];
  notes: string[];
  durationMs: number;
}

export interface Evidence {
  tool: 'signalgate proof-pack';
  result: 'GO' | 'NO-GO';
  startedAt: string;
  finishedAt: string;
  environment: string;
  strict: boolean;
  serviceVersion: string;
  gitSha: string;
  runner: string;
  nodeVersion: string;
  target: { databaseUrl: string; redisUrl: string; baseUrl: string };
  steps: StepEvidence[];
  summary: string;
}

export const FIRST_LAST_LINES = 10;

export function lines(text: string): string[] {
  const all = text.replace(/\r\n/g, '\n').split('\n');
  while (all.length && all[all.length - 1].trim() === '') all.pop();
  return all;
}

/** A fenced block whose fence is longer than any backtick run inside, so odd output cannot break the Markdown. */
function fenced(text: string, lang = 'text'): string {
  const longest = Math.max(2, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = '`'.repeat(longest + 1);
  return `${fence}${lang}\n${text.trimEnd() || '(no output)'}\n${fence}`;
}

function commandOutputSections(c: CommandEvidence, name: string, firstLast: boolean): string[] {
  const out = lines(c.output);
  if (!firstLast || out.length <= FIRST_LAST_LINES * 2) {
    return [`- ${name} (${out.length} line${out.length === 1 ? '' : 's'}):`, '', fenced(out.join('\n')), ''];
  }
  return [
    `- ${name} (first ${FIRST_LAST_LINES} of ${out.length} lines):`,
    '',
    fenced(out.slice(0, FIRST_LAST_LINES).join('\n')),
    '',
    `- ${name} (last ${FIRST_LAST_LINES} lines):`,
    '',
    fenced(out.slice(-FIRST_LAST_LINES).join('\n')),
    '',
  ];
}

function exitText(c: CommandEvidence): string {
  const code = c.exitCode === null ? 'none' : String(c.exitCode);
  const extra = [c.signal ? `signal ${c.signal}` : '', c.timedOut ? 'killed: timed out' : ''].filter(Boolean).join(', ');
  return `EXIT_CODE=${code}${extra ? ` (${extra})` : ''}`;
}

function stepSection(step: StepEvidence): string[] {
  const out: string[] = [`### Step ${step.id} — ${step.title}`, ''];
  if (step.status === 'SKIPPED') {
    return [...out, `**Result: SKIPPED** — ${step.reason}`, '', '---', ''];
  }
  out.push('**Command**', '', fenced(step.script, 'bash'), '');
  if (step.commands.length || step.http.length) {
    out.push('**Exit Codes**', '');
    for (const c of step.commands) out.push(`- ${c.command}: ${exitText(c)} (${c.durationMs} ms)`);
    for (const h of step.http) {
      const x = h.exchange;
      out.push(`- ${h.command}: ${x.statusLine ? `EXIT_CODE=0, ${x.statusLine}` : `EXIT_CODE=7 (${x.error ?? 'no response'})`} (${x.ms} ms)`);
    }
    out.push('');
  }
  out.push('**Expected**', '', ...step.expected.map((e) => `- ${e}`), '');
  out.push(step.id === 1 ? '**Output (first/last lines)**' : '**Output (full)**', '');
  for (const c of step.commands) out.push(...commandOutputSections(c, c.command, step.id === 1 && c.command.endsWith('migrate up')));
  for (const h of step.http) out.push(`- ${h.command}:`, '', fenced(formatExchange(h.exchange), 'http'), '');
  if (step.logLines.length) out.push('**Log lines**', '', fenced(step.logLines.join('\n')), '');
  if (step.notes.length) out.push('**Notes**', '', ...step.notes.map((n) => `- ${n}`), '');
  out.push(`**Result: ${step.status}** — ${step.reason}`, '', '---', '');
  return out;
}

export function renderEvidenceMarkdown(ev: Evidence): string {
  const out: string[] = [
    '# Signalgate Proof Pack — Go/No-Go Evidence (External Postgres + Redis)',
    '',
    `## Result: ${ev.result}`,
    '',
    ev.summary,
    '',
    '| step | result | why |',
    '| --- | --- | --- |',
    ...ev.steps.map((s) => `| ${s.id}. ${s.title} | ${s.status} | ${s.reason.replace(/\|/g, '\\|').replace(/\n/g, ' ')} |`),
    '',
    '---',
    '',
    '### Metadata',
    `- Date (UTC): ${ev.startedAt}`,
    `- Environment: ${ev.environment}`,
    `- Service version: ${ev.serviceVersion}`,
    `- Git SHA (if available): ${ev.gitSha}`,
    `- Runner/Host (masked): ${ev.runner}`,
    `- Operator: signalgate proof-pack (automated), ${ev.nodeVersion}`,
    `- Target: DATABASE_URL=${ev.target.databaseUrl}, REDIS_URL=${ev.target.redisUrl}, ready gate against ${ev.target.baseUrl}`,
    `- Finished (UTC): ${ev.finishedAt}`,
    '',
    'Secrets are masked (`***`) per the masking rules: credentials in URLs, SECRET_KEY and the configured passwords.',
    '',
    '---',
    '',
  ];
  for (const step of ev.steps) out.push(...stepSection(step));
  out.push(`## Result: ${ev.result}`, '', ev.summary, '');
  return maskText(`${out.join('\n')}`);
}

export function renderEvidenceJson(ev: Evidence): string {
  return maskText(`${JSON.stringify(ev, null, 2)}\n`);
}
