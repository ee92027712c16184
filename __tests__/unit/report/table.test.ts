// renderTable and wrap within a width: optional columns out, then two-line headers, then header/value pairs;
// words longer than a line cut. Expected layouts are written out by hand.
import { renderTable } from '../../../src/report/table';
import { displayWidth, fitLine, joinParts, wrap } from '../../../src/report/width';
import { epochLayout } from '../../../src/report/progress';
import { formatExamples } from '../../../src/cli/options';

const columns = [{ header: 'value (+)' }, { header: 'SSE (mean/img)' }, { header: 'CEE (mean/img)' }, { header: 'correct', optional: true }];
const rows = [['-2', '0.033999', '0.134131', '95'], ['0', '0.040546', '0.180308', '95']];
const widest = (text: string) => Math.max(...text.trimEnd().split('\n').map(displayWidth));

describe('renderTable within a width', () => {
  it('fits: one header line, every column', () => {
    expect(renderTable(columns, rows, undefined, 80)).toBe(
      'value (+)  SSE (mean/img)  CEE (mean/img)  correct\n' +
      '       -2        0.033999        0.134131       95\n' +
      '        0        0.040546        0.180308       95\n');
  });

  it('narrower: the optional column goes first (9 + 14 + 14 + 2·2 = 41 columns)', () => {
    expect(renderTable(columns, rows, undefined, 45).split('\n')[0]).toBe('value (+)  SSE (mean/img)  CEE (mean/img)');
  });

  it('narrower still: headers wrap onto two lines, bottom-aligned, columns as wide as a cell or a header word', () => {
    // widths: max(2, 'value') = 5, max(8, '(mean/img)') = 10, 10: 5 + 10 + 10 + 2·2 = 29
    expect(renderTable(columns, rows, undefined, 30)).toBe(
      'value         SSE         CEE\n' +
      '  (+)  (mean/img)  (mean/img)\n' +
      '   -2    0.033999    0.134131\n' +
      '    0    0.040546    0.180308\n');
  });

  it('too narrow for any table: each row as header/value pairs, nothing past the width', () => {
    const text = renderTable(columns, rows, undefined, 24);
    expect(text.split('\n\n')).toHaveLength(2);
    expect(text).toContain('value (+)       -2\nSSE (mean/img)  0.033999\nCEE (mean/img)  0.134131\n');
    expect(widest(text)).toBeLessThanOrEqual(24);
  });
});

describe("renderTable's other overflows: bands of columns, a wrapped last column", () => {
  // eval --worst's shape: a key, then columns 6 wide ('0.0038'); headers no wider than their cells
  const probs = [{ header: 'index' }, ...Array.from({ length: 6 }, (_, k) => ({ header: `p${k}` }))];
  const prow = (i: number) => [String(3000 + i), ...Array.from({ length: 6 }, (_, k) => `0.${i}00${k}`)];

  it("'bands': as few bands as fit, the key column in each, the other columns shared out evenly", () => {
    // all 7 columns: 4 + 6·6 + 6·2 = 52 > 40; 1 + 3 columns: 4 + 3·6 + 3·2 = 28 (4 of them, 36, would fit too:
    // greedy takes 4 then 2; shared out evenly, 3 and 3)
    expect(renderTable(probs, [prow(1), prow(2)], undefined, 40, 'bands')).toBe(
      'index      p0      p1      p2\n' +
      ' 3001  0.1000  0.1001  0.1002\n' +
      ' 3002  0.2000  0.2001  0.2002\n' +
      '\n' +
      'index      p3      p4      p5\n' +
      ' 3001  0.1003  0.1004  0.1005\n' +
      ' 3002  0.2003  0.2004  0.2005\n');
  });

  it("'bands': each band is laid out as a table of its own (two-line headers where needed); a table that fits stays as it was", () => {
    const wideFirst = [{ header: 'index' }, { header: 'a long header' }, { header: 'p1' }, { header: 'p2' }];
    const text = renderTable(wideFirst, [['1', 'x', '0.5', '0.25']], undefined, 21, 'bands');
    const bands = text.split('\n\n');
    expect(bands).toHaveLength(2);
    for (const band of bands) expect(band).toMatch(/\bindex\b[^]*\n\s*1 /); // the key's header and cell in each band
    expect(widest(text)).toBeLessThanOrEqual(21);
    expect(renderTable(probs, [prow(1)], undefined, 200, 'bands')).toBe(renderTable(probs, [prow(1)], undefined, 200));
  });

  it("'wrap': the last (text) column wraps under itself where 12 or more columns are left for it, else pairs", () => {
    const files = [{ header: 'split', align: 'left' as const }, { header: 'images' }, { header: 'files', align: 'left' as const }];
    const row = ['train', '60000', 'train-images-idx3-ubyte, train-labels-idx1-ubyte'];
    // split 5 + images 6 + 2·2 = 15: the files get 40 − 15 = 25 columns
    expect(renderTable(files, [row], undefined, 40, 'wrap')).toBe(
      'split  images  files\n' +
      'train   60000  train-images-idx3-ubyte,\n' +
      '               train-labels-idx1-ubyte\n');
    // at 26 only 11 are left: header/value pairs instead (the value, 18 columns, cuts the file names)
    const pairs = renderTable(files, [row], undefined, 26, 'wrap');
    expect(pairs).toMatch(/^split   train\nimages  60000\nfiles   train-images-idx3-\n/);
    expect(widest(pairs)).toBeLessThanOrEqual(26);
  });
});

