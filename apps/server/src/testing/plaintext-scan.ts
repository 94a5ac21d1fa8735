/**
 * The privacy scans' search (privacy-scan.test.ts, blobs/attachments-pipeline.test.ts): whether a
 * secret shows in a file in clear, hex or base64, or as raw bytes.
 */
/** Every form a secret could take in a file: clear, hex and base64 at each byte alignment. */
export function encodings(secret: string | Uint8Array): string[] {
  const bytes = typeof secret === 'string' ? Buffer.from(secret, 'utf8') : Buffer.from(secret);
  const forms = [bytes.toString('hex'), bytes.toString('hex').toUpperCase()];
  if (typeof secret === 'string') forms.unshift(secret);
  for (let offset = 0; offset < 3; offset++) {
    // Shifted by `offset` bytes, the first and last base64 quanta mix in neighbouring bytes:
    // only the quanta in between are fixed by the secret alone.
    const encoded = Buffer.concat([Buffer.alloc(offset), bytes]).toString('base64');
    const inner = encoded.slice(offset === 0 ? 0 : 4, -4);
    forms.push(inner, inner.replaceAll('+', '-').replaceAll('/', '_'));
  }
  return forms;
}

/** Where `secret` shows in `text` (raw bytes count too for binary secrets), as findings. */
export function scanFor(label: string, text: Buffer, secrets: ReadonlyArray<[string, string | Uint8Array]>): string[] {
  const found: string[] = [];
  for (const [what, secret] of secrets) {
    if (typeof secret !== 'string' && text.includes(Buffer.from(secret))) found.push(`${label}: ${what} as raw bytes`);
    for (const form of encodings(secret)) if (text.includes(form)) found.push(`${label}: ${what} as ${form.slice(0, 16)}…`);
  }
  return found;
}
