// The first bytes of a raw DEFLATE stream (RFC 1951), decoded in pure TypeScript: enough of an .npz member
// to read its .npy header before trusting the member's declared size. Mirrors zlib's contrib/puff/puff.c
// (stored, fixed and dynamic Huffman blocks); the whole member is still inflated by zlib (files.ts).

/** A damaged stream: the caller words it as a dataError naming the file. */
export class InflateError extends Error {}

const MAX_BITS = 15;
const LENGTH_BASE = [3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258];
const LENGTH_EXTRA = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0];
const DIST_BASE = [1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577];
const DIST_EXTRA = [0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13];
/** The order code-length code lengths arrive in (RFC 1951 3.2.7). */
const CLEN_ORDER = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15];

/** A canonical Huffman code as puff stores it: how many codes of each length, and the symbols in code order. */
interface Huffman { readonly count: Uint16Array; readonly symbol: Uint16Array }

function huffman(lengths: ArrayLike<number>, n: number): Huffman {
  const count = new Uint16Array(MAX_BITS + 1);
  for (let s = 0; s < n; s++) count[lengths[s]]++;
  let left = 1; // over-subscribed codes are invalid; incomplete ones are allowed (a single distance code)
  for (let len = 1; len <= MAX_BITS; len++) {
    left = left * 2 - count[len];
    if (left < 0) throw new InflateError('over-subscribed Huffman code');
  }
  const offset = new Uint16Array(MAX_BITS + 1);
  for (let len = 1; len < MAX_BITS; len++) offset[len + 1] = offset[len] + count[len];
  const symbol = new Uint16Array(n);
  for (let s = 0; s < n; s++) if (lengths[s] !== 0) symbol[offset[lengths[s]]++] = s;
  return { count, symbol };
}

const FIXED = (() => {
  const lengths = new Uint8Array(288);
  lengths.fill(8, 0, 144); lengths.fill(9, 144, 256); lengths.fill(7, 256, 280); lengths.fill(8, 280, 288);
  return { lit: huffman(lengths, 288), dist: huffman(new Uint8Array(30).fill(5), 30) };
})();

class Decoder {
  private pos = 0;
  private bitBuf = 0;
  private bitCount = 0;
  readonly out: Uint8Array;
  length = 0;
  constructor(private readonly input: Uint8Array, limit: number) { this.out = new Uint8Array(limit); }

  bits(need: number): number {
    let v = this.bitBuf;
    while (this.bitCount < need) {
      if (this.pos >= this.input.length) throw new InflateError('the deflate data ends early');
      v |= this.input[this.pos++] << this.bitCount;
      this.bitCount += 8;
    }
    this.bitBuf = v >>> need;
    this.bitCount -= need;
    return v & ((1 << need) - 1);
  }

  decode(h: Huffman): number {
    let code = 0, first = 0, index = 0;
    for (let len = 1; len <= MAX_BITS; len++) {
      code |= this.bits(1);
      const count = h.count[len];
      if (code - count < first) return h.symbol[index + (code - first)];
      index += count;
      first = (first + count) << 1;
      code <<= 1;
    }
    throw new InflateError('invalid Huffman code');
  }

  /** Stored block: byte-aligned LEN, NLEN, then LEN literal bytes. Returns false once the limit is reached. */
  stored(): boolean {
    this.bitBuf = 0;
    this.bitCount = 0;
    if (this.pos + 4 > this.input.length) throw new InflateError('the deflate data ends early');
    const len = this.input[this.pos] | (this.input[this.pos + 1] << 8);
    const nlen = this.input[this.pos + 2] | (this.input[this.pos + 3] << 8);
    this.pos += 4;
    if (len !== (~nlen & 0xffff)) throw new InflateError('stored block length does not match its complement');
    if (this.pos + len > this.input.length) throw new InflateError('the deflate data ends early');
    const take = Math.min(len, this.out.length - this.length);
    this.out.set(this.input.subarray(this.pos, this.pos + take), this.length);
    this.length += take;
    this.pos += len;
    return this.length < this.out.length;
  }

  /** One Huffman-coded block. Returns false once the limit is reached. */
  codes(lit: Huffman, dist: Huffman): boolean {
    for (;;) {
      const symbol = this.decode(lit);
      if (symbol < 256) {
        this.out[this.length++] = symbol;
        if (this.length === this.out.length) return false;
      } else if (symbol === 256) {
        return true;
      } else {
        const s = symbol - 257;
        if (s >= 29) throw new InflateError('invalid length code');
        const len = LENGTH_BASE[s] + this.bits(LENGTH_EXTRA[s]);
        const d = this.decode(dist);
        if (d >= 30) throw new InflateError('invalid distance code');
        const back = DIST_BASE[d] + this.bits(DIST_EXTRA[d]);
        if (back > this.length) throw new InflateError('distance reaches before the start of the data');
        for (let i = 0; i < len; i++) {
          this.out[this.length] = this.out[this.length - back];
          if (++this.length === this.out.length) return false;
        }
      }
    }
  }

  dynamic(): boolean {
    const nlen = this.bits(5) + 257, ndist = this.bits(5) + 1, ncode = this.bits(4) + 4;
    if (nlen > 286 || ndist > 30) throw new InflateError('bad dynamic block code counts');
    const lengths = new Uint8Array(320);
    for (let i = 0; i < ncode; i++) lengths[CLEN_ORDER[i]] = this.bits(3);
    const lencode = huffman(lengths, 19);
    lengths.fill(0, 0, 19);
    for (let i = 0; i < nlen + ndist; ) {
      const symbol = this.decode(lencode);
      if (symbol < 16) { lengths[i++] = symbol; continue; }
      let len = 0, repeat: number;
      if (symbol === 16) {
        if (i === 0) throw new InflateError('repeat with no previous length');
        len = lengths[i - 1];
        repeat = 3 + this.bits(2);
      } else {
        repeat = symbol === 17 ? 3 + this.bits(3) : 11 + this.bits(7);
      }
      if (i + repeat > nlen + ndist) throw new InflateError('too many code lengths');
      while (repeat-- > 0) lengths[i++] = len;
    }
    if (lengths[256] === 0) throw new InflateError('no end-of-block code');
    return this.codes(huffman(lengths, nlen), huffman(lengths.subarray(nlen), ndist));
  }
}

/**
 * The first min(limit, total) bytes a raw DEFLATE stream decodes to. Stops as soon as `limit` bytes are
 * out, so a bomb costs at most `limit` bytes of memory and time linear in the input read. Throws
 * InflateError on damaged data, including a stream that ends before its last block.
 */
export function inflateRawPrefix(input: Uint8Array, limit: number): Uint8Array {
  const d = new Decoder(input, limit);
  if (limit === 0) return d.out;
  for (let last = 0; last === 0; ) {
    last = d.bits(1);
    const type = d.bits(2);
    const more = type === 0 ? d.stored() : type === 1 ? d.codes(FIXED.lit, FIXED.dist) : type === 2 ? d.dynamic() : (() => { throw new InflateError('invalid block type 3'); })();
    if (!more) break;
  }
  return d.out.subarray(0, d.length);
}
