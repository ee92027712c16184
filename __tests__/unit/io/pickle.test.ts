// parsePickle against the book's sample_weight.pkl (values from Python's pickle.load), pickles numpy 2.4
// writes with protocols 2 and 5, a Python-2-style pickle (accepted by pickle.loads(..., encoding='latin1')),
// hostile pickles that would run code in Python, and hand-built malformed opcode streams.
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ExitCode, MnistLossError } from '../../../src/errors';
import { userErrorOf } from '../../helpers/cli';
import { inflateRawBytes } from '../../../src/io/files';
import { parsePickle } from '../../../src/io/pickle';
import { parseSafetensors } from '../../../src/io/safetensors';
import { parseNpz } from '../../../src/io/zip';
import { pickleOfTensors } from '../../helpers/modelBytes';

const FIXTURES = join(__dirname, '..', '..', 'fixtures');
const load = (f: string) => new Uint8Array(readFileSync(join(FIXTURES, f)));
const book = load('book-ch03-sample_weight.pkl');
/** The file the hostile fixtures' payloads would create if anything executed them (make_fixtures.py MARKER). */
const MARKER = '/tmp/mnist-loss-pickle-pwned';

const dataErrorOf = (f: () => unknown): MnistLossError => userErrorOf(f, ExitCode.Data);

/** Pickle bytes from opcode strings ('\x80\x02', latin-1) and byte arrays. */
const pk = (...parts: Array<string | number[]>) =>
  Uint8Array.from(parts.flatMap((p) => (typeof p === 'string' ? [...p].map((c) => c.charCodeAt(0)) : p)));
const sum = (a: ArrayLike<number>) => Array.from(a).reduce((s, v) => s + v, 0);

describe("the book's sample_weight.pkl", () => {
  const arrays = parsePickle(book, 'sample_weight.pkl');

  it('is a dict of six float32 arrays with the book shapes, in the pickle\'s order', () => {
    // python3 -m pickletools: SETITEMS keys b2, W1, b1, W2, W3, b3; dtype 'f4' with byte order '<'
    expect([...arrays].map(([k, a]) => [k, a.dtype, a.shape])).toEqual([
      ['b2', '<f4', [100]], ['W1', '<f4', [784, 50]], ['b1', '<f4', [50]],
      ['W2', '<f4', [50, 100]], ['W3', '<f4', [100, 10]], ['b3', '<f4', [10]],
    ]);
    for (const a of arrays.values()) expect(a.data).toBeInstanceOf(Float32Array);
  });

  it('matches pickle.load: float64 sums and spot values (W matrices are stored Fortran-ordered)', () => {
    // d = pickle.load(open('book-ch03-sample_weight.pkl', 'rb')); d[k].astype(np.float64).sum():
    const SUMS: Record<string, number> = {
      W1: 24.710748511527072, b1: 0.41067875683074817, W2: -4.358106311849042,
      b2: 0.2330201300792396, W3: -2.648974552284926, b3: -3.7532299757003784e-7,
    };
    for (const [k, a] of arrays) expect(sum(a.data)).toBeCloseTo(SUMS[k], 9);
    // d['W1'].flags['F_CONTIGUOUS'] -> True; d['W1'][0, 1] -> -0.007904390804469585; d['W1'][1, 0] -> -0.010297450236976147
    // d['W1'][783, 49] -> -0.040211476385593414; d['W2'][3, 7] -> -0.002336827339604497
    const W1 = arrays.get('W1')!.data;
    expect(W1[0 * 50 + 1]).toBe(-0.007904390804469585);
    expect(W1[1 * 50 + 0]).toBe(-0.010297450236976147);
    expect(W1[783 * 50 + 49]).toBe(-0.040211476385593414);
    expect(arrays.get('W2')!.data[3 * 100 + 7]).toBe(-0.002336827339604497);
  });

  it('equals the same weights in safetensors (written C-ordered by numpy) bit for bit', () => {
    const st = parseSafetensors(load('book-ch03.safetensors'), 'book.safetensors');
    for (const [k, t] of st.tensors) {
      expect(arrays.get(k)!.shape).toEqual(t.shape);
      expect(arrays.get(k)!.data).toEqual(t.data);
    }
  });

  it.each([1, 2, 5, 100, 600, 157_000, book.length - 1])('truncated at %i bytes is an error', (cut) => {
    expect(dataErrorOf(() => parsePickle(book.subarray(0, cut), 'cut.pkl')).message).toMatch(/^cut\.pkl: truncated pickle: /);
  });
});

