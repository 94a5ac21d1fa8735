/**
 * This user's call links: create (the secret made here, only its room id and verifier sent to the
 * server, the name encrypted), list, copy, change approval, reset to a new secret, revoke.
 */
import { callLinkRegistration, callLinkUrl, decryptCallName, deriveCallLinkKeys, newCallLinkSecret } from '@parley/call-links';
import type { CallLink } from '@parley/contracts';
import type { CallLinkApi } from '@parley/messenger';
import { createSignal } from 'solid-js';
import type { CallLinkBook } from './link-book.js';

/** A link as the panel shows it. */
export interface CallLinkView {
  readonly roomId: string;
  /** Null when this device does not hold the secret (made on another device). */
  readonly url: string | null;
  readonly secret: string | null;
  readonly name: string;
  readonly approval: boolean;
  readonly expiresAt: number;
}

/** The link as shown; its name is decrypted only when the caller does not know it already. */
async function viewOf(link: CallLink, secret: string | null, shellOrigin: string, knownName?: string): Promise<CallLinkView> {
  let name = knownName ?? '';
  if (knownName === undefined && secret && link.encryptedName) name = (await decryptCallName(await deriveCallLinkKeys(secret), link.encryptedName)) ?? '';
  return { roomId: link.roomId, url: secret ? callLinkUrl(shellOrigin, secret) : null, secret, name, approval: link.approval, expiresAt: link.expiresAt };
}

export function createCallLinksStore(api: CallLinkApi, book: CallLinkBook, shellOrigin: string) {
  const [links, setLinks] = createSignal<readonly CallLinkView[]>([]);
  const [error, setError] = createSignal<string | null>(null);

  async function attempt<T>(task: () => Promise<T>): Promise<T | undefined> {
    setError(null);
    try {
      return await task();
    } catch (failure) {
      setError((failure as { code?: string }).code ?? (failure instanceof Error ? failure.message : String(failure)));
      return undefined;
    }
  }

  async function refresh(): Promise<void> {
    await attempt(async () => {
      const list = await api.list();
      setLinks(await Promise.all(list.map((link) => viewOf(link, book.secretOf(link.roomId), shellOrigin))));
    });
  }

  return {
    get links() {
      return links();
    },
    get error() {
      return error();
    },
    refresh,
    /** Makes a link; resolves to it (its URL carries the secret). */
    async create(name: string, approval: boolean): Promise<CallLinkView | undefined> {
      return attempt(async () => {
        const secret = newCallLinkSecret();
        const keys = await deriveCallLinkKeys(secret);
        const created = await api.create({ ...(await callLinkRegistration(keys, name)), approval });
        book.remember({ roomId: created.roomId, secret });
        const view = await viewOf(created, secret, shellOrigin, name.trim());
        setLinks([view, ...links().filter((l) => l.roomId !== view.roomId)]);
        return view;
      });
    },
    async setApproval(roomId: string, approval: boolean): Promise<void> {
      await attempt(async () => {
        const updated = await api.update(roomId, { approval });
        const view = await viewOf(updated, book.secretOf(roomId), shellOrigin, links().find((l) => l.roomId === roomId)?.name);
        setLinks(links().map((l) => (l.roomId === roomId ? view : l)));
      });
    },
    /** A new secret for the link: the old URL stops working. */
    async reset(roomId: string, name: string): Promise<void> {
      await attempt(async () => {
        const secret = newCallLinkSecret();
        const keys = await deriveCallLinkKeys(secret);
        const moved = await api.reset(roomId, await callLinkRegistration(keys, name));
        book.forget(roomId);
        book.remember({ roomId: moved.roomId, secret });
        const view = await viewOf(moved, secret, shellOrigin, name.trim());
        setLinks(links().map((l) => (l.roomId === roomId ? view : l)));
      });
    },
    async revoke(roomId: string): Promise<void> {
      await attempt(async () => {
        await api.revoke(roomId);
        book.forget(roomId);
        setLinks(links().filter((l) => l.roomId !== roomId));
      });
    },
  };
}

export type CallLinksStore = ReturnType<typeof createCallLinksStore>;
