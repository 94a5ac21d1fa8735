/**
 * The longest text a message may carry: a leaf module, so content.ts and the content types it
 * imports (message actions, history transfer) share one number without an import cycle.
 */
export const CONTENT_MAX_TEXT_CHARS = 65_536;
