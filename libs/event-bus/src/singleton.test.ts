import { describe, expect, it, vi } from 'vitest';

describe('the page bus singleton', () => {
  it('counts module evaluations on globalThis so a duplicated copy is detectable', async () => {
    const first = await import('./singleton.js');
    expect(first.busEvaluations()).toBe(1);
    vi.resetModules();
    const second = await import('./singleton.js');
    // A second evaluation (what broken sharing would cause) shows in both copies' count.
    expect(second.busEvaluations()).toBe(2);
    expect(first.busEvaluations()).toBe(2);
    expect(second.bus).not.toBe(first.bus);
  });
});
