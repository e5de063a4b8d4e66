import { Counter, Gauge, Histogram, Registry } from 'prom-client';

/**
 * The service's Prometheus metrics, with prom-client: request counters and latency
 * histograms by route, method and status, kept in memory; gauges the /metrics route reads
 * from the database at scrape time (closures by state, worker lag) and the in-process
 * worker's last pass.
 *
 * A registry per app, never prom-client's global one: tests build many apps in one
 * process, and a second registration of a name in one registry throws.
 */

const BUCKETS_S = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const REQUEST_LABELS = ['route', 'method', 'status'] as const;
const LAST_PASS = 'offboard_worker_last_pass_timestamp_seconds';

/** What /metrics reads at scrape time. */
export interface ScrapeReadings {
  /** Closures per state, every state named (zero included). */
  closures: readonly { state: string; count: number }[];
  /** How long the most overdue open closure has waited for a worker (0 when none is overdue). */
  workerLagSeconds: number;
  /** When the in-process worker last finished a pass; null without one, or before its first. */
  lastPass: Date | null;
}

export class HttpMetrics {
  private readonly registry = new Registry();

  private readonly requests = new Counter({
    name: 'offboard_http_requests_total',
    help: 'HTTP requests answered, by route, method and status.',
    labelNames: REQUEST_LABELS,
    registers: [this.registry],
  });

  private readonly durations = new Histogram({
    name: 'offboard_http_request_duration_seconds',
    help: 'Time to answer HTTP requests, by route, method and status.',
    labelNames: REQUEST_LABELS,
    buckets: BUCKETS_S,
    registers: [this.registry],
  });

  private readonly closures = new Gauge({
    name: 'offboard_closures',
    help: 'Closures by state.',
    labelNames: ['state'] as const,
    registers: [this.registry],
  });

  private readonly workerLag = new Gauge({
    name: 'offboard_worker_lag_seconds',
    help: 'How long the most overdue open closure has waited for a worker (0 when none is overdue).',
    registers: [this.registry],
  });

  // Registered at the first pass it can report: a gauge without labels always shows a
  // value, and 0 would read as a pass in 1970.
  private readonly lastPass = new Gauge({
    name: LAST_PASS,
    help: 'When the in-process worker last finished a pass.',
    registers: [],
  });

  /** The Content-Type of `render`'s text (Prometheus text exposition format 0.0.4). */
  get contentType(): string {
    return this.registry.contentType;
  }

  /** Counts one response; `route` is the route pattern (never the raw URL: ids would explode the series). */
  observe(route: string, method: string, status: number, seconds: number): void {
    const labels = { route, method, status: String(status) };
    this.requests.inc(labels);
    this.durations.observe(labels, seconds);
  }

  async render(readings: ScrapeReadings): Promise<string> {
    for (const { state, count } of readings.closures) this.closures.set({ state }, count);
    this.workerLag.set(readings.workerLagSeconds);
    if (readings.lastPass) {
      if (!this.registry.getSingleMetric(LAST_PASS)) this.registry.registerMetric(this.lastPass);
      this.lastPass.set(readings.lastPass.getTime() / 1000);
    }
    return this.registry.metrics();
  }
}
