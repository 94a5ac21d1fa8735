import { SignalProtocolError } from './errors.js';

// A minimal protobuf codec: just the wire types Signal's messages and records use. Writers emit
// fields in the order they are called, so callers write in ascending tag order (as prost does) and
// get byte-identical output.

const WIRE_VARINT = 0;
const WIRE_FIXED64 = 1;
const WIRE_LENGTH_DELIMITED = 2;
const WIRE_FIXED32 = 5;

const malformed = (what: string): SignalProtocolError => new SignalProtocolError('invalid-protobuf', `malformed protobuf: ${what}`);

/** Builds a protobuf message. */
export class ProtoWriter {
  private readonly chunks: number[] = [];
  private readonly parts: Uint8Array[] = [];
  private length = 0;

  private flush(): void {
    if (this.chunks.length > 0) {
      this.parts.push(Uint8Array.from(this.chunks));
      this.length += this.chunks.length;
      this.chunks.length = 0;
    }
  }

  private varint(value: bigint | number): void {
    let v = BigInt(value);
    if (v < 0n) throw new RangeError('negative varint');
    while (v >= 0x80n) {
      this.chunks.push(Number(v & 0x7fn) | 0x80);
      v >>= 7n;
    }
    this.chunks.push(Number(v));
  }

  private smallVarint(value: number): void {
    let v = value >>> 0;
    while (v >= 0x80) {
      this.chunks.push((v & 0x7f) | 0x80);
      v >>>= 7;
    }
    this.chunks.push(v);
  }

  private tag(field: number, wire: number): void {
    this.smallVarint((field << 3) | wire);
  }

  /** A uint32 field (always written: proto2 `optional` semantics). */
  uint32(field: number, value: number): this {
    if (!Number.isInteger(value) || value < 0 || value > 0xffffffff) throw new RangeError(`uint32 out of range: ${value}`);
    this.tag(field, WIRE_VARINT);
    this.smallVarint(value);
    return this;
  }

  /** A uint64 field. */
  uint64(field: number, value: bigint | number): this {
    this.tag(field, WIRE_VARINT);
    this.varint(value);
    return this;
  }

  /** A bool field. */
  bool(field: number, value: boolean): this {
    return this.uint32(field, value ? 1 : 0);
  }

  /** A fixed64 field (little-endian). */
  fixed64(field: number, value: bigint | number): this {
    this.tag(field, WIRE_FIXED64);
    let v = BigInt.asUintN(64, BigInt(value));
    for (let i = 0; i < 8; i++) {
      this.chunks.push(Number(v & 0xffn));
      v >>= 8n;
    }
    return this;
  }

  /** A bytes (or embedded message) field. */
  bytes(field: number, value: Uint8Array): this {
    this.tag(field, WIRE_LENGTH_DELIMITED);
    this.smallVarint(value.length);
    this.flush();
    this.parts.push(value);
    this.length += value.length;
    return this;
  }

  /** proto3 scalar: omitted when zero. */
  uint32IfNonZero(field: number, value: number): this {
    return value === 0 ? this : this.uint32(field, value);
  }

  /** proto3 scalar: omitted when zero. */
  uint64IfNonZero(field: number, value: bigint | number): this {
    return BigInt(value) === 0n ? this : this.uint64(field, value);
  }

  /** proto3 scalar: omitted when zero. */
  fixed64IfNonZero(field: number, value: bigint | number): this {
    return BigInt(value) === 0n ? this : this.fixed64(field, value);
  }

  /** proto3 bytes: omitted when empty. */
  bytesIfNonEmpty(field: number, value: Uint8Array | undefined): this {
    return value === undefined || value.length === 0 ? this : this.bytes(field, value);
  }

  /** The encoded message. */
  finish(): Uint8Array<ArrayBuffer> {
    this.flush();
    const out = new Uint8Array(this.length);
    let offset = 0;
    for (const part of this.parts) {
      out.set(part, offset);
      offset += part.length;
    }
    return out;
  }
}

type FieldValue = { wire: 0; value: bigint } | { wire: 1 | 5; value: Uint8Array } | { wire: 2; value: Uint8Array };

/** A decoded message: every field occurrence by tag, unknown fields kept and ignored. */
export class ProtoReader {
  private constructor(private readonly fields: Map<number, FieldValue[]>) {}

