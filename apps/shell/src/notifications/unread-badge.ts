/**
 * The tab carries the unread count: "(3) Parley" in the title and a badge on the icon, as
 * WhatsApp Web does. The badged icon is an SVG made here and handed to the page as a blob: URL
 * (the shell's CSP allows blob: images, not data: ones).
 */

/** The title with the unread count in front, or the title alone when nothing is unread. */
export function titleWithUnread(title: string, unread: number): string {
  return unread > 0 ? `(${badgeText(unread)}) ${title}` : title;
}

/** What the badge says: the count, or "99+" beyond. */
export function badgeText(unread: number): string {
  return unread > 99 ? '99+' : String(unread);
}

/** The shell's icon (public/favicon.svg) with a red badge holding the count in its top right corner. */
export function badgedIconSvg(unread: number): string {
  const text = badgeText(unread);
  const fontSize = text.length > 2 ? 9 : text.length > 1 ? 11 : 13;
  return (
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32">' +
    '<rect width="32" height="32" rx="8" fill="#00705a"/>' +
    '<path d="M16 7c-5.5 0-10 3.8-10 8.5 0 2.4 1.2 4.6 3.1 6.1L8 26l4.9-2.3c1 .3 2 .4 3.1.4 5.5 0 10-3.8 10-8.6S21.5 7 16 7z" fill="#fff"/>' +
    '<circle cx="23" cy="9" r="9" fill="#d92d20"/>' +
    `<text x="23" y="9" dy="0.35em" text-anchor="middle" font-family="sans-serif" font-weight="700" font-size="${fontSize}" fill="#fff">${text}</text>` +
    '</svg>'
  );
}

/** How the badge makes and drops object URLs (URL.createObjectURL in the browser). */
export interface ObjectUrls {
  create(svg: string): string;
  revoke(url: string): void;
}

const browserObjectUrls: ObjectUrls = {
  create: (svg) => URL.createObjectURL(new Blob([svg], { type: 'image/svg+xml' })),
  revoke: (url) => URL.revokeObjectURL(url),
};

/** Puts an unread count on a document's title and icons; `show(0)` gives them back as they were. */
export class UnreadBadge {
  private readonly title: string;
  /** Each icon link with the address and type it had. */
  private readonly icons: ReadonlyArray<{ link: HTMLLinkElement; href: string; type: string }>;
  private url: string | null = null;
  private shown = 0;

  constructor(
    private readonly document: Document,
    private readonly urls: ObjectUrls = browserObjectUrls,
  ) {
    this.title = document.title;
    this.icons = [...document.querySelectorAll<HTMLLinkElement>('link[rel~="icon"]')].map((link) => ({
      link,
      href: link.getAttribute('href') ?? '',
      type: link.getAttribute('type') ?? '',
    }));
  }

  show(unread: number): void {
    if (unread === this.shown) return;
    this.shown = unread;
    this.document.title = titleWithUnread(this.title, unread);
    const previous = this.url;
    this.url = unread > 0 ? this.urls.create(badgedIconSvg(unread)) : null;
    // Every icon link: the browser picks one of them by its own rules, and it must be the badged one.
    for (const { link, href, type } of this.icons) {
      link.setAttribute('href', this.url ?? href);
      if (this.url) link.setAttribute('type', 'image/svg+xml');
      else if (type) link.setAttribute('type', type);
      else link.removeAttribute('type');
    }
    if (previous) this.urls.revoke(previous);
  }

  /** Back to the page's own title and icons. */
  dispose(): void {
    this.show(0);
  }
}
