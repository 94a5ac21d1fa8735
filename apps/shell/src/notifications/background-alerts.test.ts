import { type CallState, IDLE_CALL_STATE } from '@parley/contracts';
import type { ConversationSummary, HistoryMessage } from '@parley/messenger';
import { beforeEach, describe, expect, it } from 'vitest';
import { type AlertNotification, BackgroundAlerts, type NotificationSurface, unreadTotal } from './background-alerts.js';
import { notificationMessagesFor } from './notification-messages.js';

/** A notification centre as the system keeps it: one notification per tag, a later one replaces it. */
class FakeSurface implements NotificationSurface {
  readonly shown = new Map<string, AlertNotification>();
  /** Every show, replacements included, in order. */
  readonly log: AlertNotification[] = [];
  show(notification: AlertNotification): void {
    this.shown.set(notification.tag, notification);
    this.log.push(notification);
  }
  close(tag: string): void {
    this.shown.delete(tag);
  }
}

const alice = { userId: 'u-alice', displayName: 'Alice Liddell' };
const ringing = (callId: string, media: 'audio' | 'video' = 'video'): CallState => ({ phase: 'incoming', callId, conversationId: alice.userId, media, peer: alice });
const phase = (callId: string, next: CallState['phase']): CallState => ({ ...ringing(callId), phase: next });

let sequence = 0;
function incoming(conversationId: string, body: string, fromUserId = alice.userId): HistoryMessage {
  sequence += 1;
  return { messageId: `m${sequence}`, conversationId, direction: 'in', from: { userId: fromUserId, deviceId: 1 }, body, sentAt: sequence, storedAt: sequence };
}
function direct(unread: number, last: HistoryMessage | null): ConversationSummary {
  return { conversationId: alice.userId, peer: { ...alice, handle: 'alice' }, lastMessage: last, unread };
}
function group(unread: number, last: HistoryMessage | null): ConversationSummary {
  return {
    conversationId: 'g-climbers',
    peer: { userId: 'g-climbers', displayName: 'Climbers', handle: '' },
    lastMessage: last,
    unread,
    kind: 'group',
    group: { groupId: 'g-climbers', name: 'Climbers', active: true, members: [{ userId: 'u-bob', handle: 'bob', displayName: 'Bob Dylan' }] },
  };
}

