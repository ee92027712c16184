// Hostile files through the real CLI (issue 7 D2, D6, D7, D8, D16, D18, D19, D22): each is a user error
// (exit 3, one "mnist-loss:" line and one "hint:" line, nothing on stdout, no ESC byte on stderr) or, for the
// valid ones, a normal run. Files are built in memory by __tests__/helpers/modelBytes.ts.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { serializeNpy } from '../../src/io/npy';
import { expectUserError, requireBuiltCli, runCli } from '../helpers/cli';
import { makeTempDir, removeDir, writeFixtureDir } from '../helpers/idxFixture';
import { npzBytes, npzOfTensors, pickleOfTensors, safetensorsOfTensors, tinyNetwork } from '../helpers/modelBytes';

let data: string;
let tmp: string;
beforeAll(() => {
  requireBuiltCli();
  data = writeFixtureDir(12, 12).dir;
  tmp = makeTempDir();
});
afterAll(() => {
  removeDir(data);
  removeDir(tmp);
});

const write = (name: string, bytes: Uint8Array | string) => {
  const file = path.join(tmp, name);
  fs.writeFileSync(file, bytes);
  return file;
};
const evalModel = (file: string) => runCli(['eval', '--model', file, '--data', data]);
/** The user-error shape, and no escape byte or raw control character reaching the terminal. */
const expectCleanError = (r: ReturnType<typeof runCli>, message: RegExp) => {
  expectUserError(r, 3, message);
  expect(r.stderr).not.toMatch(/[\x00-\x09\x0b-\x1f\x7f]/);
  expect(r.stderr.length).toBeLessThan(1500);
};

const hostile = `W1\n\x1b[31m${'z'.repeat(10000)}`;

describe('eval --model with hostile model files', () => {
  const withHugeLayer = { ...tinyNetwork(), W999999999: [[1], [0]] as [number[], number[]] };
  it.each([
    ['safetensors', 'big.safetensors', () => safetensorsOfTensors(withHugeLayer)],
    ['npz', 'big.npz', () => npzOfTensors(withHugeLayer, true)],
    ['pickle', 'big.pkl', () => pickleOfTensors(withHugeLayer)],
  ])('W999999999 in %s: exit 3 at once, naming the gap', (_, name, bytes) => {
    expectCleanError(evalModel(write(name, bytes())), /missing W3, b3, .* and 1999999983 more: .*up to W999999999, b999999999 with no gaps/);
  });

  it.each([
    ['safetensors', 'name.safetensors', () => safetensorsOfTensors({ ...tinyNetwork(), [hostile]: [[1], [0]] })],
    ['npz', 'name.npz', () => npzOfTensors({ ...tinyNetwork(), [hostile]: [[1], [0]] })],
    ['pickle', 'name.pkl', () => pickleOfTensors({ ...tinyNetwork(), [hostile]: [[1], [0]] })],
  ])('a tensor name with a newline, ESC and 10,000 characters in %s: two lines, escaped (8 + 10000 - 200 = 9808 cut)', (_, name, bytes) => {
    expectCleanError(evalModel(write(name, bytes())), /unexpected tensor "W1\\n\\x1b\[31mz+…\(\+9808 more characters\)"/);
  });

  it('a pickle calling a hostile STACK_GLOBAL name', () => {
    const str = (s: string) => { const b = Buffer.from(s); return [0x58, b.length & 0xff, (b.length >> 8) & 0xff, 0, 0, ...b]; };
    const file = write('global.pkl', Uint8Array.from([0x80, 0x04, ...str('os\n\x1b[31m'), ...str(`system${'s'.repeat(10000)}`), 0x93, 0x2e]));
    expectCleanError(evalModel(file), /refusing pickle: it calls os\\n\\x1b\[31m\.systems+…/);
  });

  it('a safetensors header nested 200,000 deep: exit 3, not a stack overflow', () => {
    const json = `{"x":${'['.repeat(200000)}${']'.repeat(200000)}}`;
    const bytes = Buffer.alloc(8 + json.length);
    bytes.writeBigUInt64LE(BigInt(json.length), 0);
    bytes.write(json, 8, 'latin1');
    expectCleanError(evalModel(write('deep.safetensors', bytes)), /header nests arrays or objects more than 64 deep/);
  });

  it('an npz member whose (2, 2) header disagrees with its 64 MiB declared size is refused before inflating', () => {
    const bomb = new Uint8Array(64 * 1024 * 1024);
    bomb.set(serializeNpy([2, 2], new Float32Array(4)).subarray(0, 128));
    expectCleanError(evalModel(write('bomb.npz', npzBytes([{ name: 'W1.npy', bytes: bomb, deflate: true }]))), /its \.npy header says shape \(2, 2\) of <f4 = 144 bytes with the header, the archive declares 67108864/);
  });

  it('an npz member whose .npy header hides a descr inside another value', () => {
    const npy = serializeNpy([784, 1], new Float32Array(784));
    const header = "{'descr': '<f4', 'fortran_order': False, 'shape': (784, 1), 'x': {'descr': '<i1'}}";
    const text = Buffer.from(npy.subarray(10, 128)).toString('latin1');
    const patched = Buffer.from(npy);
    patched.write(header.padEnd(text.length - 1, ' ') + '\n', 10, 'latin1');
    const members = Object.entries(tinyNetwork()).map(([k, [shape, v]]) => ({ name: `${k}.npy`, bytes: k === 'W1' ? new Uint8Array(patched) : serializeNpy(shape, Float32Array.from(v)) }));
    expectCleanError(evalModel(write('descr.npz', npzBytes(members))), /\.npy header has an unexpected key the string 'x'/);
  });
});

describe('loss --y with hostile and large text files', () => {
  const loss = (y: string, t = '0') => runCli(['loss', '--y', y, '--t', t]);

  it('a CSV line of 800,000 characters: the message quotes at most 200 of them', () => {
    expectCleanError(loss(write('long.csv', `0.5,${'x'.repeat(800000)}\n`)), /line 1, column 2 is 'x{200}…\(800000 bytes in all\)', not a number/);
  });

  it('a CSV cell with ESC and a JSON value with ESC are escaped', () => {
    expectCleanError(loss(write('esc.csv', '0.5,\x1b[31m0.5\n')), /line 1, column 2 is '\\x1b\[31m0\.5', not a number/);
    expectCleanError(loss(write('esc.json', '[0.5, "\x1b[31m"]')), /line 1, column 7: expected a number or '\[', found '"\\x1b\[31m"\]'/);
  });

  it('NaN in a CSV is refused naming its row and column', () => {
    expectCleanError(loss(write('nan.csv', '0.5,0.5\n0.5,nan\n'), '0,1'), /nan\.csv: row 1, column 1 is NaN: predictions must be finite numbers/);
  });

  it('a JSON number of 104 characters is accepted (JSON grammar), and so are CRLF, BOM and 10,000 CSV rows', () => {
    const r = loss(write('long-number.json', `[0.1${'0'.repeat(100)}1, 0.9]`), '1');
    expect(r.status).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain('0.1053604045'); // CEE = -log(0.9 + 1e-7) = 0.10536040454672...
    const labels = write('labels.csv', '1\n'.repeat(10000));
    const many = loss(write('many.csv', '\ufeff' + '0.1,0.9\r\n'.repeat(10000)), labels);
    expect(many.status).toBe(0);
    expect(many.stdout).toContain('0.1053604045');
  });
});
