// CSV, JSON and inline numeric arrays: what np.savetxt / json.dump write is read back exactly, and every
// malformed input is refused with the file, line (and column) and a hint.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ExitCode, MnistLossError } from '../../../src/errors';
import { parseCsvArray, parseInlineList, parseJsonArray, parseNumberToken } from '../../../src/io/textArrays';
import { userErrorOf } from '../../helpers/cli';

const FIXTURES = path.join(__dirname, '../../fixtures/loss');
const bytes = (s: string) => new TextEncoder().encode(s);
const Y_SMALL = [0.1, 0.2, 0.3, 0.4, 0.7, 0.1, 0.1, 0.1, 0.25, 0.25, 0.25, 0.25, 0.0, 0.5, 0.5008, 0.0, 1.0, 0.0, 0.0, 0.0];

const errorOf = userErrorOf;

describe('parseNumberToken', () => {
  it('reads decimals, exponents and numpy\'s nan / inf spellings; nothing else', () => {
    expect(parseNumberToken('0.25')).toBe(0.25);
    expect(parseNumberToken(' -1e-3 ')).toBe(-0.001);
    expect(parseNumberToken('.5')).toBe(0.5);
    expect(parseNumberToken('3.')).toBe(3);
    expect(parseNumberToken('nan')).toBeNaN();
    expect(parseNumberToken('NaN')).toBeNaN();
    expect(parseNumberToken('inf')).toBe(Infinity);
    expect(parseNumberToken('-Infinity')).toBe(-Infinity);
    for (const bad of ['', 'abc', '0x10', '1,5', '1e', '--1', 'Infinityx']) expect(parseNumberToken(bad)).toBeUndefined();
  });
});

describe('parseCsvArray', () => {
  it('reads np.savetxt(y_small, delimiter=",", fmt="%.17g", header="p0,p1,p2,p3", comments="") exactly', () => {
    const a = parseCsvArray(fs.readFileSync(path.join(FIXTURES, 'y-small.csv')), 'y-small.csv');
    expect(a.shape).toEqual([5, 4]);
    expect(a.header).toEqual(['p0', 'p1', 'p2', 'p3']);
    expect([...a.data]).toEqual(Y_SMALL);
  });

  it('reads np.savetxt(t_small, fmt="%d") as a (5, 1) column', () => {
    const a = parseCsvArray(fs.readFileSync(path.join(FIXTURES, 't-small.csv')), 't-small.csv');
    expect(a.shape).toEqual([5, 1]);
    expect([...a.data]).toEqual([3, 0, 1, 2, 0]);
  });

  it('space-separated (np.savetxt default), # comments, blank lines, CRLF and a byte-order mark', () => {
    const a = parseCsvArray(bytes('\ufeff# p0 p1\r\n1.5e-1 8.5e-01\r\n\r\n  0.5\t0.5  \r\n'), 's.csv');
    expect(a.shape).toEqual([2, 2]);
    expect([...a.data]).toEqual([0.15, 0.85, 0.5, 0.5]);
  });

  it('keeps nan and inf for the caller to name', () => {
    const a = parseCsvArray(bytes('0.5,nan\ninf,-inf\n'), 'n.csv');
    expect(a.data[1]).toBeNaN();
    expect([a.data[2], a.data[3]]).toEqual([Infinity, -Infinity]);
  });

  it('refuses ragged rows naming both sizes', () => {
    expect(errorOf(() => parseCsvArray(bytes('0.1,0.9\n0.2,0.3,0.5\n'), 'r.csv')).message).toBe(
      'r.csv: line 2 has 3 values, line 1 has 2: every row needs the same number of columns',
    );
  });

  it('refuses empty cells, non-numbers, empty files and header-only files', () => {
    expect(errorOf(() => parseCsvArray(bytes('0.1,0.9\n0.2,,0.5\n'), 'e.csv')).message).toMatch(/^e\.csv: line 2 has 3 values/);
    expect(errorOf(() => parseCsvArray(bytes('0.1,\n'), 'e.csv')).message).toBe('e.csv: line 1, column 2 is empty');
    expect(errorOf(() => parseCsvArray(bytes('0.1,0.9\n0.2,abc\n'), 'x.csv')).message).toBe("x.csv: line 2, column 2 is 'abc', not a number");
    expect(errorOf(() => parseCsvArray(bytes(''), 'z.csv')).message).toMatch(/^z\.csv: no numbers found/);
    expect(errorOf(() => parseCsvArray(bytes('a,b\n'), 'h.csv')).message).toMatch(/^h\.csv: no numbers found/);
    expect(errorOf(() => parseCsvArray(Uint8Array.of(0xff, 0xfe, 0x00), 'b.csv')).message).toBe('b.csv: line 1 is not UTF-8 text');
  });

  it('a header that mixes names and numbers is a bad cell, not a header', () => {
    expect(errorOf(() => parseCsvArray(bytes('p0,0.5\n0.5,0.5\n'), 'm.csv')).message).toBe("m.csv: line 1, column 1 is 'p0', not a number");
  });
});