describe('pickles of a 784-16-10 net written by numpy 2.4 (make_fixtures.py)', () => {
  const reference = parseNpz(load('models/net-784-16-10-compressed.npz'), 'ref.npz', inflateRawBytes);
  it.each([
    ['net-784-16-10-p2.pkl', 'protocol 2: numpy._core.multiarray._reconstruct, bytes as _codecs.encode(str, "latin1")'],
    ['net-784-16-10-p5.pkl', 'protocol 5: numpy._core.numeric._frombuffer over a BYTEARRAY8'],
    ['net-784-16-10-py2.pkl', 'Python 2 cPickle style: GLOBAL numpy.core.multiarray, SHORT_BINSTRING/BINSTRING data'],
  ])('%s (%s) holds the np.savez_compressed arrays bit for bit', (file) => {
    const arrays = parsePickle(load(`models/${file}`), file);
    expect([...arrays.keys()]).toEqual(['W1', 'b1', 'W2', 'b2']);
    for (const [k, a] of reference) {
      expect(arrays.get(k)!.shape).toEqual(a.shape);
      expect(arrays.get(k)!.data).toEqual(a.data);
    }
  });
});

describe('hostile pickles: refused at the GLOBAL that names the callable, nothing runs', () => {
  beforeAll(() => rmSync(MARKER, { force: true }));
  afterAll(() => expect(existsSync(MARKER)).toBe(false));

  it.each([
    // pickle.dumps(Call(os.system, 'touch MARKER'), protocol=4): os.system pickles as posix.system on Linux
    ['hostile-os-system.pkl', 'posix.system', 28],
    ['hostile-builtins-eval.pkl', 'builtins.eval', 29],
    ['hostile-subprocess.pkl', 'subprocess.Popen', 32],
    // {'W1': <valid float32 array>, 'b1': Call(os.system, ...)}: the valid array first does not help
    ['hostile-nested.pkl', 'posix.system', 50359],
  ])('%s names %s', (file, callable, at) => {
    const e = dataErrorOf(() => parsePickle(load(`models/${file}`), file));
    expect(e.message).toBe(
      `${file}: refusing pickle: it calls ${callable} (pickle byte ${at}); only numpy array reconstruction (numpy _reconstruct, ndarray, dtype, _frombuffer; _codecs.encode) is allowed`,
    );
    expect(e.hint).toMatch(/would run code when loaded with Python/);
    expect(existsSync(MARKER)).toBe(false);
  });

  it("the classic protocol-0 exploit cos\\nsystem\\n(S'echo pwned'\\ntR. names os.system at byte 0", () => {
    const e = dataErrorOf(() => parsePickle(pk("cos\nsystem\n(S'echo pwned'\ntR."), 'evil.pkl'));
    expect(e.message).toMatch(/^evil\.pkl: refusing pickle: it calls os\.system \(pickle byte 0\)/);
  });

  it('a STACK_GLOBAL built from memoised strings is checked the same way', () => {
    // PROTO 4 (2 bytes), 'builtins' MEMOIZE (2+8+1), 'exec' MEMOIZE (2+4+1), BINGET 0, BINGET 1 (2+2): STACK_GLOBAL at 2+11+7+4 = 24
    const e = dataErrorOf(() => parsePickle(pk('\x80\x04', '\x8c\x08builtins\x94', '\x8c\x04exec\x94', 'h\x00h\x01\x93'), 'x.pkl'));
    expect(e.message).toMatch(/it calls builtins\.exec \(pickle byte 24\)/);
  });
});

