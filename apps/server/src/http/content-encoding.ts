/**
 * Which precompressed copy of a file a request gets (RFC 9110 `Accept-Encoding`): the best the
 * client accepts with a non-zero weight, brotli before gzip on a tie, or the plain bytes.
 */

/** The encodings a build is precompressed in, best first (tools/mf-build/precompress.mjs). */
export type PrecompressedEncoding = 'br' | 'gzip';

/** The suffix of each encoding's copy beside the file. */
export const COPY_SUFFIX: Record<PrecompressedEncoding, string> = { br: '.br', gzip: '.gz' };

/** The encodings `header` accepts among `offered` (best first), best for the client first. */
export function acceptedEncodings(header: string | undefined, offered: readonly PrecompressedEncoding[]): PrecompressedEncoding[] {
  if (!header) return [];
  const weights = new Map<string, number>();
  for (const part of header.split(',')) {
    const [name, ...params] = part.trim().toLowerCase().split(';');
    if (!name) continue;
    const q = params.map((param) => param.trim()).find((param) => param.startsWith('q='));
    const weight = q === undefined ? 1 : Number(q.slice(2));
    weights.set(name, Number.isFinite(weight) ? weight : 0);
  }
  // An alias old clients send for gzip.
  if (!weights.has('gzip') && weights.has('x-gzip')) weights.set('gzip', weights.get('x-gzip')!);
  const weightOf = (encoding: string) => weights.get(encoding) ?? weights.get('*') ?? 0;
  return offered
    .filter((encoding) => weightOf(encoding) > 0)
    .map((encoding, index) => ({ encoding, weight: weightOf(encoding), index }))
    .sort((a, b) => b.weight - a.weight || a.index - b.index)
    .map(({ encoding }) => encoding);
}
