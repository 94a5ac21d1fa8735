import { describe, expect, it } from 'vitest';
import { clickedTarget } from './notification-surface.js';

describe('the worker\'s click messages', () => {
  it('reads what was clicked: a call or a conversation', () => {
    expect(clickedTarget({ type: 'parley-notification-click', target: { kind: 'call', callId: 'c1' } })).toEqual({ kind: 'call', callId: 'c1' });
    expect(clickedTarget({ type: 'parley-notification-click', target: { kind: 'conversation', conversationId: 'u-a', extra: 1 } })).toEqual({
      kind: 'conversation',
      conversationId: 'u-a',
    });
  });

  it.each([null, 'parley-notification-click', { type: 'other', target: { kind: 'call', callId: 'c1' } }, { type: 'parley-notification-click', target: { kind: 'call' } }, { type: 'parley-notification-click' }])(
    'ignores anything else (%j)',
    (data) => expect(clickedTarget(data)).toBeNull(),
  );
});
