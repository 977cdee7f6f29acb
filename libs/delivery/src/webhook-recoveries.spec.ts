import { recoveryWindowProblems, type SqlRows, WebhookRecoveries } from './webhook-recoveries';

const ROW = {
  id: 'r1',
  webhook_id: 'w1',
  since: new Date('2026-12-01T09:00:00Z'),
  until: new Date('2026-12-01T10:00:00Z'),
  status: 'pending',
  requeued: 0,
  created_at: new Date('2026-12-01T11:00:00Z'),
  updated_at: new Date('2026-12-01T11:00:00Z'),
  completed_at: null,
};

function stub(...answers: unknown[][]) {
  const calls: unknown[][] = [];
  const rows = ((sql: string, params: unknown[]) => {
    calls.push(params);
    return Promise.resolve(answers.shift() ?? []);
  }) as SqlRows;
  return { recoveries: new WebhookRecoveries(rows), calls };
}

describe('WebhookRecoveries.start', () => {
  const since = new Date('2026-12-01T09:00:00Z');

  it('created or existing: the record, with ISO timestamps; no until is stored as infinity (the window ends at creation)', async () => {
    const { recoveries, calls } = stub([{ active: true, created: true, ...ROW }]);
    await expect(recoveries.start('w1', since, undefined)).resolves.toEqual({
      outcome: 'created',
      recovery: {
        ...ROW,
        since: '2026-12-01T09:00:00.000Z',
        until: '2026-12-01T10:00:00.000Z',
        created_at: '2026-12-01T11:00:00.000Z',
        updated_at: '2026-12-01T11:00:00.000Z',
      },
    });
    expect(calls[0]).toEqual(['w1', '2026-12-01T09:00:00.000Z', 'infinity']);
    const again = stub([{ active: true, created: false, ...ROW, status: 'running', requeued: '500' }]);
    await expect(again.recoveries.start('w1', since, new Date('2026-12-01T10:00:00Z'))).resolves.toMatchObject({
      outcome: 'existing',
      recovery: { status: 'running', requeued: 500 },
    });
    expect(again.calls[0]).toEqual(['w1', '2026-12-01T09:00:00.000Z', '2026-12-01T10:00:00.000Z']);
  });

  it('unknown webhook, disabled webhook', async () => {
    await expect(stub([{ active: null }]).recoveries.start('w1', since, undefined)).resolves.toEqual({ outcome: 'webhook_not_found' });
    await expect(stub([{ active: false }]).recoveries.start('w1', since, undefined)).resolves.toEqual({ outcome: 'webhook_disabled' });
  });

  it('an open record that completed between the insert and the read: tries again, a bounded number of times', async () => {
    const { recoveries, calls } = stub([{ active: true, id: null }], [{ active: true, created: true, ...ROW }]);
    await expect(recoveries.start('w1', since, undefined)).resolves.toMatchObject({ outcome: 'created' });
    expect(calls).toHaveLength(2);
    const stuck = stub([{ active: true, id: null }], [{ active: true, id: null }], [{ active: true, id: null }], [{ active: true, created: true, ...ROW }]);
    await expect(stuck.recoveries.start('w1', since, undefined)).rejects.toThrow(/contended/);
    expect(stuck.calls).toHaveLength(3);
  });
});

describe('recoveryWindowProblems', () => {
  const now = new Date('2026-12-01T12:00:00Z');
  it('since in the past, until after since', () => {
    expect(recoveryWindowProblems(new Date('2026-12-01T09:00:00Z'), undefined, now)).toEqual({});
    expect(recoveryWindowProblems(new Date('2026-12-01T09:00:00Z'), new Date('2026-12-02T00:00:00Z'), now)).toEqual({});
    expect(recoveryWindowProblems(now, undefined, now)).toEqual({ since: 'must be in the past' });
    expect(recoveryWindowProblems(new Date('2026-12-01T09:00:00Z'), new Date('2026-12-01T09:00:00Z'), now)).toEqual({ until: 'must be after since' });
  });
});
