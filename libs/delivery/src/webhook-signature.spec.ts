import { Webhook } from 'standardwebhooks';
import { generateWebhookSecret, signatureHeaders } from './webhook-signature';

describe('webhook signatures', () => {
  it('verify with the reference standardwebhooks package, including both keys during a rotation', () => {
    const oldSecret = generateWebhookSecret();
    const newSecret = generateWebhookSecret();
    expect(newSecret).toMatch(/^whsec_[A-Za-z0-9+/]{32}$/);
    const body = JSON.stringify({ type: 'alert.created', timestamp: new Date().toISOString(), data: { id: 1 } });
    const headers = signatureHeaders([newSecret, oldSecret], 'msg_1', body);
    expect(new Webhook(newSecret).verify(body, headers)).toEqual(JSON.parse(body));
    expect(new Webhook(oldSecret).verify(body, headers)).toEqual(JSON.parse(body));
    expect(() => new Webhook(generateWebhookSecret()).verify(body, headers)).toThrow();
    expect(() => new Webhook(newSecret).verify(`${body} `, headers)).toThrow();
  });
});
