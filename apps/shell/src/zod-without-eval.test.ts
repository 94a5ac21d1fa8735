import { describe, expect, it, vi } from 'vitest';

describe('zod-without-eval', () => {
  it('makes zod parse without compiling code, set before zod is loaded', async () => {
    await import('./zod-without-eval.js');
    const { z } = await import('zod');
    expect(z.config().jitless).toBe(true);
    // Zod's eval probe calls the Function constructor; jitless, an object parse never does.
    const probe = vi.spyOn(globalThis, 'Function');
    expect(z.object({ a: z.string() }).parse({ a: 'x' })).toEqual({ a: 'x' });
    expect(probe).not.toHaveBeenCalled();
    probe.mockRestore();
  });
});
