/**
 * A quicker check for the frames a relay connection sends most (`send`, `ack`, `ping`): under
 * load, ClientFrameSchema.safeParse cost a few times more than the JSON.parse before it. It never
 * decides alone that a frame is bad: it either returns exactly what the schema's parse would
 * return, or `undefined`, and the caller asks the schema, which then accepts or rejects as always
 * (and says why). So the server accepts precisely what ClientFrameSchema accepts as long as this
 * never takes a frame the schema would refuse — relay-frame-fast-path.test.ts checks that against
 * the schema's own limits and with random and mutated frames.
 */
import type { ClientFrame, SendFrame } from '@parley/contracts';

/** Limits of ClientFrameSchema this check applies; the test compares them with the schema's. */
export const FAST_PATH_LIMITS = {
  idMaxLength: 128,
  messagesMin: 1,
  messagesMax: 64,
  ciphertextMaxLength: 200_000,
  ciphertextPattern: /^[A-Za-z0-9+/]+={0,2}$/,
  ciphertextTypes: [2, 3, 7],
} as const;

const { idMaxLength, messagesMin, messagesMax, ciphertextMaxLength, ciphertextPattern, ciphertextTypes } = FAST_PATH_LIMITS;
const isCiphertextType = (type: unknown): type is (typeof ciphertextTypes)[number] => (ciphertextTypes as readonly unknown[]).includes(type);

/**
 * The parsed frame when `json` is a valid `send`, `ack` or `ping` frame, else `undefined` (not
 * necessarily invalid: the schema decides). Strings are measured in UTF-16 units here and in code
 * points by the schema, so a string over a limit in units is left to the schema.
 */
export function parseFrequentFrame(json: unknown): ClientFrame | undefined {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return undefined;
  const frame = json as Record<string, unknown>;
  switch (frame.t) {
    case 'send':
      return parseSend(frame);
    case 'ack':
      return isId(frame.id) ? { t: 'ack', id: frame.id } : undefined;
    case 'ping':
      return { t: 'ping' };
    default:
      return undefined;
  }
}

function parseSend(frame: Record<string, unknown>): SendFrame | undefined {
  const { id, to, messages } = frame;
  if (!isId(id) || !isId(to) || !Array.isArray(messages)) return undefined;
  if (messages.length < messagesMin || messages.length > messagesMax) return undefined;
  const parsed: SendFrame['messages'] = [];
  for (const message of messages as unknown[]) {
    if (typeof message !== 'object' || message === null || Array.isArray(message)) return undefined;
    const { deviceId, type, ciphertext } = message as Record<string, unknown>;
    if (typeof deviceId !== 'number' || !Number.isSafeInteger(deviceId) || deviceId <= 0) return undefined;
    if (!isCiphertextType(type)) return undefined;
    if (typeof ciphertext !== 'string' || ciphertext.length === 0 || ciphertext.length > ciphertextMaxLength) return undefined;
    if (!ciphertextPattern.test(ciphertext)) return undefined;
    parsed.push({ deviceId, type, ciphertext });
  }
  return { t: 'send', id, to, messages: parsed };
}

function isId(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0 && value.length <= idMaxLength;
}
