/**
 * A call link as a client makes it, for this folder's tests: a random root secret, the room id,
 * verifier and name key derived with HKDF-SHA256 (no salt, CALL_LINK_LABELS), and the name
 * encrypted with AES-128-GCM (IV ‖ ciphertext ‖ tag, base64). Test helper only.
 */
import { createCipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { CALL_LINK_LABELS, CALL_LINK_SECRET_BYTES } from '@parley/contracts';

export interface TestCallLink {
  secret: Buffer;
  roomId: string;
  verifier: string;
  nameKey: Buffer;
  /** The name in clear, and as the server receives it. */
  name: string;
  encryptedName: string;
}

const derive = (secret: Buffer, label: string, bytes: number) => Buffer.from(hkdfSync('sha256', secret, Buffer.alloc(0), label, bytes));

/** A fresh link secret and what a client derives from it. */
export function testCallLink(name = `Weekly sync ${randomBytes(4).toString('hex')}`): TestCallLink {
  const secret = randomBytes(CALL_LINK_SECRET_BYTES);
  const nameKey = derive(secret, CALL_LINK_LABELS.nameKey, 16);
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-128-gcm', nameKey, iv);
  const encryptedName = Buffer.concat([iv, cipher.update(name, 'utf8'), cipher.final(), cipher.getAuthTag()]).toString('base64');
  return {
    secret,
    roomId: derive(secret, CALL_LINK_LABELS.roomId, 16).toString('base64url'),
    verifier: derive(secret, CALL_LINK_LABELS.verifier, 32).toString('base64url'),
    nameKey,
    name,
    encryptedName,
  };
}

/** The body of POST /api/call-links for a link. */
export function createBody(link: TestCallLink, approval = false) {
  return { roomId: link.roomId, verifier: link.verifier, encryptedName: link.encryptedName, approval };
}
