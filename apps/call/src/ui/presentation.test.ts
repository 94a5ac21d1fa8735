import { describe, expect, it } from 'vitest';
import { type PresentationInput, presentationMode } from './presentation.js';

const idle: PresentationInput = { oneToOne: 'idle', groupOnScreen: false, groupRinging: false, minimised: false, linksOpen: false };

describe('presentationMode', () => {
  it('nothing on: no space', () => {
    expect(presentationMode(idle)).toBe('none');
  });

  it('a ring floats over the chat, 1:1 or group', () => {
    expect(presentationMode({ ...idle, oneToOne: 'incoming' })).toBe('overlay');
    expect(presentationMode({ ...idle, groupRinging: true })).toBe('overlay');
  });

  it('a call on screen takes the stage, from the first ring out to its summary', () => {
    for (const phase of ['outgoing', 'connecting', 'active', 'ended'] as const) expect(presentationMode({ ...idle, oneToOne: phase })).toBe('stage');
    expect(presentationMode({ ...idle, groupOnScreen: true })).toBe('stage');
  });

  it('a minimised call floats as a bar', () => {
    expect(presentationMode({ ...idle, oneToOne: 'active', minimised: true })).toBe('overlay');
    expect(presentationMode({ ...idle, groupOnScreen: true, minimised: true })).toBe('overlay');
  });

  it('the call-links dialog floats over the chat, and over a call without taking its stage away', () => {
    expect(presentationMode({ ...idle, linksOpen: true })).toBe('overlay');
    expect(presentationMode({ ...idle, oneToOne: 'active', linksOpen: true })).toBe('stage');
    expect(presentationMode({ ...idle, oneToOne: 'active', minimised: true, linksOpen: true })).toBe('overlay');
  });
});
