/**
 * A device's relay connection as group-call tests use it: sends `sfu` requests and awaits their
 * `sfu-result`, and collects `sfu-event` frames to await them by kind. Test helper only.
 */
import type { SfuAnswers, SfuEvent, SfuRequest } from '@parley/contracts';
import { WebSocket } from 'ws';

export interface SfuResult {
  ok: boolean;
  body?: Record<string, unknown>;
  code?: string;
  message?: string;
}

export class SfuTestDevice {
  private nextId = 1;
  private readonly pending = new Map<string, (result: SfuResult) => void>();
  readonly events: Array<{ callId: string; event: SfuEvent }> = [];
  private readonly eventWaiters: Array<() => void> = [];

  private constructor(readonly socket: WebSocket) {
    socket.on('message', (data) => {
      const frame = JSON.parse(String(data)) as { t: string; ref?: string; callId?: string; event?: SfuEvent } & SfuResult;
      if (frame.t === 'sfu-result' && frame.ref) {
        this.pending.get(frame.ref)?.(frame);
        this.pending.delete(frame.ref);
      } else if (frame.t === 'sfu-event' && frame.event && frame.callId) {
        this.events.push({ callId: frame.callId, event: frame.event });
        for (const waiter of this.eventWaiters.splice(0)) waiter();
      }
    });
  }

  /** Connects to `base` (http://…) and authenticates with `token`. */
  static async connect(base: string, token: string): Promise<SfuTestDevice> {
    const socket = new WebSocket(`${base.replace(/^http/, 'ws')}/ws`);
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
    });
    const ready = new Promise<void>((resolve, reject) => {
      socket.once('message', (data) => {
        const frame = JSON.parse(String(data)) as { t: string };
        if (frame.t === 'ready') resolve();
        else reject(new Error(`expected ready, got ${String(data)}`));
      });
    });
    const device = new SfuTestDevice(socket);
    socket.send(JSON.stringify({ t: 'auth', token }));
    await ready;
    return device;
  }

  /** Sends one request and resolves with its result (ok or not). */
  request(request: SfuRequest, timeoutMs = 10_000): Promise<SfuResult> {
    const id = `r${this.nextId++}`;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no sfu-result for ${request.op} within ${timeoutMs} ms`)), timeoutMs);
      this.pending.set(id, (result) => {
        clearTimeout(timer);
        resolve(result);
      });
      this.socket.send(JSON.stringify({ t: 'sfu', id, request }));
    });
  }

  /** Sends a request that must succeed and returns its typed answer. */
  async ok<Op extends SfuRequest['op']>(request: Extract<SfuRequest, { op: Op }>): Promise<SfuAnswers[Op]> {
    const result = await this.request(request);
    if (!result.ok) throw new Error(`${request.op} failed: ${result.code} ${result.message}`);
    return result.body as SfuAnswers[Op];
  }

  /** Waits for an event of this kind (already received ones count) and removes it from the list. */
  async event<K extends SfuEvent['kind']>(kind: K, timeoutMs = 10_000): Promise<Extract<SfuEvent, { kind: K }>> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const at = this.events.findIndex((entry) => entry.event.kind === kind);
      if (at >= 0) return this.events.splice(at, 1)[0]!.event as Extract<SfuEvent, { kind: K }>;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no ${kind} event within ${timeoutMs} ms (got ${this.events.map((e) => e.event.kind).join(', ') || 'none'})`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.eventWaiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  close(): void {
    this.socket.close();
  }
}
