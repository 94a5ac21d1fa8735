import { describe, expect, it } from 'vitest';
import { byStart, canJoin, JOIN_EARLY_MS, MAX_TIMER_MS, runAt, type ScheduledCallReminder, ScheduledCallReminders, supersedes } from './scheduled-call.js';
import { ManualClock } from '@parley/clock/testing';
import { exampleScheduledCall } from './testing/index.js';

const MINUTE = 60_000;
const T0 = Date.UTC(2026, 11, 1, 15, 0);

/** The example call (Ada's, starting at T0, an hour long), with `overrides`. */
const call = exampleScheduledCall;

describe('the join window', () => {
  it('opens five minutes before the start and closes at the end', () => {
    expect(JOIN_EARLY_MS).toBe(5 * MINUTE);
    expect(canJoin(call(), T0 - 5 * MINUTE - 1)).toBe(false);
    expect(canJoin(call(), T0 - 5 * MINUTE)).toBe(true);
    expect(canJoin(call(), T0 + 30 * MINUTE)).toBe(true);
    expect(canJoin(call(), T0 + 60 * MINUTE - 1)).toBe(true);
    expect(canJoin(call(), T0 + 60 * MINUTE)).toBe(false);
  });

  it('never opens for a cancelled call', () => {
    expect(canJoin(call({ status: 'cancelled' }), T0)).toBe(false);
  });
});

describe('revisions', () => {
  it('a higher revision from the organizer replaces the one kept; an older or equal one does not', () => {
    const known = call({ revision: 2 });
    expect(supersedes(call({ revision: 3 }), known)).toBe(true);
    expect(supersedes(call({ revision: 2 }), known)).toBe(false);
    expect(supersedes(call({ revision: 1 }), known)).toBe(false);
    expect(supersedes(call(), undefined)).toBe(true);
  });

  it('someone else cannot revise a call under its id, and a cancellation is final', () => {
    expect(supersedes(call({ revision: 9, organizer: { userId: 'u-eve', displayName: 'Ada' } }), call())).toBe(false);
    expect(supersedes(call({ revision: 3 }), call({ revision: 2, status: 'cancelled' }))).toBe(false);
  });

  it('lists calls still to come first, soonest first', () => {
    const now = T0 + 2 * 60 * MINUTE;
    const past = call({ scheduleId: 'past' });
    const later = call({ scheduleId: 'later', startsAt: now + 60 * MINUTE, endsAt: now + 120 * MINUTE });
    const soon = call({ scheduleId: 'soon', startsAt: now + MINUTE, endsAt: now + 30 * MINUTE });
    const cancelled = call({ scheduleId: 'cancelled', startsAt: now + 2 * MINUTE, endsAt: now + 30 * MINUTE, status: 'cancelled' });
    expect([past, later, cancelled, soon].sort(byStart(now)).map((c) => c.scheduleId)).toEqual(['soon', 'later', 'past', 'cancelled']);
  });
});

describe('reminders (on an injected clock)', () => {
  function setUp(start: number) {
    const clock = new ManualClock(start);
    const fired: ScheduledCallReminder[] = [];
    const reminders = new ScheduledCallReminders(clock, (reminder) => fired.push(reminder));
    return { clock, fired, reminders };
  }

  it('fires once, at the start, with the call', () => {
    const { clock, fired, reminders } = setUp(T0 - 10 * MINUTE);
    reminders.update([call()]);
    clock.advance(10 * MINUTE - 1);
    expect(fired).toEqual([]);
    clock.advance(1);
    expect(fired).toEqual([{ call: call(), at: T0 }]);
    reminders.update([call()]);
    clock.advance(30 * MINUTE);
    expect(fired).toHaveLength(1);
  });

  it('follows an edit to the new start, and a cancellation stops it', () => {
    const { clock, fired, reminders } = setUp(T0 - 10 * MINUTE);
    reminders.update([call()]);
    const moved = call({ revision: 2, startsAt: T0 + 20 * MINUTE, endsAt: T0 + 40 * MINUTE });
    reminders.update([moved]);
    clock.advance(10 * MINUTE);
    expect(fired).toEqual([]);
    clock.advance(20 * MINUTE);
    expect(fired.map((r) => [r.call.revision, r.at])).toEqual([[2, T0 + 20 * MINUTE]]);

    const other = call({ scheduleId: 's-2', startsAt: clock.now() + MINUTE, endsAt: clock.now() + 2 * MINUTE });
    reminders.update([moved, other]);
    reminders.update([moved, { ...other, status: 'cancelled', revision: 2 }]);
    clock.advance(5 * MINUTE);
    expect(fired).toHaveLength(1);
    expect(clock.pendingDelays()).toEqual([]);
  });

  it('reminds at once of a call already running (a reload after its start), never of one over', () => {
    const { fired, reminders } = setUp(T0 + 10 * MINUTE);
    reminders.update([call(), call({ scheduleId: 'over', startsAt: T0 - 120 * MINUTE, endsAt: T0 - 60 * MINUTE })]);
    expect(fired.map((r) => r.call.scheduleId)).toEqual(['s-1']);
  });

  it('close() cancels every timer', () => {
    const { clock, fired, reminders } = setUp(T0 - MINUTE);
    reminders.update([call()]);
    reminders.close();
    clock.advance(2 * MINUTE);
    expect(fired).toEqual([]);
    expect(clock.pendingDelays()).toEqual([]);
  });

  it('a call a month ahead is not reminded early (setTimeout overflows past 2^31 - 1 ms)', () => {
    const clock = new ManualClock(T0);
    const at = T0 + 40 * 24 * 60 * MINUTE;
    const ran: number[] = [];
    runAt(clock, at, () => ran.push(clock.now()));
    clock.advance(MAX_TIMER_MS);
    expect(ran).toEqual([]);
    clock.advance(at - clock.now());
    expect(ran).toEqual([at]);
  });
});
