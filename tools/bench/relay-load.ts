/**
 * The relay benchmarks' load generator (tools/bench/relay.ts, relay-cluster.ts): clients on real
 * WebSockets keeping messages in flight (closed loop) or sending at a fixed rate (open loop), with
 * latency percentiles and the CPU the server processes used.
 */
import { readFileSync } from 'node:fs';
import { WebSocket } from 'ws';

/** Resolves after `ms`. */
export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** How many clients, how many messages each keeps in flight, and how long a run measures. */
export interface LoadShape {
  readonly clients: number;
  readonly window: number;
  readonly durationMs: number;
  readonly warmupMs: number;
}

/** CPU time a process used so far, in seconds (utime + stime, at 100 ticks per second). */
export function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** The p-th percentile of ascending `sorted`, or NaN of nothing. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/** Runs `count` tasks with at most `concurrency` at once. */
export async function pool(count: number, concurrency: number, task: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) await task(next++);
    }),
  );
}

/** A WebSocket to `url`, once open (no compression, as browsers' relay sockets). */
export function openSocket(url: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, { perMessageDeflate: false });
    socket.once('open', () => resolve(socket));
    socket.once('error', reject);
  });
}

/** What one closed-loop run measured. */
export interface LoadResult {
  messagesPerSecond: number;
  p50: number;
  p99: number;
  completed: number;
  /** Share of one core the server processes used while measured. */
  serverCpu: number;
  clientCpu: number;
}

/**
 * Closed-loop load: every client keeps WINDOW messages in flight; `send(i)` sends one from client
 * i and returns its key; `complete(key)` is called by the protocol handlers when it arrived.
 */
export class Load {
  private readonly sentAt = new Map<string, number>();
  latencies: number[] = [];
  completed = 0;
  measuring = false;
  stopped = false;
  /** Closed loop: a completed message makes its client send the next one. */
  closedLoop = true;

  constructor(
    private readonly send: (client: number) => string,
    /** The server processes whose CPU `run` reports. */
    private readonly serverPids: readonly number[],
    private readonly shape: LoadShape,
  ) {}

  start(): void {
    for (let client = 0; client < this.shape.clients; client++) for (let w = 0; w < this.shape.window; w++) this.sendFrom(client);
  }

  private sendFrom(client: number): void {
    if (this.stopped) return;
    this.sentAt.set(this.send(client), performance.now());
  }

  complete(key: string, client: number): void {
    const started = this.sentAt.get(key);
    if (started === undefined) return;
    this.sentAt.delete(key);
    if (this.measuring) {
      this.latencies.push(performance.now() - started);
      this.completed += 1;
    }
    if (this.closedLoop) this.sendFrom(client);
  }

  /**
   * Open loop at a fixed total rate, spread over the clients: latency at a load the server keeps
   * up with, rather than queueing delay at saturation.
   */
  async runPaced(perSecond: number, durationMs: number): Promise<{ p50: number; p99: number; completed: number }> {
    this.closedLoop = false;
    this.stopped = false;
    this.latencies = [];
    this.completed = 0;
    this.measuring = true;
    const tickMs = 10;
    let next = 0;
    let owed = 0;
    const timer = setInterval(() => {
      owed += (perSecond * tickMs) / 1000;
      for (; owed >= 1; owed -= 1) this.sendFrom(next++ % this.shape.clients);
    }, tickMs);
    await sleep(durationMs);
    clearInterval(timer);
    await sleep(500);
    this.measuring = false;
    this.stopped = true;
    const sorted = this.latencies.sort((a, b) => a - b);
    return { p50: percentile(sorted, 50), p99: percentile(sorted, 99), completed: this.completed };
  }

  private serverCpuSeconds(): number {
    return this.serverPids.reduce((sum, pid) => sum + cpuSeconds(pid), 0);
  }

  /** `window` hears when the measured window starts and ends (e.g. to read other processes' CPU). */
  async run(window?: { start(): void; end(): void }): Promise<LoadResult> {
    this.closedLoop = true;
    this.stopped = false;
    this.latencies = [];
    this.completed = 0;
    this.start();
    await sleep(this.shape.warmupMs);
    this.measuring = true;
    window?.start();
    const began = performance.now();
    const serverCpu = this.serverCpuSeconds();
    const clientCpu = process.cpuUsage();
    await sleep(this.shape.durationMs);
    this.measuring = false;
    window?.end();
    const elapsed = performance.now() - began;
    const serverShare = (this.serverCpuSeconds() - serverCpu) / (elapsed / 1000);
    const used = process.cpuUsage(clientCpu);
    const clientShare = (used.user + used.system) / 1000 / elapsed;
    this.stopped = true;
    await sleep(500);
    const sorted = this.latencies.sort((a, b) => a - b);
    return {
      messagesPerSecond: (this.completed / elapsed) * 1000,
      p50: percentile(sorted, 50),
      p99: percentile(sorted, 99),
      completed: this.completed,
      serverCpu: serverShare,
      clientCpu: clientShare,
    };
  }
}
