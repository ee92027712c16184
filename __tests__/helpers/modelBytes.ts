// Model files built in memory for hostile-input tests: an .npz (a zip of .npy members, stored or deflated,
// with sizes that may lie), a protocol-2 pickle of a dict of float32 arrays (the opcodes numpy's
// ndarray.__reduce__ emits: _reconstruct, BUILD with (version, shape, dtype, is_fortran, raw)), and
// safetensors with any names. Layouts follow APPNOTE.TXT 4.3 and Lib/pickletools.py.
import { deflateRawSync } from 'node:zlib';
import { serializeNpy } from '../../src/io/npy';
import { serializeSafetensors } from '../../src/io/safetensors';
import { crc32 } from '../../src/io/zip';

export interface NpzMember {
  readonly name: string;
  readonly bytes: Uint8Array;
  /** Deflate the member (method 8) instead of storing it. */
  readonly deflate?: boolean;
  /** The uncompressed size the central directory declares (default: the true size). */
  readonly declaredSize?: number;
}

/** A zip archive of the members, as Python's zipfile lays one out (local headers, central directory, end record). */
export function npzBytes(members: readonly NpzMember[]): Uint8Array {
  const enc = new TextEncoder();
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const m of members) {
    const name = Buffer.from(enc.encode(m.name));
    const data = m.deflate ? deflateRawSync(m.bytes) : Buffer.from(m.bytes);
    const size = m.declaredSize ?? m.bytes.length;
    const crc = crc32(m.bytes);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(m.deflate ? 8 : 0, 8);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(size, 22);
    local.writeUInt16LE(name.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(m.deflate ? 8 : 0, 10);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(data.length, 20);
    central.writeUInt32LE(size, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, data);
    centrals.push(central, name);
    offset += 30 + name.length + data.length;
  }
  const cd = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(members.length, 8);
  end.writeUInt16LE(members.length, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(offset, 16);
  return new Uint8Array(Buffer.concat([...locals, cd, end]));
}

/** An .npz of float32 tensors: name -> [shape, values]. */
export function npzOfTensors(tensors: Record<string, [number[], number[]]>, deflate = false): Uint8Array {
  return npzBytes(Object.entries(tensors).map(([k, [shape, v]]) => ({ name: `${k}.npy`, bytes: serializeNpy(shape, Float32Array.from(v)), deflate })));
}

/** A safetensors file of float32 tensors: name -> [shape, values]. */
export function safetensorsOfTensors(tensors: Record<string, [number[], number[]]>): Uint8Array {
  return serializeSafetensors(new Map(Object.entries(tensors).map(([k, [shape, v]]) => [k, { shape, data: Float32Array.from(v) }])));
}

const latin1 = (s: string) => [...s].map((c) => c.charCodeAt(0));
const u32 = (n: number) => [n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, (n >>> 24) & 0xff];
/** BINUNICODE: a u32 length, then UTF-8 (any length of key). */
const unicode = (s: string) => { const b = [...new TextEncoder().encode(s)]; return [0x58, ...u32(b.length), ...b]; };

/** A protocol-2 pickle of {name: float32 array} as numpy 1.x pickles it (GLOBAL numpy.core.multiarray _reconstruct). */
export function pickleOfTensors(tensors: Record<string, [number[], number[]]>): Uint8Array {
  const ops: number[] = [0x80, 0x02, 0x7d, 0x28]; // PROTO 2, EMPTY_DICT, MARK
  for (const [key, [shape, values]] of Object.entries(tensors)) {
    const raw = [...new Uint8Array(Float32Array.from(values).buffer)];
    const shapeTuple = [0x28, ...shape.flatMap((d) => [0x4a, ...u32(d)]), 0x74]; // MARK BININT... TUPLE
    ops.push(
      ...unicode(key),
      ...latin1('cnumpy.core.multiarray\n_reconstruct\n'), ...latin1('cnumpy\nndarray\n'),
      0x4b, 0, 0x85, 0x43, 1, 0x62, 0x87, 0x52, // (0,), b'b', TUPLE3, REDUCE
      0x28, 0x4b, 1, ...shapeTuple, // MARK version 1, shape
      ...latin1('cnumpy\ndtype\n'), ...unicode('f4'), 0x89, 0x88, 0x87, 0x52, // dtype('f4', False, True)
      0x28, 0x4b, 3, ...unicode('<'), 0x4e, 0x4e, 0x4e, 0x4a, ...u32(-1 >>> 0), 0x4a, ...u32(-1 >>> 0), 0x4b, 0, 0x74, 0x62, // dtype state, BUILD
      0x89, 0x42, ...u32(raw.length), ...raw, 0x74, 0x62, // is_fortran False, BINBYTES raw, TUPLE, BUILD
    );
  }
  ops.push(0x75, 0x2e); // SETITEMS, STOP
  return Uint8Array.from(ops);
}

/** W1 [784, 1], b1 [1], W2 [1, 10], b2 [10] of zeros: the smallest valid network, to be renamed or extended. */
export function tinyNetwork(): Record<string, [number[], number[]]> {
  return {
    W1: [[784, 1], new Array(784).fill(0)],
    b1: [[1], [0]],
    W2: [[1, 10], new Array(10).fill(0)],
    b2: [[10], new Array(10).fill(0)],
  };
}
