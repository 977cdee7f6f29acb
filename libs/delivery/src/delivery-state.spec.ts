import { DELIVERY_STATES, deliveryState } from './delivery-state';

describe('deliveryState', () => {
  it('a pending delivery of a webhook that is not active is paused; every other status is itself', () => {
    expect(deliveryState('pending', false)).toBe('paused');
    expect(deliveryState('pending', true)).toBe('pending');
    for (const status of ['in_flight', 'succeeded', 'failed'] as const) {
      expect(deliveryState(status, true)).toBe(status);
      expect(deliveryState(status, false)).toBe(status);
    }
    expect([...DELIVERY_STATES].sort()).toEqual(['failed', 'in_flight', 'paused', 'pending', 'succeeded']);
  });
});
