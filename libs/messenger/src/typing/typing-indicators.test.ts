import { ManualClock } from '@parley/clock/testing';
import { TYPING_DISPLAY_TIMEOUT_MS, TYPING_STALE_MS } from '@parley/contracts';
import { describe, expect, it } from 'vitest';
import { TypingIndicators } from './typing-indicators.js';

function indicators() {
  const clock = new ManualClock(5_000_000);
  const typing = new TypingIndicators(clock);
  const seen: (readonly string[])[] = [];
  typing.typing$('c1').subscribe((users) => seen.push(users));
  return { clock, typing, seen, now: () => clock.now() };
}

describe('TypingIndicators', () => {
  it('shows who started and hides them on "stopped"', () => {
    const { typing, seen, now } = indicators();
    typing.receive('c1', 'ada', 'started', now());
    typing.receive('c1', 'bob', 'started', now());
    typing.receive('c1', 'ada', 'stopped', now());
    expect(seen).toEqual([[], ['ada'], ['ada', 'bob'], ['bob']]);
  });

  it('times someone out when "stopped" never comes, unless a fresh "started" came', () => {
    const { clock, typing, seen, now } = indicators();
    typing.receive('c1', 'ada', 'started', now());
    clock.advance(TYPING_DISPLAY_TIMEOUT_MS - 1);
    typing.receive('c1', 'ada', 'started', now());
    clock.advance(TYPING_DISPLAY_TIMEOUT_MS - 1);
    expect(seen.at(-1)).toEqual(['ada']);
    clock.advance(1);
    expect(seen.at(-1)).toEqual([]);
  });

  it('ignores a stale indicator (queued while this device was offline)', () => {
    const { typing, seen, now } = indicators();
    expect(typing.receive('c1', 'ada', 'started', now() - TYPING_STALE_MS - 1)).toBe(false);
    expect(typing.receive('c1', 'ada', 'started', now() - TYPING_STALE_MS)).toBe(true);
    expect(seen).toEqual([[], ['ada']]);
  });

  it('a "stopped" for someone not shown and another conversation change nothing here', () => {
    const { typing, seen, now } = indicators();
    typing.receive('c1', 'ada', 'stopped', now());
    typing.receive('c2', 'bob', 'started', now());
    expect(seen).toEqual([[]]);
  });
});