describe('malformed opcode streams', () => {
  it.each([
    [pk('\x80\x02\xff'), /unsupported pickle opcode 0xff \(pickle byte 2\)$/],
    [pk('\x80\x02(dp0\n.'), /unsupported pickle opcode 0x64 \('d'\) \(pickle byte 3\)$/],
    [pk('\x80\x06}.'), /pickle protocol 6; mnist-loss reads protocols 2 to 5 \(pickle byte 0\)$/],
    [pk('\x80\x02R.'), /REDUCE on an empty stack \(pickle byte 2\)$/],
    [pk('\x80\x02h\x05.'), /BINGET 5: no such memo entry \(pickle byte 2\)$/],
    [pk('\x80\x02t.'), /TUPLE without a MARK \(pickle byte 2\)$/],
    [pk('\x80\x02}}.'), /STOP with 2 values on the stack and 0 open MARKs; expected exactly one \(pickle byte 4\)$/],
    [pk('\x80\x02}'), /truncated pickle: no STOP opcode before the end \(3 bytes\)$/],
    [pk('\x80\x02X\xff\xff\x00\x00ab.'), /truncated pickle: BINUNICODE at byte 7 needs 65535 bytes, 3 remain$/],
    [pk('\x80\x04\x8e\xff\xff\xff\xff\xff\xff\xff\xff.'), /truncated pickle: BINBYTES8 length at byte 3 announces 18446744073709551615 bytes, 1 remain$/],
    [pk('\x80\x02]K\x01a.'), /the pickle holds a list; expected a dict of numpy arrays/],
    [pk('\x80\x02}X\x02\x00\x00\x00W1K\x03s.'), /entry "W1" of the pickled dict is the number 3, expected a numpy array$/],
    [pk('\x80\x02}K\x01K\x02s.'), /a dict key should be a string, found the number 1 \(pickle byte 7\)$/],
    [pk('\x80\x02K\x01K\x02b.'), /BUILD on the number 1; only numpy arrays and dtypes are built/],
  ])('%#: %s', (bytes, message) => {
    expect(dataErrorOf(() => parsePickle(bytes, 'x.pkl')).message).toMatch(message);
  });

  const dtype = (code: string) => `cnumpy\ndtype\nX${String.fromCharCode(code.length)}\x00\x00\x00${code}K\x00K\x01\x87R`;
  const dtypeState = '(K\x03X\x01\x00\x00\x00<NNNJ\xff\xff\xff\xffJ\xff\xff\xff\xffK\x00tb';
  /** {'W1': _reconstruct(ndarray, (0,), b'b') BUILT with (1, shape, dtype, False, raw)} by hand. */
  const arrayPickle = (shape: string, code: string, raw: string) =>
    pk('\x80\x02}X\x02\x00\x00\x00W1', 'cnumpy.core.multiarray\n_reconstruct\ncnumpy\nndarray\nK\x00\x85C\x01b\x87R',
      `(K\x01${shape}${dtype(code)}${dtypeState}\x89${raw}tbs.`);

  it('a hand-built float32 array pickle reads (the builder is right)', () => {
    // np.array([1.0, -2.0], '<f4').tobytes() = 00 00 80 3f 00 00 00 c0
    const arrays = parsePickle(arrayPickle('K\x02\x85', 'f4', 'C\x08\x00\x00\x80\x3f\x00\x00\x00\xc0'), 'x.pkl');
    expect([...arrays.get('W1')!.data]).toEqual([1, -2]);
  });

  it('an integer dtype, a size mismatch, an object array are refused', () => {
    expect(dataErrorOf(() => parsePickle(arrayPickle('K\x01\x85', 'i8', 'C\x08\x00\x00\x00\x00\x00\x00\x00\x00'), 'x.pkl')).message).toMatch(
      /numpy\.dtype of "i8": mnist-loss reads float32 \('f4'\) and float64 \('f8'\) arrays/,
    );
    expect(dataErrorOf(() => parsePickle(arrayPickle('K\x03\x85', 'f4', 'C\x08\x00\x00\x80\x3f\x00\x00\x00\xc0'), 'x.pkl')).message).toMatch(
      /ndarray state: shape \(3\) of f4 needs 12 bytes, found 8/,
    );
    expect(dataErrorOf(() => parsePickle(arrayPickle('K\x01\x85', 'f4', ']'), 'x.pkl')).message).toMatch(
      /raw data should be bytes, found a list \(object arrays are not supported\)/,
    );
  });

  it('_codecs.encode only as encode(text, "latin1"); numpy.ndarray only inside _reconstruct', () => {
    expect(dataErrorOf(() => parsePickle(pk('\x80\x02c_codecs\nencode\nX\x01\x00\x00\x00aX\x05\x00\x00\x00rot13\x86R.'), 'x.pkl')).message).toMatch(
      /_codecs\.encode is allowed only as encode\(text, 'latin1'\)/,
    );
    expect(dataErrorOf(() => parsePickle(pk('\x80\x02cnumpy\nndarray\n)R.'), 'x.pkl')).message).toMatch(/numpy\.ndarray is only allowed as an argument of _reconstruct/);
  });
});

