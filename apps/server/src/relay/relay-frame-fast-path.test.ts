/**
 * The fast path accepts nothing ClientFrameSchema refuses and returns what the schema returns:
 * its limits are the schema's, and on random and mutated frames (printed seed; FUZZ_SEED=…
 * replays) every frame it takes parses to the same value with the schema.
 */
import { AckFrameSchema, ClientFrameSchema, PingFrameSchema, SendFrameSchema } from '@parley/contracts';
import { seededRandom as random } from '@parley/rollout/testing';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { FAST_PATH_LIMITS, parseFrequentFrame } from './relay-frame-fast-path.js';

const FRAMES = 30_000;

/** Expects the schema to parse `json` to exactly `fast`. */
function expectSchemaAgrees(json: unknown, fast: unknown): void {
  const parsed = ClientFrameSchema.safeParse(json);
  expect(parsed.success, `schema refused a frame the fast path took: ${JSON.stringify(json)?.slice(0, 300)}`).toBe(true);
  expect(parsed.data).toStrictEqual(fast);
}

describe('relay frame fast path', () => {
  it('applies the limits of the schema it stands in for (update it when the schema changes)', () => {
    const { idMaxLength, messagesMin, messagesMax, ciphertextMaxLength, ciphertextPattern, ciphertextTypes } = FAST_PATH_LIMITS;
    const id = { type: 'string', minLength: 1, maxLength: idMaxLength };
    const strictObject = (properties: object, required: string[]) => ({ type: 'object', properties, required, additionalProperties: false });
    const jsonSchema = (schema: z.ZodType) => {
      const { $schema: _, ...rest } = z.toJSONSchema(schema) as Record<string, unknown>;
      return rest;
    };
    expect(jsonSchema(SendFrameSchema)).toEqual(
      strictObject(
        {
          t: { type: 'string', const: 'send' },
          id,
          to: id,
          messages: {
            type: 'array',
            minItems: messagesMin,
            maxItems: messagesMax,
            items: strictObject(
              {
                deviceId: { type: 'integer', exclusiveMinimum: 0, maximum: Number.MAX_SAFE_INTEGER },
                type: { anyOf: ciphertextTypes.map((value) => ({ type: 'number', const: value })) },
                ciphertext: { type: 'string', minLength: 1, maxLength: ciphertextMaxLength, pattern: ciphertextPattern.source },
              },
              ['deviceId', 'type', 'ciphertext'],
            ),
          },
        },
        ['t', 'id', 'to', 'messages'],
      ),
    );
    expect(jsonSchema(AckFrameSchema)).toEqual(strictObject({ t: { type: 'string', const: 'ack' }, id }, ['t', 'id']));
    expect(jsonSchema(PingFrameSchema)).toEqual(strictObject({ t: { type: 'string', const: 'ping' } }, ['t']));
    for (const schema of [SendFrameSchema, AckFrameSchema, PingFrameSchema]) expect(ClientFrameSchema.options).toContain(schema);
  });

  it('takes the frames a client sends, parsed exactly as the schema parses them', () => {
    const frames = [
      { t: 'ping' },
      { t: 'ack', id: '42' },
      { t: 'send', id: 'm-1', to: 'user-b', messages: [{ deviceId: 1, type: 2, ciphertext: 'AAAA' }, { deviceId: 2, type: 3, ciphertext: 'AA==' }] },
      { t: 'send', id: 'x'.repeat(128), to: 'y', messages: [{ deviceId: Number.MAX_SAFE_INTEGER, type: 7, ciphertext: 'QQ=' }] },
      // Unknown keys are dropped, as the schema drops them.
      { t: 'send', id: 'a', to: 'b', extra: 1, messages: [{ deviceId: 1, type: 2, ciphertext: 'AAAA', note: 'x' }] },
      JSON.parse('{"t":"ping","__proto__":{"t":"ack"}}'),
    ];
    for (const frame of frames) {
      const fast = parseFrequentFrame(frame);
      expect(fast, JSON.stringify(frame)).toBeDefined();
      expectSchemaAgrees(frame, fast);
    }
  });

  it('leaves to the schema what it cannot vouch for', () => {
    const send = (message: object, frame: object = {}) => ({ t: 'send', id: 'a', to: 'b', messages: [{ deviceId: 1, type: 2, ciphertext: 'AAAA', ...message }], ...frame });
    const undecided = [
      null, [], 'ping', { t: 'auth', token: 't' }, { t: 'sfu' }, { t: 'pong' }, { t: 'ack', id: '' }, { t: 'ack', id: 7 },
      // Within the limit in code points but not in UTF-16 units: the schema's call.
      { t: 'ack', id: '\u{1F600}'.repeat(64) + 'a' },
      send({ deviceId: 0 }), send({ deviceId: -1 }), send({ deviceId: 1.5 }), send({ deviceId: 2 ** 53 }), send({ deviceId: '1' }), send({ deviceId: Number.NaN }),
      send({ type: 4 }), send({ type: '2' }), send({ ciphertext: '' }), send({ ciphertext: 'AA=A' }), send({ ciphertext: 'AAA===' }), send({ ciphertext: 'AAAA\n' }),
      send({}, { messages: [] }), send({}, { messages: Array.from({ length: 65 }, () => ({ deviceId: 1, type: 2, ciphertext: 'AAAA' })) }),
      send({}, { messages: [null] }), send({}, { messages: [[1, 2, 'AAAA']] }), send({}, { to: 'x'.repeat(129) }), send({}, { id: undefined }),
    ];
    for (const frame of undecided) expect(parseFrequentFrame(frame), JSON.stringify(frame)).toBeUndefined();
  });

  it(`agrees with the schema on ${FRAMES} random and mutated frames`, { timeout: 30_000 }, () => {
    const seed = Number(process.env.FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 32));
    console.log(`fast path fuzz seed ${seed} (replay with FUZZ_SEED=${seed})`);
    const rand = random(seed);
    const int = (max: number) => Math.floor(rand() * max);
    const pick = <T>(items: readonly T[]): T => items[int(items.length)]!;
    const b64 = () => Buffer.from(Array.from({ length: int(48) }, () => int(256))).toString('base64');
    const text = (max: number) => pick(['', 'a', '\u{1F600}', '\u0000', '"', '\ud800', 'é']).repeat(int(max + 2));
    const strings = () => pick([text(3), 'x'.repeat(pick([0, 1, 127, 128, 129, 130])), '\u{1F600}'.repeat(pick([63, 64, 65])), b64(), b64() + '=', b64().replace(/=+$/, '')]);
    const numbers = () => pick([0, -0, 1, 2, 3, 4, 7, 8, -1, -2, 1.5, 2.0000001, 2 ** 53 - 1, 2 ** 53, 2 ** 53 + 2, 1e308, Number.NaN, Infinity, int(100)]);
    const values = (): unknown => pick([strings(), numbers(), null, true, [], {}, [numbers()], { t: 'send' }, undefined]);
    const message = () => ({ deviceId: 1 + int(3), type: pick([2, 3, 7]), ciphertext: b64() || 'AAAA' });
    const valid = (): Record<string, unknown> =>
      pick([
        { t: 'ping' },
        { t: 'ack', id: String(1 + int(1e6)) },
        { t: 'send', id: `m-${int(1e6)}`, to: `u-${int(1e3)}`, messages: Array.from({ length: 1 + int(4) }, message) },
        { t: 'auth', token: 'x'.repeat(1 + int(40)) },
      ]);

    /** A frame with one value, at any depth, replaced, removed or added. */
    const mutate = (value: unknown, depth = 0): unknown => {
      if (typeof value !== 'object' || value === null || depth > 3 || rand() < 0.3) return rand() < 0.5 ? values() : value;
      const copy: Record<string, unknown> | unknown[] = Array.isArray(value) ? [...value] : { ...(value as Record<string, unknown>) };
      const keys = Object.keys(copy);
      const roll = rand();
      if (roll < 0.1) (copy as Record<string, unknown>)[pick(['t', 'id', 'to', 'messages', 'deviceId', 'type', 'ciphertext', 'extra'])] = values();
      else if (roll < 0.2 && !Array.isArray(copy) && Array.isArray(copy.messages) && copy.messages.length > 0) {
        // One field of one message set to a value at or past an edge of its type.
        const messages = [...(copy.messages as unknown[])];
        const at = int(messages.length);
        messages[at] = { ...(messages[at] as object), [pick(['deviceId', 'type', 'ciphertext'])]: rand() < 0.5 ? numbers() : strings() };
        copy.messages = messages;
      }
      else if (roll < 0.25 && keys.length > 0) delete (copy as Record<string, unknown>)[pick(keys)];
      else if (roll < 0.35 && Array.isArray(copy)) copy.push(...Array.from({ length: pick([1, 60, 64]) }, () => copy[0] ?? message()));
      else if (keys.length > 0) {
        const key = pick(keys);
        (copy as Record<string, unknown>)[key] = mutate((copy as Record<string, unknown>)[key], depth + 1);
      }
      return copy;
    };
    /** The JSON text with a few characters changed, when that still parses. */
    const garble = (frame: unknown): unknown => {
      const chars = [...JSON.stringify(frame)];
      for (let i = 0; i < 1 + int(3); i++) chars[int(chars.length)] = pick(['"', '0', '-', '.', 'e', '=', '\\u0000', '[', '}', ' ', 'A']);
      try {
        return JSON.parse(chars.join(''));
      } catch {
        return frame;
      }
    };

    let taken = 0;
    for (let i = 0; i < FRAMES; i++) {
      const roll = rand();
      const frame = roll < 0.2 ? valid() : roll < 0.8 ? mutate(valid()) : garble(valid());
      // As the relay gets it: off the wire, through JSON.
      const json = frame === undefined ? undefined : (JSON.parse(JSON.stringify(frame) ?? 'null') as unknown);
      const fast = parseFrequentFrame(json);
      if (fast === undefined) continue;
      taken += 1;
      expectSchemaAgrees(json, fast);
    }
    // The check above means something only if the fast path takes a good share of the frames.
    expect(taken).toBeGreaterThan(FRAMES / 10);
  });
});
