/**
 * Scheduled calls (issue 9) as plain values and rules: when Join works, which revision wins, and
 * a clock-driven reminder at the start. No I/O here; {@link ScheduledCalls} keeps and sends them.
 */
import { type Clock, schedule } from '@parley/clock';
import type { ScheduledCallContent } from '@parley/contracts';

/** Join works from this long before the start until the end. */
export const JOIN_EARLY_MS = 5 * 60 * 1000;

/**
 * A scheduled call as this device keeps it: the organizer's content without its type, with
 * `conversationId` as this device names the conversation (a 1:1 invitee's is the organizer's id).
 */
export type ScheduledCall = Omit<ScheduledCallContent, 'type'>;

/** What the organizer enters: the rest (ids, link, revision) is made by the messenger. */
export interface ScheduledCallDraft {
  readonly title: string;
  readonly description: string;
  /** ms since the epoch, UTC. */
  readonly startsAt: number;
  readonly endsAt: number;
  /** The organizer's IANA time zone, in which the times were entered. */
  readonly timeZone: string;
}

/** When Join starts and stops working. */
export function joinWindow(call: Pick<ScheduledCall, 'startsAt' | 'endsAt'>): { readonly opensAt: number; readonly closesAt: number } {
  return { opensAt: call.startsAt - JOIN_EARLY_MS, closesAt: call.endsAt };
}

/** Whether Join works at `now`: a call not cancelled, from JOIN_EARLY_MS before its start until its end. */
export function canJoin(call: Pick<ScheduledCall, 'startsAt' | 'endsAt' | 'status'>, now: number): boolean {
  const { opensAt, closesAt } = joinWindow(call);
  return call.status === 'scheduled' && now >= opensAt && now < closesAt;
}

/**
 * Whether `incoming` replaces `known` (the same schedule id): only its organizer revises it, a
 * higher revision wins, and a cancellation is final.
 */
export function supersedes(incoming: Pick<ScheduledCall, 'organizer' | 'revision'>, known: ScheduledCall | undefined): boolean {
  if (known === undefined) return true;
  if (known.organizer.userId !== incoming.organizer.userId) return false;
  if (known.status === 'cancelled') return false;
  return incoming.revision > known.revision;
}

/** Soonest first; cancelled and finished ones after those still to come. */
export function byStart(now: number): (a: ScheduledCall, b: ScheduledCall) => number {
  const over = (call: ScheduledCall) => (call.status === 'cancelled' || call.endsAt <= now ? 1 : 0);
  return (a, b) => over(a) - over(b) || a.startsAt - b.startsAt || a.scheduleId.localeCompare(b.scheduleId);
}

/** setTimeout's longest delay (2^31 - 1 ms, about 24.8 days): a longer one fires at once. */
export const MAX_TIMER_MS = 2_147_483_647;

/**
 * Runs `run` once at the instant `at` on `clock` (at once when it is past), re-arming in steps of
 * at most MAX_TIMER_MS so a call a month ahead is not reminded now. Returns the cancel function.
 */
export function runAt(clock: Clock, at: number, run: () => void): () => void {
  let cancel = () => {};
  const arm = () => {
    const delay = at - clock.now();
    if (delay <= 0) {
      run();
      return;
    }
    cancel = schedule(clock, Math.min(delay, MAX_TIMER_MS), arm);
  };
  arm();
  return () => cancel();
}

/** A reminder that fell due: the call as it was at its start. */
export interface ScheduledCallReminder {
  readonly call: ScheduledCall;
  /** When it fired, on the clock. */
  readonly at: number;
}

/**
 * Reminds once at each scheduled call's start (of its latest revision): give it the current list
 * with {@link update} whenever it changes. A call moved to a new start is reminded at the new one;
 * a cancelled one is not. A call already running when it is first seen (a reload after the start)
 * is reminded at once; one over, never.
 */
export class ScheduledCallReminders {
  private readonly timers = new Map<string, { readonly startsAt: number; readonly cancel: () => void }>();
  private readonly reminded = new Set<string>();
  private closed = false;

  constructor(
    private readonly clock: Clock,
    private readonly onReminder: (reminder: ScheduledCallReminder) => void,
  ) {}

  /** The calls this device knows now (every conversation's). */
  update(calls: readonly ScheduledCall[]): void {
    if (this.closed) return;
    const wanted = new Map<string, ScheduledCall>();
    for (const call of calls) {
      if (call.status === 'scheduled' && call.endsAt > this.clock.now() && !this.reminded.has(reminderKey(call))) wanted.set(call.scheduleId, call);
    }
    for (const [scheduleId, timer] of this.timers) {
      const call = wanted.get(scheduleId);
      if (call === undefined || call.startsAt !== timer.startsAt) {
        timer.cancel();
        this.timers.delete(scheduleId);
      }
    }
    for (const call of wanted.values()) {
      if (this.timers.has(call.scheduleId)) continue;
      // Registered before arming: a call already started fires synchronously inside runAt.
      const timer = { startsAt: call.startsAt, cancel: () => {} };
      this.timers.set(call.scheduleId, timer);
      timer.cancel = runAt(this.clock, call.startsAt, () => this.fire(call));
    }
  }

  /** Cancels every timer. */
  close(): void {
    this.closed = true;
    for (const timer of this.timers.values()) timer.cancel();
    this.timers.clear();
  }

  private fire(call: ScheduledCall): void {
    this.timers.delete(call.scheduleId);
    if (this.closed) return;
    this.reminded.add(reminderKey(call));
    this.onReminder({ call, at: this.clock.now() });
  }
}

/** One reminder per schedule and start time: an edit that moves the start reminds again. */
function reminderKey(call: ScheduledCall): string {
  return `${call.scheduleId}@${call.startsAt}`;
}
