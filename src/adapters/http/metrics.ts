/**
 * A small Prometheus registry: request counters and latency histograms by route, method
 * and status, kept in memory; gauges read from the database at scrape time (closures by
 * state, worker lag) are added by the /metrics route.
 */

const BUCKETS_S = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

interface Series {
  labels: string;
  count: number;
  sum: number;
  buckets: number[];
}

function escapeLabel(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

export function labelString(labels: Record<string, string>): string {
  return Object.entries(labels)
    .map(([k, v]) => `${k}="${escapeLabel(v)}"`)
    .join(',');
}

export class HttpMetrics {
  private readonly series = new Map<string, Series>();

  /** Counts one response; `route` is the route pattern (never the raw URL: ids would explode the series). */
  observe(route: string, method: string, status: number, seconds: number): void {
    const labels = labelString({ route, method, status: String(status) });
    let s = this.series.get(labels);
    if (!s) {
      s = { labels, count: 0, sum: 0, buckets: BUCKETS_S.map(() => 0) };
      this.series.set(labels, s);
    }
    s.count += 1;
    s.sum += seconds;
    for (let i = 0; i < BUCKETS_S.length; i++) if (seconds <= BUCKETS_S[i]!) s.buckets[i]! += 1;
  }

  render(): string {
    const lines: string[] = [
      '# HELP offboard_http_requests_total HTTP requests answered, by route, method and status.',
      '# TYPE offboard_http_requests_total counter',
    ];
    for (const s of this.series.values())
      lines.push(`offboard_http_requests_total{${s.labels}} ${s.count}`);
    lines.push(
      '# HELP offboard_http_request_duration_seconds Time to answer HTTP requests, by route, method and status.',
    );
    lines.push('# TYPE offboard_http_request_duration_seconds histogram');
    for (const s of this.series.values()) {
      BUCKETS_S.forEach((le, i) =>
        lines.push(
          `offboard_http_request_duration_seconds_bucket{${s.labels},le="${le}"} ${s.buckets[i]}`,
        ),
      );
      lines.push(`offboard_http_request_duration_seconds_bucket{${s.labels},le="+Inf"} ${s.count}`);
      lines.push(`offboard_http_request_duration_seconds_sum{${s.labels}} ${s.sum}`);
      lines.push(`offboard_http_request_duration_seconds_count{${s.labels}} ${s.count}`);
    }
    return `${lines.join('\n')}\n`;
  }
}

export function gauge(
  name: string,
  help: string,
  values: readonly { labels?: Record<string, string>; value: number }[],
): string {
  const lines = [`# HELP ${name} ${help}`, `# TYPE ${name} gauge`];
  for (const v of values)
    lines.push(`${name}${v.labels ? `{${labelString(v.labels)}}` : ''} ${v.value}`);
  return `${lines.join('\n')}\n`;
}
