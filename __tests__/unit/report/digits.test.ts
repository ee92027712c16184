// The terminal digit drawing (src/report/digits.ts): shade thresholds, two pixel rows per line,
// and side-by-side layout, checked on tiny images whose output can be worked out by hand.
import { digitLines, renderDigits, shadeOf } from '../../../src/report/digits';

describe('shadeOf', () => {
  it('splits 0..255 into five bands of width 256/5 = 51.2: [0,51.2) blank ... [204.8,256) full', () => {
    expect([0, 51, 52, 102, 103, 153, 154, 204, 205, 255].map((v) => shadeOf(v)).join('')).toBe('  ░░▒▒▓▓██');
  });

  it('in ASCII the same five bands are " .:+#"', () => {
    expect([0, 51, 52, 102, 103, 153, 154, 204, 205, 255].map((v) => shadeOf(v, 'ascii')).join('')).toBe('  ..::++##');
    expect(renderDigits([{ pixels: Uint8Array.of(0, 255, 255, 255), rows: 2, cols: 2, caption: 'x' }], 80, undefined, 2, 'ascii')).toBe('x\n:#\n');
  });
});

describe('digitLines', () => {
  it('each character is the mean of two vertically adjacent pixels; an odd last row pairs with 0', () => {
    // 3 rows x 2 cols: rows (255, 0), (255, 255), (255, 110)
    // line 0: mean(255,255) = 255 -> █, mean(0,255) = 127.5 -> ▒ ; line 1: 255/2 = 127.5 -> ▒, 110/2 = 55 -> ░
    const pixels = Uint8Array.from([255, 0, 255, 255, 255, 110]);
    expect(digitLines(pixels, 3, 2)).toEqual(['█▒', '▒░']);
  });
});

describe('renderDigits', () => {
  const cell = (caption: string, value: number) => ({ pixels: new Uint8Array(4 * 3).fill(value), rows: 4, cols: 3, caption });

  it('puts as many cells side by side as the width allows, caption line first, blank line after each band', () => {
    // cell width = max(3 cols, caption length 2) = 3; per band = floor((width + 2) / (3 + 2)): width 8 -> 2
    const out = renderDigits([cell('#1', 255), cell('#2', 255), cell('#3', 0)], 8);
    expect(out.split('\n')).toEqual(['#1   #2', '███  ███', '███  ███', '', '#3', '', '', '']);
  });

  it('always draws at least one cell per band, however narrow the terminal', () => {
    expect(renderDigits([cell('a', 255), cell('b', 255)], 1).split('\n')[0]).toBe('a');
  });

  it('draws nothing for no cells', () => {
    expect(renderDigits([], 80)).toBe('');
  });
});
