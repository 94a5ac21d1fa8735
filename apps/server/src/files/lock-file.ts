/**
 * An exclusive lock between processes that share a folder (on one machine, or a shared volume):
 * the file exists while someone holds it, created with O_EXCL so exactly one creator wins. It
 * names its holder (host, pid), so a holder that died on this machine is recognised at once; one
 * that died elsewhere is recognised by the file's age. SQLite's stores use it where PostgreSQL's
 * take an advisory lock.
 */
import { randomUUID } from 'node:crypto';
import { linkSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';

/** How often a waiting process tries again. */
const RETRY_MS = 25;
/** A lock file this old is taken to be left by a holder that died on another machine. */
export const ABANDONED_AFTER_MS = 10 * 60_000;

/** Runs `work` while holding the lock `file`, waiting for other holders to finish first. */
export async function holdLockFile<T>(file: string, work: () => Promise<T>): Promise<T> {
  const token = `${hostname()} ${process.pid} ${randomUUID()}`;
  while (!tryCreate(file, token)) {
    const abandoned = abandonedHolder(file);
    if (abandoned !== null) removeAbandoned(file, abandoned);
    else await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
  }
  try {
    return await work();
  } finally {
    // Only our own: had it been judged abandoned and taken over, the file is someone else's now.
    if (read(file) === token) unlinkSync(file);
  }
}

function tryCreate(file: string, token: string): boolean {
  try {
    writeFileSync(file, token, { flag: 'wx', mode: 0o600 });
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
}

function read(file: string): string | null {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return null;
  }
}

/**
 * The lock's content when its holder is gone (a dead process on this machine, or a file past
 * ABANDONED_AFTER_MS), else null.
 */
function abandonedHolder(file: string): string | null {
  const content = read(file);
  if (content === null) return null; // Released meanwhile: the next try takes it.
  const [host, pid] = content.split(' ');
  if (host === hostname() && pid && /^\d+$/.test(pid) && !isAlive(Number(pid))) return content;
  try {
    return Date.now() - statSync(file).mtimeMs > ABANDONED_AFTER_MS ? content : null;
  } catch {
    return null;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists, under another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Moved aside, then deleted only if it is the lock judged abandoned: of two waiters that judged it
 * so, the second may move aside the lock the first has taken since, and puts it back.
 */
function removeAbandoned(file: string, judged: string): void {
  const aside = `${file}.abandoned-${randomUUID()}`;
  try {
    renameSync(file, aside);
  } catch {
    return; // Another waiter moved it first.
  }
  if (read(aside) !== judged) {
    try {
      linkSync(aside, file);
    } catch {
      // A third holder took the free name meanwhile: it holds the lock now.
    }
  }
  unlinkSync(aside);
}
