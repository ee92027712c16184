// A protocol-buffers wire-format reader (protobuf.dev/programming-guides/encoding): varints, fixed32/64 and
// length-delimited fields, every length and varint checked against what is left of its message before anything
// is read or allocated. It knows no schema: a caller (onnx.ts) walks the fields it knows and skips the rest.

/** Wire types (the low 3 bits of a tag); 3 and 4 (groups) are long deprecated and refused. */
export const Wire = { Varint: 0, Fixed64: 1, Len: 2, Fixed32: 5 } as const;

const WIRE_NAMES = ['varint', 'fixed64', 'length-delimited', 'group start', 'group end', 'fixed32', 'wire type 6', 'wire type 7'];

/** How a reader reports a damaged message: `why` and the byte offset in the whole buffer. Must throw. */
export type ProtoFail = (why: string, at: number) => never;

const UTF8 = new TextDecoder('utf-8');

/** Reads the fields of one message, bytes[start, end), in order. Sub-messages share the buffer (no copies). */
export class ProtoReader {
  private pos: number;
  private readonly view: DataView;

  constructor(readonly bytes: Uint8Array, readonly fail: ProtoFail, start = 0, readonly end = bytes.length, view?: DataView) {
    this.pos = start;
    this.view = view ?? new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  get done(): boolean {
    return this.pos >= this.end;
  }

  get offset(): number {
    return this.pos;
  }

  /** The next field's number and wire type. */
  tag(): { field: number; wire: number } {
    const at = this.pos;
    const t = this.varint();
    const field = Math.floor(t / 8), wire = t % 8;
    if (field === 0 || field > 0x1fffffff) this.fail(`field number ${field}`, at);
    if (wire === 3 || wire === 4 || wire > 5) this.fail(`field ${field} has ${WIRE_NAMES[wire]}`, at);
    return { field, wire };
  }

  /** An unsigned varint as a number (exact up to 2^53; at most 10 bytes, none past the end). */
  varint(): number {
    const at = this.pos;
    let result = 0, scale = 1;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) this.fail('a varint runs past the end of its message', at);
      const b = this.bytes[this.pos++];
      result += (b & 0x7f) * scale;
      if (b < 0x80) return result;
      scale *= 128;
    }
    return this.fail('a varint longer than 10 bytes', at);
  }

  /** A two's-complement int64 / int32 varint (negative values take 10 bytes), as a number. */
  int64(): number {
    const at = this.pos;
    const v = this.varint();
    if (this.pos - at <= 8) return v; // at most 56 bits: exact and non-negative
    let big = 0n;
    for (let i = this.pos - 1; i >= at; i--) big = (big << 7n) | BigInt(this.bytes[i] & 0x7f);
    return Number(BigInt.asIntN(64, big));
  }

  fixed32Float(): number {
    this.need(4);
    const v = this.view.getFloat32(this.pos, true);
    this.pos += 4;
    return v;
  }

  fixed64Double(): number {
    this.need(8);
    const v = this.view.getFloat64(this.pos, true);
    this.pos += 8;
    return v;
  }

  /** A length-delimited field's bytes (a view into the buffer), its length checked against what is left. */
  lengthDelimited(): Uint8Array {
    const { from, to } = this.span();
    return this.bytes.subarray(from, to);
  }

  /** A length-delimited field read as a message of its own. */
  message(): ProtoReader {
    const { from, to } = this.span();
    return new ProtoReader(this.bytes, this.fail, from, to, this.view);
  }

  string(): string {
    return UTF8.decode(this.lengthDelimited());
  }

  /** Skips a field of any (valid) wire type. */
  skip(wire: number): void {
    if (wire === Wire.Varint) this.varint();
    else if (wire === Wire.Len) this.span();
    else {
      const n = wire === Wire.Fixed64 ? 8 : 4;
      this.need(n);
      this.pos += n;
    }
  }

  /** Fails unless the field came with the wire type its schema gives it. */
  expect(field: number, wire: number, want: number): void {
    if (wire !== want) this.fail(`field ${field} has ${WIRE_NAMES[wire]}, expected ${WIRE_NAMES[want]}`, this.pos);
  }

  /**
   * A repeated scalar, packed (one length-delimited run) or not (one value per field), appended to `out`.
   * `wire` is the field's wire type, `single` the element's own (Varint, Fixed32 or Fixed64).
   */
  repeated(field: number, wire: number, single: number, out: number[], read: (r: ProtoReader) => number): void {
    if (wire === single) { out.push(read(this)); return; }
    this.expect(field, wire, Wire.Len);
    const r = this.message();
    const size = single === Wire.Fixed32 ? 4 : single === Wire.Fixed64 ? 8 : 0;
    if (size > 0 && (r.end - r.pos) % size !== 0) this.fail(`packed field ${field} holds ${r.end - r.pos} bytes, not a multiple of ${size}`, r.pos);
    while (!r.done) out.push(read(r));
  }

  private span(): { from: number; to: number } {
    const at = this.pos;
    const n = this.varint();
    const left = this.end - this.pos;
    if (n > left) this.fail(`a length of ${n} bytes with only ${left} left in its message`, at);
    const from = this.pos;
    this.pos += n;
    return { from, to: this.pos };
  }

  private need(n: number): void {
    if (this.end - this.pos < n) this.fail(`a ${n}-byte value runs past the end of its message`, this.pos);
  }
}