  /** Parses `bytes`; throws `invalid-protobuf` on truncation, bad tags or unsupported wire types. */
  static decode(bytes: Uint8Array): ProtoReader {
    const fields = new Map<number, FieldValue[]>();
    let pos = 0;
    const readVarint = (): bigint => {
      let result = 0n;
      let shift = 0n;
      for (let i = 0; i < 10; i++) {
        if (pos >= bytes.length) throw malformed('truncated varint');
        const byte = bytes[pos++]!;
        result |= BigInt(byte & 0x7f) << shift;
        if ((byte & 0x80) === 0) return BigInt.asUintN(64, result);
        shift += 7n;
      }
      throw malformed('varint longer than 10 bytes');
    };
    const take = (n: number): Uint8Array => {
      if (n > bytes.length - pos) throw malformed('field runs past the end');
      const out = bytes.subarray(pos, pos + n);
      pos += n;
      return out;
    };
    while (pos < bytes.length) {
      const key = readVarint();
      const field = Number(key >> 3n);
      const wire = Number(key & 7n);
      if (field === 0 || field > 0x1fffffff) throw malformed(`invalid field number ${field}`);
      let value: FieldValue;
      switch (wire) {
        case WIRE_VARINT:
          value = { wire: 0, value: readVarint() };
          break;
        case WIRE_FIXED64:
          value = { wire: 1, value: take(8) };
          break;
        case WIRE_LENGTH_DELIMITED: {
          const length = readVarint();
          if (length > BigInt(bytes.length)) throw malformed('length runs past the end');
          value = { wire: 2, value: take(Number(length)) };
          break;
        }
        case WIRE_FIXED32:
          value = { wire: 5, value: take(4) };
          break;
        default:
          throw malformed(`unsupported wire type ${wire}`);
      }
      const list = fields.get(field);
      if (list === undefined) fields.set(field, [value]);
      else list.push(value);
    }
    return new ProtoReader(fields);
  }

  private last(field: number, wire: number): FieldValue | undefined {
    const list = this.fields.get(field);
    if (list === undefined) return undefined;
    const value = list[list.length - 1]!;
    if (value.wire !== wire) throw malformed(`field ${field} has wire type ${value.wire}, expected ${wire}`);
    return value;
  }

  /** Whether the field occurs at all. */
  has(field: number): boolean {
    return this.fields.has(field);
  }

  /** A uint32 field (last occurrence wins; truncated to 32 bits as prost does). */
  uint32(field: number): number | undefined {
    const v = this.last(field, WIRE_VARINT);
    return v === undefined ? undefined : Number(BigInt.asUintN(32, v.value as bigint));
  }

  /** A uint64 field. */
  uint64(field: number): bigint | undefined {
    const v = this.last(field, WIRE_VARINT);
    return v === undefined ? undefined : (v.value as bigint);
  }

  /** A bool field. */
  bool(field: number): boolean | undefined {
    const v = this.last(field, WIRE_VARINT);
    return v === undefined ? undefined : v.value !== 0n;
  }

  /** A fixed64 field. */
  fixed64(field: number): bigint | undefined {
    const v = this.last(field, WIRE_FIXED64);
    if (v === undefined) return undefined;
    let out = 0n;
    const b = v.value as Uint8Array;
    for (let i = 7; i >= 0; i--) out = (out << 8n) | BigInt(b[i]!);
    return out;
  }

  /** A bytes field (a view into the decoded buffer). */
  bytes(field: number): Uint8Array | undefined {
    const v = this.last(field, WIRE_LENGTH_DELIMITED);
    return v === undefined ? undefined : (v.value as Uint8Array);
  }

  /** A bytes field that must be present. */
  requiredBytes(field: number, what: string): Uint8Array {
    const v = this.bytes(field);
    if (v === undefined) throw malformed(`missing ${what}`);
    return v;
  }

  /** A uint32 field that must be present. */
  requiredUint32(field: number, what: string): number {
    const v = this.uint32(field);
    if (v === undefined) throw malformed(`missing ${what}`);
    return v;
  }

  /** Every occurrence of a repeated bytes / message field, in order. */
  repeatedBytes(field: number): Uint8Array[] {
    const list = this.fields.get(field) ?? [];
    return list.map((v) => {
      if (v.wire !== WIRE_LENGTH_DELIMITED) throw malformed(`field ${field} has wire type ${v.wire}, expected 2`);
      return v.value as Uint8Array;
    });
  }
}
