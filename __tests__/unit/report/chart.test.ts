// Terminal charts: braille dot bits, staircases vs connected curves, axis labels from the data, ASCII
// fallback, signed maps (exact zeros drawn as dots) and wide-character padding. Expected text is built by
// hand from the braille table (U+2800 + bits: left column 0x01 0x02 0x04 0x40, right 0x08 0x10 0x20 0x80).
import { displayWidth, mapLines, plotLines, renderChart, sideBySide } from '../../../src/report/chart';

const braille = (bits: number) => String.fromCharCode(0x2800 + bits);

describe('plotLines', () => {
  it('a rising line over 2 characters × 1 line: dots (0,3) (1,2) (2,1) (3,0)', () => {
    // 4 points, x 0..3, y 0..3 -> dot columns 0..3, dot rows 3..0 (row 0 is the top)
    const lines = plotLines([0, 1, 2, 3], [0, 1, 2, 3], false, 2, 1, 'unicode');
    // char 0 holds dot columns 0,1: (0,3) -> 0x40, (1,2) -> 0x20; char 1 holds columns 2,3: (0,1) -> 0x02, (1,0) -> 0x08
    expect(lines).toEqual([braille(0x40 | 0x20) + braille(0x02 | 0x08)]);
  });

  it('a flat series sits on one row in the middle', () => {
    const lines = plotLines([0, 1], [0.93, 0.93], true, 3, 3, 'ascii');
    expect(lines).toEqual(['', '___', ''].map((s) => s.padEnd(3)));
  });

  it('a step series holds its value, then jumps at the next x (ASCII: _ and |)', () => {
    // x 0,1,2 -> columns 0,2,4 of 5; y 0,0,1 -> bottom, bottom, top of 3 rows
    const lines = plotLines([0, 1, 2], [0, 0, 1], true, 5, 3, 'ascii');
    expect(lines).toEqual(['    |', '    |', '____|']);
  });

  it("a smooth series connects neighbours with '*'", () => {
    expect(plotLines([0, 1, 2], [0, 1, 0], false, 3, 2, 'ascii')).toEqual([' * ', '* *']);
  });
});

describe('renderChart', () => {
  const x = [-1, 0, 1];
  const chart = renderChart(x, [
    { label: 'CEE', y: [0.3, 0.2, 0.25], step: false, format: (v) => v.toFixed(2) },
    { label: 'accuracy', y: [0.9, 0.9, 0.91], step: true, format: (v) => v.toFixed(2) },
  ], { width: 10, height: 3, charset: 'ascii', formatX: String, mark: { x: 0, caption: 'model' } });
  const lines = chart.split('\n');

  it('labels each panel with its own top and bottom value and its name', () => {
    expect(lines[0]).toMatch(/^ +0\.30 \|/);
    expect(lines[1]).toMatch(/^ +CEE \|/);
    expect(lines[2]).toMatch(/^ +0\.20 \|/);
    expect(lines[4]).toMatch(/^ +0\.91 \|/);
    expect(lines[5]).toMatch(/^ accuracy \|/);
    expect(lines[6]).toMatch(/^ +0\.90 \|/);
  });

  it('puts the x range under the axis and marks x = 0 in the middle of 10 columns', () => {
    expect(lines[7]).toBe(' '.repeat(9) + ' +' + '-'.repeat(10));
    expect(lines[8]).toBe(' '.repeat(9) + '  -1' + '1'.padStart(8));
    // scale(0, -1, 1, 10) = round(0.5 · 9) = 5 (4.5 rounds up)
    expect(lines[9]).toBe(' '.repeat(9) + '  ' + ' '.repeat(5) + '^');
    expect(lines[10]).toBe(' '.repeat(9) + '  ' + ' '.repeat(3) + 'model');
  });
});

describe('renderChart with a flat series', () => {
  it('labels the value once, on the row the line is drawn on, with the name above it', () => {
    const lines = renderChart([0, 1], [{ label: 'acc', y: [0.95, 0.95], step: true, format: (v) => v.toFixed(2) }], { width: 4, height: 4, charset: 'ascii', formatX: String }).split('\n');
    // 4 rows: the flat line on row 4 − 1 − floor(3/2) = 2
    expect(lines.slice(0, 4)).toEqual(['      |', '  acc |', ' 0.95 |____', '      |']);
  });
});

describe('mapLines', () => {
  it('pairs of rows per line; exact zeros are dots; any nonzero gets at least the lightest shade', () => {
    // 2 × 3 map: column 0 both 0, column 1 tiny, column 2 the maximum
    const lines = mapLines([0, 1e-12, 0, 0, 0, -4], 2, 3, 4, 'unicode');
    expect(lines).toEqual(['·░█']);
    expect(mapLines([0, 1e-12, 0, 0, 0, -4], 2, 3, 4, 'ascii')).toEqual(['.-#']);
  });

  it('an all-zero map is all dots', () => {
    expect(mapLines(new Float64Array(28 * 28), 28, 28, 1, 'unicode')).toEqual(Array(14).fill('·'.repeat(28)));
  });
});

describe('wide characters', () => {
  it('Hangul takes two columns, ASCII one, colour codes none', () => {
    expect(displayWidth('정확도')).toBe(6);
    expect(displayWidth('CEE')).toBe(3);
    expect(displayWidth('\x1b[31mab\x1b[0m')).toBe(2);
  });

  it('sideBySide pads by display width', () => {
    expect(sideBySide([['정확도', 'x'], ['a', 'b']], [6, 1], 1)).toEqual(['정확도 a', 'x      b']);
  });
});
