/**
 * The secrets of the call links this user made, on this device: the server never has them, so
 * without this book the creator could not show or copy a link again. Kept in the page's
 * localStorage (the shell's origin), per user; a lost book only means making a new link.
 */

/** The part of `Storage` the book needs (localStorage in the app, a Map in tests). */
export interface KeyValueStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}

/** One remembered link: its room id (as the server knows it) and its secret. */
export interface RememberedLink {
  readonly roomId: string;
  readonly secret: string;
}

export class CallLinkBook {
  private readonly key: string;

  constructor(
    private readonly storage: KeyValueStorage,
    userId: string,
  ) {
    this.key = `parley.call-links.${userId}`;
  }

  all(): RememberedLink[] {
    try {
      const parsed: unknown = JSON.parse(this.storage.getItem(this.key) ?? '[]');
      return Array.isArray(parsed) ? parsed.filter((e): e is RememberedLink => typeof e?.roomId === 'string' && typeof e?.secret === 'string') : [];
    } catch {
      return [];
    }
  }

  secretOf(roomId: string): string | null {
    return this.all().find((link) => link.roomId === roomId)?.secret ?? null;
  }

  remember(link: RememberedLink): void {
    this.write([...this.all().filter((l) => l.roomId !== link.roomId), link]);
  }

  forget(roomId: string): void {
    this.write(this.all().filter((l) => l.roomId !== roomId));
  }

  private write(links: RememberedLink[]): void {
    this.storage.setItem(this.key, JSON.stringify(links));
  }
}
