import { ManualClock } from '@parley/clock/testing';
import { TYPING_IDLE_MS, TYPING_STARTED_INTERVAL_MS } from '@parley/contracts';
import { describe, expect, it } from 'vitest';
import { TypingSender } from './typing-sender.js';

function sender() {
  const clock = new ManualClock(1_000_000);
  const sent: string[] = [];
  const typing = new TypingSender(clock, (conversationId, action) => sent.push(`${conversationId}:${action}`));
  return { clock, sent, typing };
}

describe('TypingSender', () => {
  it('says "started" once on the first keystroke, not on every one', () => {
    const { clock, sent, typing } = sender();
    typing.draftChanged('c1', 'h');
    clock.advance(500);
    typing.draftChanged('c1', 'he');
    clock.advance(500);
    typing.draftChanged('c1', 'hel');
    expect(sent).toEqual(['c1:started']);
  });

  it('repeats "started" at most every interval while the user keeps typing', () => {
    const { clock, sent, typing } = sender();
    // A keystroke every second for twelve seconds: never idle long enough to stop.
    for (let second = 0; second <= 12; second++) {
      typing.draftChanged('c1', 'x'.repeat(second + 1));
      clock.advance(1_000);
    }
    expect(sent.filter((s) => s === 'c1:started')).toHaveLength(Math.floor(13_000 / TYPING_STARTED_INTERVAL_MS) + 1);
    expect(sent).not.toContain('c1:stopped');
  });

  it('says "stopped" after the idle time without a keystroke, and "started" again on the next one', () => {
    const { clock, sent, typing } = sender();
    typing.draftChanged('c1', 'hello');
    clock.advance(TYPING_IDLE_MS - 1);
    expect(sent).toEqual(['c1:started']);
    clock.advance(1);
    expect(sent).toEqual(['c1:started', 'c1:stopped']);
    typing.draftChanged('c1', 'hello!');
    expect(sent).toEqual(['c1:started', 'c1:stopped', 'c1:started']);
  });

  it('says "stopped" at once when the draft is sent or cleared, and only once', () => {
    const { clock, sent, typing } = sender();
    typing.draftChanged('c1', 'hello');
    typing.draftChanged('c1', '');
    clock.advance(TYPING_IDLE_MS * 3);
    typing.draftChanged('c1', '   ');
    expect(sent).toEqual(['c1:started', 'c1:stopped']);
    expect(clock.pendingDelays()).toEqual([]);
  });

  it('keeps conversations apart, and stops all of them on stopAll', () => {
    const { sent, typing } = sender();
    typing.draftChanged('c1', 'a');
    typing.draftChanged('c2', 'b');
    typing.stopAll();
    expect(sent).toEqual(['c1:started', 'c2:started', 'c1:stopped', 'c2:stopped']);
  });
});