describe('joinParts', () => {
  it('breaks between parts only, and keeps a line that fits as it was', () => {
    const parts = ['images: train 1, 2', 'mean CEE 2.3', 'h = 0.0001', 'float64'];
    expect(joinParts(parts, 80)).toBe('images: train 1, 2 · mean CEE 2.3 · h = 0.0001 · float64');
    expect(joinParts(parts, 34)).toBe('images: train 1, 2 · mean CEE 2.3\nh = 0.0001 · float64');
    expect(joinParts(['a b c d e f', 'g'], 5)).toBe('a b c\nd e f\ng'); // a part wider than a line wraps at its spaces
  });
});

describe('wrap and fitLine', () => {
  it('cuts a word longer than the line (a path) into pieces that fill it', () => {
    expect(wrap('data: /a/very/long/path/to/mnist', 12)).toBe('data:\n/a/very/long\n/path/to/mni\nst');
    expect(wrap('x /abcdefghij', 8, '  ')).toBe('  x\n  /abcde\n  fghij'); // 8 columns less the indent: pieces of 6
  });
  it('fitLine keeps a fitting line byte for byte (runs of spaces too) and indents continuation lines only', () => {
    expect(fitLine('SSE 0.1   CEE 0.2', 40)).toBe('SSE 0.1   CEE 0.2');
    expect(fitLine('SSE 0.1   CEE 0.2', 10, '  ')).toBe('SSE 0.1\n  CEE 0.2');
  });
});

describe("train's epoch table layout", () => {
  it('one header line and all 8 columns where 79 columns fit', () => {
    const wide = epochLayout(80);
    expect(wide.columns).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(wide.headerLines).toEqual([' epoch  iteration  batch CEE  train CEE  train acc  test CEE  test acc  seconds']);
  });
  it('narrower: two-line headers, then seconds, iteration, train acc, train CEE left out in that order', () => {
    // two-line widths: epoch 6, iteration 9, the five losses and accuracies 6 each, seconds 7; 2 between columns
    expect(epochLayout(70).columns).toEqual([0, 1, 2, 3, 4, 5, 6, 7]); // 6 + 9 + 5·6 + 7 + 7·2 = 66
    expect(epochLayout(60).columns).toEqual([0, 1, 2, 3, 4, 5, 6]); // 66 − 7 − 2 = 57
    expect(epochLayout(50).columns).toEqual([0, 2, 3, 4, 5, 6]); // 57 − 9 − 2 = 46
    expect(epochLayout(40).columns).toEqual([0, 2, 3, 5, 6]);
    expect(epochLayout(40).headerLines).toEqual(['         batch   train    test    test', ' epoch     CEE     CEE     CEE     acc']);
  });
});

describe('formatExamples', () => {
  it('keeps lines that fit; moves a note below and breaks a long command with shell continuations', () => {
    expect(formatExamples(['mnist-loss info'], 40)).toBe('  $ mnist-loss info');
    expect(formatExamples(["mnist-loss sweep --param 'W1[409,18]' --json   # all rows"], 40)).toBe(
      "  $ mnist-loss sweep --param \\\n      'W1[409,18]' --json\n      # all rows");
  });
});

describe("'bands' when no band can fit", () => {
  it('a key column that is too wide beside any one other column gives pairs, not bands that still overflow', () => {
    // key 30 wide + 2 + 6 = 38 > 30: no band of the key and one column fits in 30
    const cols = [{ header: 'y', align: 'left' as const }, { header: 'a' }, { header: 'b' }, { header: 'c' }];
    const text = renderTable(cols, [['x'.repeat(30), '1.0000', '2.0000', '3.0000']], undefined, 30, 'bands');
    expect(text).toBe(`y  ${'x'.repeat(27)}\n   xxx\na  1.0000\nb  2.0000\nc  3.0000\n`);
  });
});
