import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { spawnSync } from 'node:child_process';
import { EVENT_TYPES } from '../libs/delivery/src';
import { eventCatalogue } from '../apps/api/src/event-types/event-catalogue';
import { generateOpenApiJson, OPENAPI_FILE, ROOT } from './openapi';

const VALIDATE = `
require('@apidevtools/swagger-parser')
  .validate(JSON.parse(require('node:fs').readFileSync(0, 'utf8')))
  .then(() => console.log('valid'), (e) => { console.error(e.message); process.exit(1); });
`;

describe('docs/openapi.json', () => {
  let generated: string;
  beforeAll(async () => {
    generated = await generateOpenApiJson();
  }, 60_000);

  it('matches what the controllers and DTOs generate (run `npm run openapi` and commit the result)', () => {
    const committed = readFileSync(resolve(ROOT, OPENAPI_FILE), 'utf8');
    if (committed !== generated) {
      const a = committed.split('\n');
      const b = generated.split('\n');
      const line = a.findIndex((l, i) => l !== b[i]);
      throw new Error(
        `${OPENAPI_FILE} is out of date: run \`npm run openapi\` and commit the result.\n` +
          `first difference at line ${line + 1}:\n  committed: ${a[line] ?? '(end of file)'}\n  generated: ${b[line] ?? '(end of file)'}`,
      );
    }
  });

  it('is a valid OpenAPI document (@apidevtools/swagger-parser, an independent validator)', () => {
    // In a plain Node child: the validator's dependencies are ES modules, which Node 20 requires and Jest does not.
    const r = spawnSync(process.execPath, ['-e', VALIDATE], { input: generated, cwd: ROOT, encoding: 'utf8', timeout: 30_000 });
    expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 0, stderr: '' });
    expect(r.stdout).toBe('valid\n');
  });

  it('documents every /api/v1 route with the bearer scheme, and the probes', () => {
    const doc = JSON.parse(generated) as {
      paths: Record<string, Record<string, { security?: unknown[]; responses: Record<string, unknown> }>>;
      components: { securitySchemes: Record<string, unknown> };
    };
    expect(doc.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' });
    const v1 = Object.entries(doc.paths).filter(([path]) => path.startsWith('/api/v1/'));
    expect(v1.length).toBeGreaterThanOrEqual(10);
    for (const [path, ops] of v1) {
      for (const [method, op] of Object.entries(ops)) {
        expect([path, method, op.security]).toEqual([path, method, [{ bearer: [] }]]);
        for (const status of ['401', '429']) expect([path, method, status, Boolean(op.responses[status])]).toEqual([path, method, status, true]);
      }
    }
    for (const probe of ['/api/health/live', '/api/ready', '/api/health/startup', '/api/health/deep', '/api/version', '/metrics'])
      expect(doc.paths[probe]).toBeDefined();
  });

  it('is OpenAPI 3.1 throughout: no 3.0 `nullable` left, and every event type under `webhooks` with the catalogue schema', () => {
    const doc = JSON.parse(generated) as {
      openapi: string;
      webhooks: Record<string, { post: { requestBody: { content: Record<string, { schema: unknown }> } } }>;
    };
    expect(doc.openapi).toBe('3.1.0');
    expect(generated).not.toMatch(/"nullable":/);
    expect(Object.keys(doc.webhooks)).toEqual(EVENT_TYPES);
    for (const { type, schema } of eventCatalogue())
      expect([type, doc.webhooks[type].post.requestBody.content['application/json'].schema]).toEqual([type, schema]);
  });
});
