import type { ConfigService } from '@nestjs/config';
import type { Env } from '@app/config';
import { ValidationFailedException } from '../common/api-errors';
import { WebhookUrlPolicy } from './webhook-url-policy';

function policy(STRICT: boolean, WEBHOOK_ALLOWED_CIDRS = ''): WebhookUrlPolicy {
  const values: Partial<Env> = { STRICT, WEBHOOK_ALLOWED_CIDRS };
  return new WebhookUrlPolicy({ get: (k: keyof Env) => values[k] } as unknown as ConfigService<Env, true>);
}

function refusal(p: WebhookUrlPolicy, url: string): Record<string, string[]> | undefined {
  try {
    p.assertAllowed(url);
    return undefined;
  } catch (e) {
    expect(e).toBeInstanceOf(ValidationFailedException);
    return (e as ValidationFailedException).errors;
  }
}

describe('WebhookUrlPolicy', () => {
  it('refuses a literal address in a blocked range with a 400 on `url` naming the rule', () => {
    expect(refusal(policy(true), 'http://[::127.0.0.1]:8080/hook')?.url[0]).toMatch(/::7f00:1 is in the ipv4Compatible range.*WEBHOOK_ALLOWED_CIDRS/);
    expect(refusal(policy(true), 'http://169.254.169.254/latest')?.url[0]).toMatch(/linkLocal/);
    expect(refusal(policy(true), 'http://10.1.2.3/')?.url[0]).toMatch(/private/);
  });

  it('leaves hostnames to connect time, honours WEBHOOK_ALLOWED_CIDRS, and keeps non-strict mode permissive', () => {
    expect(refusal(policy(true), 'http://localhost:8080/')).toBeUndefined();
    expect(refusal(policy(true), 'https://8.8.8.8/')).toBeUndefined();
    expect(refusal(policy(true, '127.0.0.0/8'), 'http://127.0.0.1:9/')).toBeUndefined();
    expect(refusal(policy(false), 'http://127.0.0.1:9/')).toBeUndefined();
    expect(() => policy(true).assertAllowed(undefined)).not.toThrow();
  });
});