describe('BackgroundAlerts', () => {
  let surface: FakeSurface;
  let attended: boolean;
  let showText: boolean;
  let locale: string;
  let alerts: BackgroundAlerts;
  beforeEach(() => {
    surface = new FakeSurface();
    attended = false;
    showText = true;
    locale = 'en-US';
    alerts = new BackgroundAlerts({ surface, attended: () => attended, showMessageText: () => showText, texts: () => notificationMessagesFor(locale) });
  });

  describe('an incoming call', () => {
    it('rings in the background as one notification: caller, voice or video, tagged by the call, staying until acted on', () => {
      alerts.onCallState(ringing('c1', 'video'));
      alerts.onCallState(ringing('c1', 'video'));
      expect(surface.log).toEqual([
        { tag: 'call:c1', title: 'Alice Liddell is calling', body: 'Video call', requireInteraction: true, renotify: true, target: { kind: 'call', callId: 'c1' } },
      ]);
      alerts.onCallState(phase('c1', 'connecting'));
      alerts.onCallState(ringing('c2', 'audio'));
      expect([...surface.shown.values()].map((n) => [n.tag, n.body])).toEqual([['call:c2', 'Voice call']]);
    });

    it.each([
      ['answered here', phase('c1', 'connecting')],
      ['declined or ended', phase('c1', 'ended')],
      ['answered on another device (the call goes idle)', IDLE_CALL_STATE],
    ])('is closed once the call is %s', (_how, next) => {
      alerts.onCallState(ringing('c1'));
      expect(surface.shown.has('call:c1')).toBe(true);
      alerts.onCallState(next);
      expect(surface.shown.size).toBe(0);
    });

    it('shows nothing while someone looks at the tab: the ringing screen is there', () => {
      attended = true;
      alerts.onCallState(ringing('c1'));
      expect(surface.log).toEqual([]);
    });

    it('speaks Russian in a Russian page', () => {
      locale = 'ru-RU';
      alerts.onCallState(ringing('c1', 'audio'));
      expect(surface.shown.get('call:c1')).toMatchObject({ title: 'Alice Liddell звонит', body: 'Голосовой звонок' });
    });
  });

  describe('a group call\'s ring', () => {
    const ring = { callerName: 'Bob Dylan', groupName: 'Climbers', media: 'audio' as const };

    it('rings in the background like a 1:1 call, once, and goes once joined', () => {
      alerts.onGroupRing('g1', ring);
      alerts.onGroupRing('g1', ring);
      expect(surface.log).toEqual([
        { tag: 'call:g1', title: 'Bob Dylan is calling Climbers', body: 'Voice call', requireInteraction: true, renotify: true, target: { kind: 'call', callId: 'g1' } },
      ]);
      alerts.onPresentation('overlay');
      alerts.onCallState({ phase: 'connecting', callId: 'g1', conversationId: 'g-climbers', media: 'audio', peer: { userId: 'g-climbers', displayName: 'Climbers' } });
      expect(surface.shown.size).toBe(0);
    });

    it('goes once its dialog does (declined): the call app asks for no overlay any more', () => {
      alerts.onGroupRing('g1', ring);
      alerts.onPresentation('overlay');
      expect(surface.shown.has('call:g1')).toBe(true);
      alerts.onPresentation('none');
      expect(surface.shown.size).toBe(0);
    });

    it('rings nowhere during another call, nor while the tab is looked at', () => {
      alerts.onCallState(phase('c1', 'active'));
      alerts.onGroupRing('g1', ring);
      alerts.onCallState(IDLE_CALL_STATE);
      attended = true;
      alerts.onGroupRing('g2', ring);
      expect(surface.log).toEqual([]);
    });
  });

  describe('new messages', () => {
    it('what was unread when the page started is not announced again', () => {
      alerts.onConversations([direct(2, incoming('u-alice', 'from before'))]);
      expect(surface.log).toEqual([]);
    });

    it('one notification per conversation, "Sender: text", replaced (not piled up) as more arrive, then "3 new messages"', () => {
      alerts.onConversations([direct(0, null)]);
      alerts.onConversations([direct(1, incoming('u-alice', 'Tea at five?'))]);
      expect(surface.log[0]).toEqual({
        tag: 'conversation:u-alice',
        title: 'Alice Liddell',
        body: 'Alice Liddell: Tea at five?',
        requireInteraction: false,
        renotify: true,
        target: { kind: 'conversation', conversationId: 'u-alice' },
      });
      alerts.onConversations([direct(2, incoming('u-alice', 'Or six'))]);
      alerts.onConversations([direct(3, incoming('u-alice', 'Say yes'))]);
      expect(surface.shown.size).toBe(1);
      expect(surface.shown.get('conversation:u-alice')!.body).toBe('3 new messages\nAlice Liddell: Say yes');
    });

    it('with privacy chosen in Settings, only "New message" or the count, never the text', () => {
      showText = false;
      alerts.onConversations([]);
      alerts.onConversations([direct(1, incoming('u-alice', 'secret plans'))]);
      expect(surface.shown.get('conversation:u-alice')!.body).toBe('New message');
      alerts.onConversations([direct(3, incoming('u-alice', 'more secret plans'))]);
      expect(surface.shown.get('conversation:u-alice')!.body).toBe('3 new messages');
      locale = 'ru-RU';
      alerts.onConversations([direct(5, incoming('u-alice', 'тайна'))]);
      expect(surface.shown.get('conversation:u-alice')!.body).toBe('5 новых сообщений');
      expect(JSON.stringify(surface.log)).not.toContain('secret');
    });

    it('a group names the member who wrote, under the group\'s name', () => {
      alerts.onConversations([group(0, null)]);
      alerts.onConversations([group(1, incoming('g-climbers', 'Rope check', 'u-bob'))]);
      expect(surface.shown.get('conversation:g-climbers')).toMatchObject({ title: 'Climbers', body: 'Bob Dylan: Rope check' });
    });

    it('is closed when the conversation is read', () => {
      alerts.onConversations([direct(0, null), group(0, null)]);
      alerts.onConversations([direct(1, incoming('u-alice', 'hello')), group(1, incoming('g-climbers', 'hi', 'u-bob'))]);
      alerts.onConversations([direct(0, incoming('u-alice', 'hello')), group(1, incoming('g-climbers', 'hi', 'u-bob'))]);
      expect([...surface.shown.keys()]).toEqual(['conversation:g-climbers']);
    });

    it('nothing for own messages, fewer unread, or while the tab is looked at', () => {
      alerts.onConversations([direct(2, incoming('u-alice', 'a'))]);
      alerts.onConversations([direct(1, incoming('u-alice', 'a'))]);
      const mine: HistoryMessage = { ...incoming('u-alice', 'mine'), direction: 'out' };
      alerts.onConversations([direct(2, mine)]);
      attended = true;
      alerts.onConversations([direct(3, incoming('u-alice', 'seen in the tab'))]);
      expect(surface.log).toEqual([]);
    });
  });

  it('counts every unread message for the tab', () => {
    expect(unreadTotal([direct(2, null), group(3, null)])).toBe(5);
    expect(unreadTotal([])).toBe(0);
  });
});
