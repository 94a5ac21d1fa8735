/**
 * A private X display (Debian's `xvfb`) for a headful browser: headless Firefox cannot capture a
 * screen (`getDisplayMedia` rejects with NotFoundError, ENVIRONMENT.md), a headful one on Xvfb
 * shares the display's one screen without a picker.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { Readable } from 'node:stream';

/** Where Debian's `xvfb` puts the server. */
export const XVFB = '/usr/bin/Xvfb';

/** The screen's size: what a receiver of a shared screen decodes. */
export const SCREEN = { width: 1280, height: 720 } as const;

/** Null when Xvfb is here, else what is missing (for `skipWhenMissing`). */
export function xvfbMissing(): string | null {
  return existsSync(XVFB) ? null : `Xvfb is not installed at ${XVFB} (Debian package xvfb)`;
}

/** A running X server; `stop` ends it. */
export interface VirtualDisplay {
  /** The value for DISPLAY, e.g. `:99`. */
  readonly display: string;
  stop(): void;
}

/** Starts Xvfb on a display number it picks itself (free, whoever else runs one on this machine). */
export function startXvfb(): Promise<VirtualDisplay> {
  // -displayfd: the server writes the number it took to fd 3 once it accepts connections.
  const server: ChildProcess = spawn(XVFB, ['-displayfd', '3', '-screen', '0', `${SCREEN.width}x${SCREEN.height}x24`, '-nolisten', 'tcp'], {
    stdio: ['ignore', 'ignore', 'pipe', 'pipe'],
  });
  const errors: string[] = [];
  server.stderr!.on('data', (chunk: Buffer) => errors.push(chunk.toString()));
  return new Promise((resolve, reject) => {
    let number = '';
    const ready = server.stdio[3] as Readable;
    ready.on('data', (chunk: Buffer) => {
      number += chunk.toString();
      if (!number.includes('\n')) return;
      resolve({ display: `:${number.trim()}`, stop: () => void server.kill('SIGTERM') });
    });
    server.once('exit', (code) => reject(new Error(`Xvfb exited (${code}) before it was ready: ${errors.join('').trim()}`)));
    server.once('error', reject);
  });
}
