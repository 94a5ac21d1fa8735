/**
 * An image's thumbnail and size, made in the browser (DOM: createImageBitmap and a canvas), so
 * it lives in the chat app: a small JPEG that travels inside the encrypted message, shown while
 * the full photo downloads.
 */

/** Longest side of a thumbnail, in pixels. */
const THUMBNAIL_EDGE = 160;

/** The thumbnail (a JPEG data URL) and size of an image file, or nothing when the browser cannot decode it. */
export async function describeImage(file: Blob): Promise<{ thumbnail?: string; width: number; height: number } | null> {
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(file);
  } catch {
    return null;
  }
  try {
    const { width, height } = bitmap;
    const scale = Math.min(1, THUMBNAIL_EDGE / Math.max(width, height));
    const canvas = document.createElement('canvas');
    canvas.width = Math.max(1, Math.round(width * scale));
    canvas.height = Math.max(1, Math.round(height * scale));
    canvas.getContext('2d')?.drawImage(bitmap, 0, 0, canvas.width, canvas.height);
    const thumbnail = canvas.toDataURL('image/jpeg', 0.7);
    // Short enough for the message's limit (ATTACHMENT_THUMBNAIL_MAX_CHARS); a huge one is left out.
    return { ...(thumbnail.startsWith('data:image/jpeg;base64,') && thumbnail.length < 40_000 ? { thumbnail } : {}), width, height };
  } finally {
    bitmap.close();
  }
}
