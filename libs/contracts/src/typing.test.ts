import { describe, expect, it } from 'vitest';
import { CONTENT_ROUTES, ContentSchema } from './content.js';
import { TYPING_DISPLAY_TIMEOUT_MS, TYPING_IDLE_MS, TYPING_STARTED_INTERVAL_MS } from './typing.js';

describe('typing content', () => {
  it('parses started and stopped, in a 1:1 chat or a group, and is routed', () => {
    const started = { type: 'typing', action: 'started', at: 1 } as const;
    expect(ContentSchema.parse(started)).toEqual(started);
    expect(ContentSchema.parse({ ...started, action: 'stopped', groupId: 'g-1' })).toEqual({ ...started, action: 'stopped', groupId: 'g-1' });
    expect(CONTENT_ROUTES.typing).toBe('content.typing');
  });

  it('refuses an unknown action, an empty group id and a missing time', () => {
    expect(ContentSchema.safeParse({ type: 'typing', action: 'paused', at: 1 }).success).toBe(false);
    expect(ContentSchema.safeParse({ type: 'typing', action: 'started', groupId: '', at: 1 }).success).toBe(false);
    expect(ContentSchema.safeParse({ type: 'typing', action: 'started' }).success).toBe(false);
  });

  it('a receiver waits for more than one missed repeat before it times someone out', () => {
    expect(TYPING_DISPLAY_TIMEOUT_MS).toBeGreaterThan(2 * TYPING_STARTED_INTERVAL_MS);
    expect(TYPING_IDLE_MS).toBeLessThan(TYPING_STARTED_INTERVAL_MS);
  });
});
