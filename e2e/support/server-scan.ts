/**
 * Scans of what the server keeps (its data folder, its log) for things it must never hold:
 * message texts, media keys. Every needle is looked for in clear, hex (both cases) and base64
 * (standard and URL-safe) at each byte alignment, so an encoded copy is found too.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** Every form the scan looks for. */
export function encodingsOf(bytes: Buffer): string[] {
  const hex = bytes.toString('hex');
  const base64 = [0, 1, 2].map((pad) => {
    const encoded = Buffer.concat([Buffer.alloc(pad), bytes]).toString('base64');
    // Only the groups made of needle bytes alone: the first and last depend on what surrounds it.
    return encoded.slice(4, encoded.length - 4);
  });
  return [bytes.toString('latin1'), hex, hex.toUpperCase(), ...base64, ...base64.map((b) => b.replace(/\+/g, '-').replace(/\//g, '_'))];
}

/** Every file below `dir`. */
export function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

/** The contents of every file below `dir`, read as latin1 so bytes map 1:1 to characters. */
export function dataFolderText(dir: string): string {
  return filesUnder(dir)
    .map((file) => readFileSync(file).toString('latin1'))
    .join('\n');
}

/** Which of `texts` occur, in any encoding, in `haystack`. */
export function foundTexts(haystack: string, texts: readonly string[]): string[] {
  return texts.filter((text) => encodingsOf(Buffer.from(text, 'utf8')).some((form) => haystack.includes(form)));
}

/** Which of the hex-encoded byte strings occur, in any encoding, in `haystack`. */
export function foundBytes(haystack: string, hexes: readonly string[]): string[] {
  return hexes.filter((hex) => encodingsOf(Buffer.from(hex, 'hex')).some((form) => haystack.includes(form)));
}
