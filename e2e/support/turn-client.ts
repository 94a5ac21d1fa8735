/**
 * Just enough of a TURN client (RFC 8656 over UDP, RFC 8489 long-term credentials) to ask a real
 * coturn for an allocation and for permissions to peers, and read its answer: the TURN test proves
 * with it which peers the deployment's configuration refuses to relay to. Test helper only.
 */
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { type Socket, createSocket } from 'node:dgram';

const MAGIC_COOKIE = 0x2112a442;
const METHOD = { allocate: 0x0003, createPermission: 0x0008 } as const;
const ATTRIBUTE = {
  username: 0x0006,
  messageIntegrity: 0x0008,
  errorCode: 0x0009,
  xorPeerAddress: 0x0012,
  realm: 0x0014,
  nonce: 0x0015,
  requestedTransport: 0x0019,
} as const;
/** The class bits of a response type: success 0b10, error 0b11 (RFC 8489 §5). */
const SUCCESS = 0x0100;
const ERROR = 0x0110;

/** A TURN answer: success, or the error code (401, 403, …) and its reason. */
export type TurnAnswer = { ok: true } | { ok: false; code: number; reason: string };

interface Parsed {
  type: number;
  transactionId: Buffer;
  attributes: Map<number, Buffer>;
}

function attribute(type: number, value: Buffer): Buffer {
  const header = Buffer.alloc(4);
  header.writeUInt16BE(type, 0);
  header.writeUInt16BE(value.length, 2);
  const padding = Buffer.alloc((4 - (value.length % 4)) % 4);
  return Buffer.concat([header, value, padding]);
}

function xorAddress(ip: string, port: number): Buffer {
  const value = Buffer.alloc(8);
  value.writeUInt8(0x01, 1);
  value.writeUInt16BE(port ^ (MAGIC_COOKIE >>> 16), 2);
  const bytes = ip.split('.').map(Number);
  value.writeUInt32BE((((bytes[0]! << 24) | (bytes[1]! << 16) | (bytes[2]! << 8) | bytes[3]!) ^ MAGIC_COOKIE) >>> 0, 4);
  return value;
}

/** A request of `method` with these attributes, signed with `key` (MESSAGE-INTEGRITY last) when given. */
function request(method: number, attributes: Buffer[], key?: Buffer): { bytes: Buffer; transactionId: Buffer } {
  const transactionId = randomBytes(12);
  const body = Buffer.concat(attributes);
  const header = Buffer.alloc(20);
  header.writeUInt16BE(method, 0);
  header.writeUInt32BE(MAGIC_COOKIE, 4);
  transactionId.copy(header, 8);
  if (!key) {
    header.writeUInt16BE(body.length, 2);
    return { bytes: Buffer.concat([header, body]), transactionId };
  }
  // The length counts the MESSAGE-INTEGRITY attribute (24 bytes) that the HMAC itself excludes.
  header.writeUInt16BE(body.length + 24, 2);
  const mac = createHmac('sha1', key).update(Buffer.concat([header, body])).digest();
  return { bytes: Buffer.concat([header, body, attribute(ATTRIBUTE.messageIntegrity, mac)]), transactionId };
}

function parse(bytes: Buffer): Parsed {
  const attributes = new Map<number, Buffer>();
  const length = bytes.readUInt16BE(2);
  for (let at = 20; at + 4 <= 20 + length; ) {
    const type = bytes.readUInt16BE(at);
    const size = bytes.readUInt16BE(at + 2);
    attributes.set(type, bytes.subarray(at + 4, at + 4 + size));
    at += 4 + size + ((4 - (size % 4)) % 4);
  }
  return { type: bytes.readUInt16BE(0), transactionId: bytes.subarray(8, 20), attributes };
}

function answerOf(parsed: Parsed, method: number): TurnAnswer {
  if (parsed.type === (method | SUCCESS)) return { ok: true };
  if (parsed.type !== (method | ERROR)) throw new Error(`unexpected STUN message type 0x${parsed.type.toString(16)}`);
  const error = parsed.attributes.get(ATTRIBUTE.errorCode);
  if (!error) throw new Error('a TURN error response without ERROR-CODE');
  return { ok: false, code: (error[2]! & 0x7) * 100 + error[3]!, reason: error.subarray(4).toString('utf8') };
}

/** A TURN client with one allocation on a coturn at `address:port`, authenticated with TURN REST credentials. */
export class TurnTestClient {
  private readonly socket: Socket = createSocket('udp4');
  private realm: Buffer = Buffer.alloc(0);
  private nonce: Buffer = Buffer.alloc(0);
  private key: Buffer = Buffer.alloc(0);

  private constructor(
    private readonly address: string,
    private readonly port: number,
    private readonly username: string,
  ) {}

  /** Allocates a relay address, answering coturn's 401 challenge with the long-term credential. */
  static async allocate(address: string, port: number, username: string, password: string): Promise<TurnTestClient> {
    const client = new TurnTestClient(address, port, username);
    const transport = attribute(ATTRIBUTE.requestedTransport, Buffer.from([17, 0, 0, 0]));
    const challenge = await client.exchange(request(METHOD.allocate, [transport]));
    const challenged = answerOf(challenge, METHOD.allocate);
    if (challenged.ok || challenged.code !== 401) throw new Error(`expected a 401 challenge, got ${JSON.stringify(challenged)}`);
    client.realm = challenge.attributes.get(ATTRIBUTE.realm) ?? Buffer.alloc(0);
    client.nonce = challenge.attributes.get(ATTRIBUTE.nonce) ?? Buffer.alloc(0);
    client.key = createHash('md5').update(`${username}:${client.realm.toString('utf8')}:${password}`).digest();
    const allocated = answerOf(await client.exchange(request(METHOD.allocate, [transport, ...client.credentials()], client.key)), METHOD.allocate);
    if (!allocated.ok) throw new Error(`the allocation was refused: ${allocated.code} ${allocated.reason}`);
    return client;
  }

  /** Asks for a permission to relay to `ip` (CreatePermission): coturn answers 403 for a denied peer. */
  async createPermission(ip: string, port = 9): Promise<TurnAnswer> {
    const peer = attribute(ATTRIBUTE.xorPeerAddress, xorAddress(ip, port));
    return answerOf(await this.exchange(request(METHOD.createPermission, [peer, ...this.credentials()], this.key)), METHOD.createPermission);
  }

  close(): void {
    this.socket.close();
  }

  private credentials(): Buffer[] {
    return [attribute(ATTRIBUTE.username, Buffer.from(this.username)), attribute(ATTRIBUTE.realm, this.realm), attribute(ATTRIBUTE.nonce, this.nonce)];
  }

  private exchange(sent: { bytes: Buffer; transactionId: Buffer }): Promise<Parsed> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.socket.off('message', onMessage);
        reject(new Error('no TURN answer within 3 s'));
      }, 3_000);
      const onMessage = (bytes: Buffer) => {
        const parsed = parse(bytes);
        if (!parsed.transactionId.equals(sent.transactionId)) return;
        clearTimeout(timer);
        this.socket.off('message', onMessage);
        resolve(parsed);
      };
      this.socket.on('message', onMessage);
      this.socket.send(sent.bytes, this.port, this.address);
    });
  }
}

/** TURN REST credentials for `user`, as the server issues them: `<expiry>:<user>` and base64(HMAC-SHA1(secret, username)). */
export function turnRestCredentials(secret: string, user: string, ttlSeconds = 600): { username: string; password: string } {
  const username = `${Math.floor(Date.now() / 1000) + ttlSeconds}:${user}`;
  return { username, password: createHmac('sha1', secret).update(username).digest('base64') };
}
