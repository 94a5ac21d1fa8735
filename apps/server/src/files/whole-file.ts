/**
 * Files that processes sharing a data folder (nodes starting together, the release CLI) read while
 * another may be writing them: written beside their place and moved or linked in, so a reader sees
 * the old file, the new one, or none — never a part.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, linkSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/** Written beside `file`, under a name no other process uses. */
function staged(file: string, content: string, mode: number): string {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  const staging = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  writeFileSync(staging, content, { mode });
  // The mode given to writeFileSync is narrowed by the umask; this one is exact.
  chmodSync(staging, mode);
  return staging;
}

/** Replaces `file` with `content` whole. */
export function replaceFileWhole(file: string, content: string, mode = 0o644): void {
  renameSync(staged(file, content, mode), file);
}

/**
 * Creates `file` with `content` whole unless it exists (linked into place, never renamed over): of
 * processes creating it at once, the first wins and the others read its file. Returns whether this
 * call created it.
 */
export function createFileWhole(file: string, content: string, mode = 0o644): boolean {
  const staging = staged(file, content, mode);
  try {
    linkSync(staging, file);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  } finally {
    rmSync(staging, { force: true });
  }
}
