/**
 * What an operator watches, in Prometheus's text format (version 0.0.4), served on its own listener
 * (PARLEY_METRICS_PORT, on the server's loopback host): never on a public origin, since counts of
 * devices and calls say something about the people using the server. Counters only count, gauges
 * are read from their owners when scraped; nothing here holds a user, a handle or an address.
 */
import { type Server, createServer } from 'node:http';

/** The live values a scrape reads from the server's parts. */
export interface MetricSources {
  /** Devices with an authenticated relay connection. */
  connectedDevices(): number;
  /** Relay WebSockets open, authenticated or not. */
  openSockets(): number;
  /** Envelopes waiting in device queues. */
  queueDepth(): Promise<number>;
  /** Group calls live on this server and their participants. */
  groupCalls(): { calls: number; participants: number };
  /** Group-call rooms per Janus instance. */
  janusRooms(): ReadonlyArray<{ instance: string; rooms: number }>;
  /** Requests refused by each rate limit since the start. */
  rateLimitRefusals(): Readonly<Record<string, number>>;
}

/** The server's own counters plus its sources, rendered on demand. */
export class ServerMetrics {
  /** Envelopes committed to device queues (one per recipient device): rate() gives messages/s. */
  relayMessages = 0;
  /** Answers with a 5xx status, by origin. */
  readonly errors = new Map<string, number>();
  private readonly startedAt = Date.now();

  constructor(private readonly sources: MetricSources) {}

  /** Counts one 5xx answer of `origin`. */
  countError(origin: string): void {
    this.errors.set(origin, (this.errors.get(origin) ?? 0) + 1);
  }

  /** The metrics in Prometheus's text exposition format. */
  async exposition(): Promise<string> {
    const out: string[] = [];
    const metric = (name: string, type: 'counter' | 'gauge', help: string, samples: ReadonlyArray<[labels: Record<string, string>, value: number]>) => {
      out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
      for (const [labels, value] of samples) {
        const rendered = Object.entries(labels).map(([key, label]) => `${key}="${label.replace(/["\\\n]/g, (c) => (c === '\n' ? '\\n' : `\\${c}`))}"`);
        out.push(`${name}${rendered.length > 0 ? `{${rendered.join(',')}}` : ''} ${value}`);
      }
    };
    const calls = this.sources.groupCalls();
    metric('parley_connected_devices', 'gauge', 'Devices with an authenticated relay connection.', [[{}, this.sources.connectedDevices()]]);
    metric('parley_relay_sockets', 'gauge', 'Relay WebSockets open, authenticated or not.', [[{}, this.sources.openSockets()]]);
    metric('parley_relay_messages_total', 'counter', 'Envelopes committed to device queues (rate() gives relay messages per second).', [[{}, this.relayMessages]]);
    metric('parley_relay_queue_depth', 'gauge', 'Envelopes waiting in device queues for their device.', [[{}, await this.sources.queueDepth()]]);
    metric('parley_group_calls', 'gauge', 'Group calls live on this server.', [[{}, calls.calls]]);
    metric('parley_group_call_participants', 'gauge', 'Participants of the live group calls.', [[{}, calls.participants]]);
    metric('parley_janus_rooms', 'gauge', 'Group-call rooms per Janus instance.', this.sources.janusRooms().map(({ instance, rooms }) => [{ instance }, rooms]));
    metric(
      'parley_rate_limit_refusals_total',
      'counter',
      'Requests and frames refused by a rate limit.',
      Object.entries(this.sources.rateLimitRefusals()).map(([limit, count]) => [{ limit }, count]),
    );
    metric('parley_http_errors_total', 'counter', 'Answers with a 5xx status.', [...this.errors].map(([origin, count]) => [{ origin }, count]));
    metric('parley_process_resident_memory_bytes', 'gauge', 'Resident memory of the server process.', [[{}, process.memoryUsage.rss()]]);
    metric('parley_process_uptime_seconds', 'gauge', 'Seconds since the server started.', [[{}, Math.round((Date.now() - this.startedAt) / 1000)]]);
    return `${out.join('\n')}\n`;
  }
}

/** The metrics listener: `GET /metrics` and nothing else. */
export function metricsListener(metrics: ServerMetrics): Server {
  return createServer((request, response) => {
    if (request.method !== 'GET' || request.url?.split('?')[0] !== '/metrics') {
      response.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('Only /metrics here.\n');
      return;
    }
    metrics.exposition().then(
      (text) => response.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8', 'cache-control': 'no-store' }).end(text),
      () => response.writeHead(500).end(),
    );
  });
}
