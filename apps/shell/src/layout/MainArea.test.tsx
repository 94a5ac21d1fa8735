// @vitest-environment happy-dom
import { reactTestRoot } from '@parley/bus-react/testing';
import { act } from 'react';
import { describe, expect, it } from 'vitest';
import { messagesFor } from '../messages.js';
import { MainArea } from './MainArea.js';
import type { ShellLayout } from './shell-layout.js';

const dom = reactTestRoot();
const t = messagesFor('en-US');

function render(layout: ShellLayout, split = 35, onSplit: (percent: number) => void = () => {}) {
  act(() => dom.root.render(<MainArea t={t} layout={layout} chat={<p>chat</p>} call={<p>call</p>} split={split} onSplit={onSplit} />));
}

describe('MainArea', () => {
  it('keeps the call slot mounted in every layout, and the chat in all but a guest’s', () => {
    for (const layout of ['chat', 'stage', 'split', 'column'] as const) {
      render(layout);
      expect(dom.container.querySelector('.shell__call')!.textContent, layout).toBe('call');
      expect(dom.container.querySelector('.shell__chat')!.textContent, layout).toBe('chat');
      expect(dom.container.querySelector('[data-layout]')!.getAttribute('data-layout')).toBe(layout);
    }
    render('call-only');
    expect(dom.container.querySelector('.shell__chat')).toBeNull();
    expect(dom.container.querySelector('.shell__call')!.textContent).toBe('call');
  });

  it('has a keyboard-operable separator only side by side', () => {
    const moves: number[] = [];
    render('stage');
    expect(dom.container.querySelector('[role="separator"]')).toBeNull();
    render('split', 35, (percent) => moves.push(percent));
    const separator = dom.container.querySelector<HTMLElement>('[role="separator"]')!;
    expect(separator.getAttribute('aria-label')).toBe('Resize the chat and the call');
    expect(separator.getAttribute('aria-valuenow')).toBe('35');
    expect(separator.tabIndex).toBe(0);
    for (const key of ['ArrowRight', 'ArrowLeft', 'End', 'Home', 'x']) {
      act(() => separator.dispatchEvent(new KeyboardEvent('keydown', { key, bubbles: true })));
    }
    expect(moves).toEqual([40, 30, 70, 20]);
  });
});