describe('parseJsonArray', () => {
  it('reads json.dump(y_small.tolist()) exactly, and a list of labels', () => {
    const a = parseJsonArray(fs.readFileSync(path.join(FIXTURES, 'y-small.json')), 'y-small.json');
    expect(a.shape).toEqual([5, 4]);
    expect([...a.data]).toEqual(Y_SMALL);
    const t = parseJsonArray(fs.readFileSync(path.join(FIXTURES, 't-small.json')), 't-small.json');
    expect(t.shape).toEqual([5]);
    expect([...t.data]).toEqual([3, 0, 1, 2, 0]);
  });

  it('a scalar, an empty list, and Python json\'s NaN / Infinity / -Infinity', () => {
    expect(parseJsonArray(bytes(' 2 '), 's.json')).toEqual({ shape: [], data: Float64Array.of(2) });
    expect(parseJsonArray(bytes('[]'), 'e.json').shape).toEqual([0]);
    const a = parseJsonArray(bytes('[[NaN, Infinity],\n [-Infinity, 1e-3]]'), 'n.json');
    expect(a.shape).toEqual([2, 2]);
    expect(a.data[0]).toBeNaN();
    expect([...a.data.subarray(1)]).toEqual([Infinity, -Infinity, 0.001]);
  });

  it('refuses ragged rows naming both sizes', () => {
    expect(errorOf(() => parseJsonArray(bytes('[[0.1, 0.9], [1]]'), 'r.json')).message).toBe(
      'r.json: row 1 has 1 values, row 0 has 2: every row needs the same length',
    );
  });

  it('refuses strings, objects, three levels, mixed levels, trailing text and truncation with line and column', () => {
    expect(errorOf(() => parseJsonArray(bytes('[0.1,\n "0.9"]'), 'q.json')).message).toBe(`q.json: line 2, column 2: expected a number or '[', found '"0.9"]'`);
    expect(errorOf(() => parseJsonArray(bytes('{"y": [1]}'), 'o.json')).message).toMatch(/^o\.json: line 1, column 1: expected a number or '\['/);
    expect(errorOf(() => parseJsonArray(bytes('[[[1]]]'), 'd.json')).message).toBe('d.json: line 1, column 3: arrays nested more than two levels deep');
    expect(errorOf(() => parseJsonArray(bytes('[1, [2]]'), 'm.json')).message).toBe('m.json: mixes numbers and arrays at the top level');
    expect(errorOf(() => parseJsonArray(bytes('[1] x'), 't.json')).message).toBe("t.json: line 1, column 5: unexpected 'x' after the array");
    expect(errorOf(() => parseJsonArray(bytes('[1, 2'), 'u.json')).message).toBe('u.json: line 1, column 6: the file ends inside an array (missing ])');
    expect(errorOf(() => parseJsonArray(bytes('[1 2]'), 'c.json')).message).toBe("c.json: line 1, column 4: expected ',' or ']', found '2'");
  });
});

describe('parseInlineList', () => {
  it('reads the book\'s y1 exactly, with optional brackets and spaces', () => {
    expect([...parseInlineList('0.1,0.05,0.6,0.0,0.05,0.1,0.0,0.1,0.0,0.0', '--y')]).toEqual([0.1, 0.05, 0.6, 0, 0.05, 0.1, 0, 0.1, 0, 0]);
    expect([...parseInlineList('[0.5, 0.5]', '--y')]).toEqual([0.5, 0.5]);
    expect([...parseInlineList('2', '--t')]).toEqual([2]);
  });

  it('a bad item is a usage error (exit 2) naming the flag and the item', () => {
    const e = errorOf(() => parseInlineList('0.1,abc,0.9', '--y'), ExitCode.Usage);
    expect(e.message).toBe("--y '0.1,abc,0.9': item 2 ('abc') is not a number");
    expect(e.hint).toMatch(/comma-separated numbers/);
    expect(errorOf(() => parseInlineList('0.1,,0.9', '--y'), ExitCode.Usage).message).toMatch(/item 2 \(''\) is not a number/);
  });
});

