import { type CallPresentationMode, type CallState, type GroupRing, IDLE_CALL_STATE } from '@parley/contracts';
import type { ConversationSummary } from '@parley/messenger';
import { BehaviorSubject, Subject } from 'rxjs';
import { describe, expect, it } from 'vitest';
import type { AlertNotification, NotificationTarget } from './background-alerts.js';
import { startBackgroundNotifier } from './background-notifier.js';
import { notificationMessagesFor } from './notification-messages.js';

function harness() {
  const callState$ = new BehaviorSubject<CallState>(IDLE_CALL_STATE);
  const conversations$ = new Subject<readonly ConversationSummary[]>();
  const groupRings$ = new Subject<{ callId: string; ring: GroupRing }>();
  const presentation$ = new BehaviorSubject<CallPresentationMode>('none');
  const clicks = new Subject<NotificationTarget>();
  const shown: AlertNotification[] = [];
  const closed: string[] = [];
  const badges: number[] = [];
  const actions: string[] = [];
  const stop = startBackgroundNotifier({
    callState$,
    groupRings$,
    presentation$,
    conversations$,
    alerts: { surface: { show: (n) => void shown.push(n), close: (tag) => void closed.push(tag) }, attended: () => false, showMessageText: () => true, texts: () => notificationMessagesFor('en') },
    badge: { show: (unread) => void badges.push(unread) },
    clicks: (onClick) => {
      const subscription = clicks.subscribe(onClick);
      return () => subscription.unsubscribe();
    },
    focusPage: () => void actions.push('focus'),
    openConversation: (id) => void actions.push(`open ${id}`),
  });
  return { callState$, conversations$, groupRings$, presentation$, clicks, shown, closed, badges, actions, stop };
}

const summary = (unread: number): ConversationSummary => ({
  conversationId: 'u-alice',
  peer: { userId: 'u-alice', displayName: 'Alice', handle: 'alice' },
  unread,
  lastMessage: { messageId: `m${unread}`, conversationId: 'u-alice', direction: 'in', from: { userId: 'u-alice', deviceId: 1 }, body: 'hi', sentAt: 1, storedAt: 1 },
});

describe('startBackgroundNotifier', () => {
  it('turns call states and conversations into notifications and the tab\'s count', () => {
    const h = harness();
    h.callState$.next({ phase: 'incoming', callId: 'c1', conversationId: 'u-alice', media: 'audio', peer: { userId: 'u-alice', displayName: 'Alice' } });
    h.conversations$.next([summary(0)]);
    h.conversations$.next([summary(2)]);
    h.callState$.next(IDLE_CALL_STATE);
    h.groupRings$.next({
      callId: 'g1',
      ring: { kind: 'group-ring', groupId: 'g-c', groupName: 'Climbers', media: 'video', callerName: 'Bob', members: [] },
    });
    expect(h.shown.map((n) => n.tag)).toEqual(['call:c1', 'conversation:u-alice', 'call:g1']);
    expect(h.badges).toEqual([0, 2]);
  });

  it('a click focuses the tab; a message\'s click also opens its conversation, a call\'s leaves the ringing screen as it is', () => {
    const h = harness();
    h.clicks.next({ kind: 'call', callId: 'c1' });
    h.clicks.next({ kind: 'conversation', conversationId: 'u-alice' });
    expect(h.actions).toEqual(['focus', 'focus', 'open u-alice']);
  });

  it('closes what it showed and hears nothing once stopped (sign-out)', () => {
    const h = harness();
    h.conversations$.next([summary(0)]);
    h.conversations$.next([summary(1)]);
    h.callState$.next({ phase: 'incoming', callId: 'c1', conversationId: 'u-alice', media: 'audio', peer: { userId: 'u-alice', displayName: 'Alice' } });
    h.badges.length = 0;
    h.stop();
    expect(h.closed.sort()).toEqual(['call:c1', 'conversation:u-alice']);
    h.conversations$.next([summary(1)]);
    h.clicks.next({ kind: 'conversation', conversationId: 'u-alice' });
    expect([h.badges, h.actions]).toEqual([[], []]);
  });
});
