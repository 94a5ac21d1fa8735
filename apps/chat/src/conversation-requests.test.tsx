// @vitest-environment happy-dom
import { reactTestRoot } from '@parley/bus-react/testing';
import { EventBus } from '@parley/event-bus';
import { act } from 'react';
import { describe, expect, it } from 'vitest';
import { useConversationRequests } from './conversation-requests.js';

const dom = reactTestRoot();

function Opener({ bus, opened }: { bus: EventBus; opened: string[] }) {
  useConversationRequests(bus, (id) => opened.push(id));
  return null;
}

describe('useConversationRequests', () => {
  it('opens each conversation asked for on the bus (a notification\'s click), and stops listening when unmounted', () => {
    const bus = new EventBus();
    const opened: string[] = [];
    act(() => dom.root.render(<Opener bus={bus} opened={opened} />));
    act(() => bus.publish('chat.conversation-requested', { conversationId: 'u-alice' }));
    expect(opened).toEqual(['u-alice']);
    act(() => dom.root.render(null));
    bus.publish('chat.conversation-requested', { conversationId: 'u-bob' });
    expect(opened).toEqual(['u-alice']);
  });
});
