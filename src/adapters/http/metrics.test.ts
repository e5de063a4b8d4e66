import { describe, expect, it } from 'vitest';
import { HttpMetrics } from './metrics.js';

const READINGS = {
  closures: [
    { state: 'grace', count: 2 },
    { state: 'closed', count: 0 },
  ],
  workerLagSeconds: 1.5,
  lastPass: null,
};

describe('HTTP metrics', () => {
  it('keeps each app’s counts in its own registry', async () => {
    const first = new HttpMetrics();
    const second = new HttpMetrics();
    first.observe('/healthz', 'GET', 200, 0.002);
    first.observe('/healthz', 'GET', 200, 0.2);
    const text = await first.render(READINGS);
    expect(text).toContain(
      'offboard_http_requests_total{route="/healthz",method="GET",status="200"} 2',
    );
    expect(text).toContain(
      'offboard_http_request_duration_seconds_bucket{le="0.0025",route="/healthz",method="GET",status="200"} 1',
    );
    expect(text).toContain('offboard_closures{state="grace"} 2');
    expect(text).toContain('offboard_closures{state="closed"} 0');
    expect(text).toContain('offboard_worker_lag_seconds 1.5');
    expect(await second.render(READINGS)).not.toContain('route="/healthz"');
  });

  it('shows the worker’s last pass only once there is one', async () => {
    const metrics = new HttpMetrics();
    expect(await metrics.render(READINGS)).not.toContain(
      'offboard_worker_last_pass_timestamp_seconds',
    );
    const at = new Date('2026-01-02T03:04:05.250Z');
    const text = await metrics.render({ ...READINGS, lastPass: at });
    expect(text).toMatch(/^offboard_worker_last_pass_timestamp_seconds 1767323045\.25$/m);
    // A later scrape moves it on, and registering it twice would throw.
    const later = await metrics.render({ ...READINGS, lastPass: new Date(at.getTime() + 1000) });
    expect(later).toMatch(/^offboard_worker_last_pass_timestamp_seconds 1767323046\.25$/m);
  });
});