describe('parsePickle: hostile names and sizes (issue 7 D2, D16, D22)', () => {
  const u32 = (n: number) => [n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, (n >>> 24) & 0xff];
  const unicode = (s: string) => { const b = [...new TextEncoder().encode(s)]; return [0x58, ...u32(b.length), ...b]; };
  const long = 'q'.repeat(10000);

  it.each([
    // the opcode's byte: GLOBAL right after PROTO (2), STACK_GLOBAL just before STOP (length - 2)
    ['GLOBAL with an escape sequence', pk('\x80\x02cos\x1b[31m\nsystem\x1b[0m\n.'), 'os\\x1b[31m.system\\x1b[0m', 2],
    ['STACK_GLOBAL with a newline', pk('\x80\x04', unicode('os\nsys'), unicode('tem'), '\x93.'), 'os\\nsys.tem', 21],
    ['STACK_GLOBAL with 10,000 characters', pk('\x80\x04', unicode('os'), unicode(long), '\x93.'), `os.${'q'.repeat(197)}…(+9803 more characters)`, 10014],
  ])('%s: the refused callable is escaped and capped', (_, bytes, shown, at) => {
    const e = dataErrorOf(() => parsePickle(bytes, 'h.pkl'));
    expect(e.message).not.toMatch(/[\n\x1b]/);
    expect(e.message).toBe(`h.pkl: refusing pickle: it calls ${shown} (pickle byte ${at}); only numpy array reconstruction (numpy _reconstruct, ndarray, dtype, _frombuffer; _codecs.encode) is allowed`);
  });

  it('a dict key that is no array is named escaped and capped', () => {
    const e = dataErrorOf(() => parsePickle(pk('\x80\x02}', unicode(`k\n\x1b[31m${long}`), 'N', 's.'), 'k.pkl'));
    expect(e.message).toMatch(/^k\.pkl: entry "k\\n\\x1b\[31mq+…\(\+9807 more characters\)" of the pickled dict is None, expected a numpy array$/);
  });

  it('APPENDS of 300,000 items is one loop, not a call with 300,000 arguments', () => {
    const items = new Array(300000).fill('N').join('');
    expect(dataErrorOf(() => parsePickle(pk('\x80\x02](', items, 'e.'), 'l.pkl')).message).toMatch(/^l\.pkl: the pickle holds a list; expected a dict/);
  });

  it('a shape of 65 dimensions is refused before the quadratic Fortran walk', () => {
    const net = pickleOfTensors({ W1: [new Array(65).fill(1), [0]] });
    expect(dataErrorOf(() => parsePickle(net, 'd.pkl')).message).toMatch(/shape has 65 dimensions; numpy arrays have at most 64/);
  });
});
