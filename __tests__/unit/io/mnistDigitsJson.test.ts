// The mnist package's {"data": [...]} digit files -> bytes Math.round(v * 255), on hand-written inputs.
// (The real files are checked against the official IDX bytes in __tests__/unit/data/mnist.test.ts.)
import { ExitCode, MnistLossError } from '../../../src/errors';
import { parseMnistDigitsJson } from '../../../src/io/mnistDigitsJson';

const enc = (s: string) => new TextEncoder().encode(s);
/** One 28x28 image: the given values first, zeros after. */
const image = (...head: string[]) => [...head, ...Array(784 - head.length).fill('0')];
const file = (values: string[], space = '') => enc(`{ "data": [${values.join(',' + space)}] }`);

describe('parseMnistDigitsJson', () => {
  it('maps 3-decimal values back to bytes with Math.round(v * 255)', () => {
    // 0.2*255 = 51, 0.624*255 = 159.12 -> 159, 0.992*255 = 252.96 -> 253, 0.196*255 = 49.98 -> 50,
    // 0.024*255 = 6.12 -> 6, 0.3*255 = 76.5 -> 77 (Math.round rounds halves up), 1 -> 255, 0.5*255 = 127.5 -> 128
    const { count, pixels } = parseMnistDigitsJson(file(image('0.2', '0.624', '0.992', '0.196', '0.024', '0.3', '1', '0.5')), '0.json');
    expect(count).toBe(1);
    expect(pixels.length).toBe(784);
    expect([...pixels.subarray(0, 9)]).toEqual([51, 159, 253, 50, 6, 77, 255, 128, 0]);
    expect(pixels.subarray(8).every((p) => p === 0)).toBe(true);
  });

  it('takes other spellings of a number the same way (more decimals, exponent, whitespace)', () => {
    // 0.1234*255 = 31.467 -> 31; 1e-1*255 = 25.5 -> 26; 0.50 = 0.5 -> 128
    const { pixels } = parseMnistDigitsJson(file(image('0.1234', '1e-1', '0.50', '0'), ' \n'), 'x.json');
    expect([...pixels.subarray(0, 4)]).toEqual([31, 26, 128, 0]);
  });

  it('gives Math.round(Number(text) * 255) for every 3-decimal value 0, 0.001, ..., 1', () => {
    const texts = Array.from({ length: 1001 }, (_, m) => String(m / 1000)); // "0", "0.001", ..., "0.624", ..., "1"
    const values = [...texts, ...Array(2 * 784 - texts.length).fill('0')];
    const { pixels } = parseMnistDigitsJson(file(values), 'x.json');
    const expected = texts.map((t) => Math.round(Number(t) * 255));
    expect([...pixels.subarray(0, 1001)]).toEqual(expected);
  });

  it('counts several images', () => {
    expect(parseMnistDigitsJson(file([...image('1'), ...image('0.2')]), 'x.json').count).toBe(2);
  });

  const dataError = (bytes: Uint8Array): MnistLossError => {
    try {
      parseMnistDigitsJson(bytes, '3.json');
    } catch (e) {
      expect(e).toBeInstanceOf(MnistLossError);
      expect((e as MnistLossError).exitCode).toBe(ExitCode.Data);
      return e as MnistLossError;
    }
    throw new Error('expected a data error');
  };

  it('refuses a value outside [0, 1], naming the image and pixel', () => {
    const values = [...image(), ...image('0', '0', '1.5')];
    expect(dataError(file(values)).message).toMatch(/^3\.json: value 786 \(image 1, pixel 2\) at byte \d+: expected a pixel value in \[0, 1\], found 1.5$/);
  });

  it('refuses a count that is not a whole number of 28x28 images', () => {
    expect(dataError(file(['0', '1', '0'])).message).toBe('3.json: 3 values is not a whole number of 28x28 images (0 images and 3 values left over)');
  });

  it('refuses a file that is not the package format', () => {
    expect(dataError(enc('[0, 1]')).message).toMatch(/expected \{"data": \[\.\.\.\]\}/);
    expect(dataError(enc('{"data": [0, "a"]}')).message).toMatch(/expected a number, found "\\"a\\""/);
    expect(dataError(enc('{"data": [0, 1')).message).toMatch(/expected ',' or '\]', found the end of the file/);
  });
});
