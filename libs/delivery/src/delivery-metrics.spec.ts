import { MetricsService } from '@app/observability';
import { DeliveryMetrics } from './delivery-metrics';

describe('DeliveryMetrics', () => {
  it('counts attempts by outcome, retries and disables, and observes latency from queueing to success', async () => {
    const service = new MetricsService();
    const m = new DeliveryMetrics(service);
    m.attempt(true, false, new Date(Date.now() - 2000));
    m.attempt(false, true, new Date());
    m.attempt(false, false, new Date());
    m.webhookDisabled('gone');
    m.inFlightSource = () => 3;
    const text = await service.exposition();
    expect(text).toContain('signalgate_delivery_attempts_total{outcome="success"} 1');
    expect(text).toContain('signalgate_delivery_attempts_total{outcome="retry"} 1');
    expect(text).toContain('signalgate_delivery_attempts_total{outcome="failed"} 1');
    expect(text).toContain('signalgate_delivery_retries_scheduled_total 1');
    expect(text).toContain('signalgate_webhooks_disabled_total{reason="gone"} 1');
    expect(text).toContain('signalgate_webhooks_disabled_total{reason="failing"} 0');
    expect(text).toContain('signalgate_delivery_latency_seconds_count 1');
    expect(text).toContain('signalgate_delivery_latency_seconds_bucket{le="1"} 0');
    expect(text).toContain('signalgate_delivery_latency_seconds_bucket{le="2.5"} 1');
    expect(text).toContain('signalgate_deliveries_in_flight 3');
  });
});