describe('text arrays are scanned from the bytes (issue 7 D6, D18, D22)', () => {
  it('CSV line endings: LF, CRLF, CR, with or without a final newline, with a byte-order mark', () => {
    for (const text of ['0.25,0.75\n1,0\n', '0.25,0.75\r\n1,0\r\n', '0.25,0.75\r1,0', '\ufeff0.25,0.75\n1,0', '0.25,0.75\n\n\n1,0\n\n']) {
      const a = parseCsvArray(bytes(text), 'e.csv');
      expect(a.shape).toEqual([2, 2]);
      expect([...a.data]).toEqual([0.25, 0.75, 1, 0]);
    }
  });

  it('many lines and long lines: 200,000 rows of 10, and one row of 100,000 values', () => {
    const many = parseCsvArray(bytes('0,0,0,0,0,0,0,0,0.5,0.5\n'.repeat(200000)), 'm.csv');
    expect(many.shape).toEqual([200000, 10]);
    expect(many.data[199999 * 10 + 9]).toBe(0.5);
    const wide = parseCsvArray(bytes(Array.from({ length: 100000 }, (_, i) => i).join(' ')), 'w.csv');
    expect(wide.shape).toEqual([1, 100000]);
    expect(wide.data[99999]).toBe(99999);
  });

  it('numbers parse exactly as Number() does, fast path or not', () => {
    // each cell is compared with JavaScript's own Number() of the same text
    const cells = ['0.1', '-0.30000000000000004', '1e-7', '123456789012345', '1234567890123456789', '0.000000000000000000000000001',
      '4.9e-324', '1.7976931348623157e308', '1e400', '-0', '.5', '5.', '+3', '0.1000000000000000055511151231257827', '1E22', '1e23'];
    const a = parseCsvArray(bytes(cells.join(',')), 'n.csv');
    expect([...a.data]).toEqual(cells.map((c) => Number(c)));
    expect(Object.is(a.data[9], -0)).toBe(true);
  });

  it('a non-number cell of 800,000 characters, or with control characters, is quoted escaped and capped', () => {
    const long = parseCsvArray.bind(null, bytes(`0.5,${'x'.repeat(800000)}\n`), 'l.csv');
    const message = errorOf(long).message;
    expect(message).toBe(`l.csv: line 1, column 2 is '${'x'.repeat(200)}…(800000 bytes in all)', not a number`);
    const esc = errorOf(() => parseCsvArray(bytes('0.5,\x1b[31mred\x1b[0m\n'), 'c.csv')).message;
    expect(esc).toBe("c.csv: line 1, column 2 is '\\x1b[31mred\\x1b[0m', not a number");
  });

  it('more numbers than the cap is a data error naming the cap (CSV and JSON)', () => {
    expect(errorOf(() => parseCsvArray(bytes('1,2,3\n4,5,6\n'), 'c.csv', 5)).message).toBe('c.csv: more than 5 numbers; text prediction and label files hold at most 5');
    expect(errorOf(() => parseJsonArray(bytes('[[1,2,3],[4,5,6]]'), 'j.json', 5)).message).toBe('j.json: more than 5 numbers; text prediction and label files hold at most 5');
    expect(parseCsvArray(bytes('1,2,3\n4,5,6\n'), 'ok.csv', 6).shape).toEqual([2, 3]); // exactly the cap is fine
  });

  it('JSON numbers of any length (JSON grammar), as Number() reads them', () => {
    const longNumber = `0.1${'0'.repeat(100)}1`;
    const integer = '9'.repeat(400);
    const a = parseJsonArray(bytes(`[[${longNumber}, -${integer}e-400], [1E+2, -0.0]]`), 'l.json');
    expect(a.shape).toEqual([2, 2]);
    expect([...a.data]).toEqual([Number(longNumber), Number(`-${integer}e-400`), 100, -0]);
    expect(a.data[0]).toBe(0.1);
  });

  it('JSON with a byte-order mark, and a large document of many rows', () => {
    expect(parseJsonArray(bytes('\ufeff[1, 2]'), 'b.json').shape).toEqual([2]);
    const rows = `[${new Array(100000).fill('[0.5, 0.5]').join(',\n')}]`;
    const a = parseJsonArray(bytes(rows), 'r.json');
    expect(a.shape).toEqual([100000, 2]);
    expect(errorOf(() => parseJsonArray(bytes(rows.slice(0, -1) + ',]'), 'r.json')).message).toBe(`r.json: line 100000, column 12: expected a number or '[', found ']'`);
  });

  it('JSON excerpts are escaped and capped', () => {
    expect(errorOf(() => parseJsonArray(bytes('[1, "\x1b[31mred"]'), 'e.json')).message).toBe(`e.json: line 1, column 5: expected a number or '[', found '"\\x1b[31mred"]'`);
    expect(errorOf(() => parseJsonArray(bytes('[1]\x1b'), 't.json')).message).toBe(`t.json: line 1, column 4: unexpected '\\x1b' after the array`);
  });
});
