import { EventBus } from '@parley/event-bus';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { ChatApp } from './ChatApp.js';

const remote = { session: { userId: 'dev-1', displayName: 'Me', temporary: true }, locale: 'en-US' };

describe('ChatApp', () => {
  it('shows no call buttons while the call app is not available', () => {
    const html = renderToStaticMarkup(<ChatApp bus={new EventBus()} remote={remote} />);
    expect(html).toContain('Ada Lovelace');
    expect(html).not.toContain('Voice call');
    expect(html).not.toContain('Video call');
  });

  it('shows both call buttons once call.available is true, in the chosen language', () => {
    const bus = new EventBus();
    bus.set('call.available', true);
    expect(renderToStaticMarkup(<ChatApp bus={bus} remote={remote} />)).toMatch(/Voice call.*Video call/);
    expect(renderToStaticMarkup(<ChatApp bus={bus} remote={{ ...remote, locale: 'ru-RU' }} />)).toMatch(/Аудиозвонок.*Видеозвонок/);
  });

  it('marks the conversation in a call and disables the buttons while one is on', () => {
    const bus = new EventBus();
    bus.set('call.available', true);
    bus.set('call.state', { phase: 'outgoing', callId: 'c', conversationId: 'placeholder', media: 'audio', peer: null });
    const html = renderToStaticMarkup(<ChatApp bus={bus} remote={remote} />);
    expect(html).toContain('data-testid="chat-in-call"');
    expect(html.match(/disabled=""/g)).toHaveLength(2);
  });
});
