import { deriveFingerprint } from './alert-fingerprint';
import { mapAlertmanagerPayload } from './alertmanager-mapper';
import type { AlertmanagerAlertDto } from './dto/alertmanager-payload.dto';

const alert = (a: Partial<AlertmanagerAlertDto>): AlertmanagerAlertDto => ({ status: 'firing', labels: {}, ...a });

describe('mapAlertmanagerPayload', () => {
  it('maps a firing alert to an alert input: our fingerprint from the labels, summary as title, severity mapped', () => {
    const labels = { alertname: 'HighLatency', severity: 'page', service: 'api' };
    const [change] = mapAlertmanagerPayload({
      alerts: [
        alert({
          labels,
          annotations: { summary: 'p99 above 1s', description: 'latency is high' },
          startsAt: '2026-11-21T22:00:00.000Z',
          endsAt: '0001-01-01T00:00:00Z',
          fingerprint: 'c0ffee',
        }),
      ],
    });
    expect(change).toEqual({
      status: 'firing',
      alert: {
        fingerprint: deriveFingerprint({ labels: { service: 'api', severity: 'page', alertname: 'HighLatency' }, title: '' }),
        title: 'p99 above 1s',
        severity: 'critical',
        source: 'alertmanager',
        description: 'latency is high',
        labels,
        annotations: { summary: 'p99 above 1s', description: 'latency is high' },
        startsAt: '2026-11-21T22:00:00.000Z',
      },
    });
  });

  it('falls back for the title (alertname, then a default, at most 500 characters) and the description', () => {
    const [byName, byDefault, long] = mapAlertmanagerPayload({
      alerts: [alert({ labels: { alertname: 'Disk' } }), alert({ labels: { x: '1' } }), alert({ labels: { x: '2' }, annotations: { summary: 's'.repeat(600) } })],
    });
    expect(byName).toMatchObject({ alert: { title: 'Disk', description: null, annotations: {}, severity: 'warning' } });
    expect(byDefault).toMatchObject({ alert: { title: 'Alertmanager alert' } });
    expect(long.status === 'firing' && long.alert.title).toHaveLength(500);
  });

  it('uses the zero time and unparsable times as "now" (null)', () => {
    const changes = mapAlertmanagerPayload({
      alerts: [alert({ startsAt: '0001-01-01T00:00:00Z' }), alert({ startsAt: 'yesterday' }), alert({}), alert({ status: 'resolved', endsAt: 'soon' })],
    });
    expect(changes.map((c) => (c.status === 'firing' ? c.alert.startsAt : c.endsAt))).toEqual([null, null, null, null]);
  });

  it('maps a resolved alert to its fingerprint and end time, in payload order', () => {
    const labels = { alertname: 'Disk', host: 'db1' };
    const changes = mapAlertmanagerPayload({
      alerts: [alert({ status: 'resolved', labels, endsAt: '2026-11-21T22:10:00.000Z' }), alert({ labels })],
    });
    expect(changes[0]).toEqual({ status: 'resolved', fingerprint: deriveFingerprint({ labels, title: '' }), endsAt: '2026-11-21T22:10:00.000Z' });
    expect(changes[1]).toMatchObject({ status: 'firing', alert: { fingerprint: deriveFingerprint({ labels, title: '' }) } });
  });

  it("uses Alertmanager's fingerprint only without labels, else a fixed one", () => {
    const [given, none] = mapAlertmanagerPayload({ alerts: [alert({ fingerprint: 'c0ffee' }), alert({})] });
    expect(given).toMatchObject({ alert: { fingerprint: 'c0ffee' } });
    expect(none).toMatchObject({ alert: { fingerprint: deriveFingerprint({ title: 'alertmanager' }) } });
  });
});
