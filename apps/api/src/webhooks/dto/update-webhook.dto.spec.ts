import { createValidationPipe } from '../../common/validation.pipe';
import { ValidationFailedException } from '../../common/api-errors';
import { CreateWebhookDto } from './create-webhook.dto';
import { UpdateWebhookDto } from './update-webhook.dto';

/** Through the app's own validation pipe, as a request body would go. */
async function errorsOf(metatype: typeof UpdateWebhookDto | typeof CreateWebhookDto, body: object): Promise<Record<string, string[]> | undefined> {
  try {
    await createValidationPipe().transform(body, { type: 'body', metatype });
    return undefined;
  } catch (e) {
    if (e instanceof ValidationFailedException) return e.errors;
    throw e;
  }
}

describe('UpdateWebhookDto', () => {
  it('accepts an empty body and each field alone', async () => {
    expect(await errorsOf(UpdateWebhookDto, {})).toBeUndefined();
    expect(await errorsOf(UpdateWebhookDto, { name: 'renamed' })).toBeUndefined();
    expect(await errorsOf(UpdateWebhookDto, { url: 'https://example.com/hook' })).toBeUndefined();
    expect(await errorsOf(UpdateWebhookDto, { event_types: ['alert.created'], headers: { 'X-Team': 'ops' }, is_active: false })).toBeUndefined();
  });

  it('accepts null for description, min_severity and rate_limit_per_second (clears them)', async () => {
    expect(await errorsOf(UpdateWebhookDto, { description: null, min_severity: null, rate_limit_per_second: null })).toBeUndefined();
  });

  it('takes rate_limit_per_second as a whole number from 1 to 10000', async () => {
    expect(await errorsOf(UpdateWebhookDto, { rate_limit_per_second: 1 })).toBeUndefined();
    expect(await errorsOf(UpdateWebhookDto, { rate_limit_per_second: 10_000 })).toBeUndefined();
    for (const bad of [0, -1, 10_001, 2.5, '5', true]) {
      expect(Object.keys((await errorsOf(UpdateWebhookDto, { rate_limit_per_second: bad })) ?? {})).toEqual(['rate_limit_per_second']);
    }
  });

  it.each(['name', 'url', 'event_types', 'headers', 'is_active'])('refuses null for %s with a per-field message', async (field) => {
    const errors = await errorsOf(UpdateWebhookDto, { [field]: null });
    expect(Object.keys(errors ?? {})).toEqual([field]);
    expect(errors?.[field]).toContain('must not be null');
  });

  it('keeps the create rules for values', async () => {
    expect(Object.keys((await errorsOf(UpdateWebhookDto, { url: 'ftp://x', min_severity: 'urgent', name: '' })) ?? {}).sort()).toEqual([
      'min_severity',
      'name',
      'url',
    ]);
    expect(Object.keys((await errorsOf(UpdateWebhookDto, { colour: 'red' })) ?? {})).toEqual(['colour']);
  });
});

describe('CreateWebhookDto null rules', () => {
  const base = { name: 'w', url: 'https://example.com/hook' };
  it('accepts null description/min_severity, refuses null elsewhere', async () => {
    expect(await errorsOf(CreateWebhookDto, { ...base, description: null, min_severity: null })).toBeUndefined();
    expect(Object.keys((await errorsOf(CreateWebhookDto, { ...base, headers: null, is_active: null, event_types: null })) ?? {}).sort()).toEqual([
      'event_types',
      'headers',
      'is_active',
    ]);
    expect((await errorsOf(CreateWebhookDto, { url: base.url, name: null }))?.name).toContain('must not be null');
  });
});
