import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** One registry per process: default Node metrics plus Passerelle's own. */
export class MetricsRegistry {
  readonly registry = new Registry();
  readonly httpRequests: Counter<'method' | 'route' | 'status'>;
  readonly httpDuration: Histogram<'method' | 'route' | 'status'>;
  readonly eventsProcessed: Counter<'topic'>;
  readonly eventsDeadLettered: Counter<'topic'>;

  constructor(app: string) {
    this.registry.setDefaultLabels({ app });
    collectDefaultMetrics({ register: this.registry });
    this.httpRequests = new Counter({
      name: 'passerelle_http_requests_total',
      help: 'HTTP requests by route template and status',
      labelNames: ['method', 'route', 'status'],
      registers: [this.registry],
    });
    this.httpDuration = new Histogram({
      name: 'passerelle_http_request_duration_seconds',
      help: 'HTTP request latency by route template and status',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [this.registry],
    });
    this.eventsProcessed = new Counter({
      name: 'passerelle_events_processed_total',
      help: 'Events applied by this process, by source topic',
      labelNames: ['topic'],
      registers: [this.registry],
    });
    this.eventsDeadLettered = new Counter({
      name: 'passerelle_events_dead_lettered_total',
      help: 'Records sent to <topic>.dlq, by source topic',
      labelNames: ['topic'],
      registers: [this.registry],
    });
  }

  /** Route is the template (`/v1/referrals/:id`), never the concrete URL: ids stay out of metrics. */
  observeHttp(method: string, route: string, status: number, seconds: number): void {
    const labels = { method, route, status: String(status) };
    this.httpRequests.inc(labels);
    this.httpDuration.observe(labels, seconds);
  }
}
