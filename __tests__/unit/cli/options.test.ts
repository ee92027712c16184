// The strict flag parsers of src/cli/options.ts: the whole string must be a plain literal of the right
// kind within the flag's bounds, else commander's InvalidArgumentError (exit 2). Seeds follow
// np.random.seed: integers 0..2^32-1. The unbounded parsers (parsePositiveInt, parseFiniteNumber, ...) are
// gone: their strictness cases below now run on intInRange / numberInRange parsers with the widest bounds.
import { Command, InvalidArgumentError } from 'commander';
import {
  DEFAULT_SEED,
  float32Number,
  FLOAT32_ROUNDS_FINITE,
  intInRange,
  numberInRange,
  parseFraction,
  parseHiddenList,
  parsePath,
  parseSeed,
  parseText,
  parseThreads,
} from '../../../src/cli/options';

const parsePositiveInt = intInRange(1, Number.MAX_SAFE_INTEGER);
const parseNonNegativeInt = intInRange(0, Number.MAX_SAFE_INTEGER);
const parseFiniteNumber = numberInRange(-Number.MAX_VALUE, Number.MAX_VALUE);
const parsePositiveNumber = numberInRange(0, Number.MAX_VALUE, undefined, true);
const parseNonNegativeNumber = numberInRange(0, Number.MAX_VALUE);

type Parser = (value: string) => number;

function expectAccepts(parser: Parser, cases: Array<[string, number]>): void {
  for (const [text, value] of cases) expect([text, parser(text)]).toEqual([text, value]);
}

function expectRejects(parser: Parser, texts: string[]): void {
  for (const text of texts) {
    let thrown: unknown;
    try {
      parser(text);
    } catch (e) {
      thrown = e;
    }
    expect([text, thrown instanceof InvalidArgumentError]).toEqual([text, true]);
  }
}

// Strings that are not plain literals of any kind, rejected by every parser.
const NEVER = ['', ' ', ' 42', '42 ', '4 2', '42\n', '\t1', '0x10', '0b1', '0o7', '1_000', '1,5', 'NaN', 'Infinity', '-Infinity', 'abc', '٤٢', '４２'];

describe('parseSeed (np.random.seed accepts integers 0 .. 2^32 - 1)', () => {
  it('accepts both ends of the range and reads decimal', () => {
    expectAccepts(parseSeed, [['0', 0], ['1', 1], ['42', 42], ['4294967295', 4294967295], ['042', 42], ['123456789', 123456789]]);
  });

  it('rejects out-of-range seeds, floats (numpy: TypeError even for 1.0) and any other spelling', () => {
    expectRejects(parseSeed, ['-1', '4294967296', '18446744073709551616', '99999999999999999999', '1.0', '1.', '.5', '1e3', '1E3', '+42', '-0', ...NEVER]);
  });

  it('says what a seed is', () => {
    expect(() => parseSeed('-1')).toThrow(/0 to 4294967295/);
  });

  it('has a documented default of 42', () => {
    expect(DEFAULT_SEED).toBe(42);
  });
});

describe('parsePositiveInt', () => {
  it('accepts whole numbers >= 1 up to 2^53 - 1', () => {
    expectAccepts(parsePositiveInt, [['1', 1], ['10', 10], ['60000', 60000], ['9007199254740991', 9007199254740991]]);
  });

  it('rejects 0, negatives, fractions, exponents, signs and unsafe integers', () => {
    expectRejects(parsePositiveInt, ['0', '00', '-1', '-0', '+1', '1.5', '1.0', '1e3', '9007199254740992', ...NEVER]);
  });
});

describe('parseNonNegativeInt', () => {
  it('accepts 0 and whole numbers', () => {
    expectAccepts(parseNonNegativeInt, [['0', 0], ['7', 7], ['9007199254740991', 9007199254740991]]);
  });

  it('rejects negatives, fractions and other spellings', () => {
    expectRejects(parseNonNegativeInt, ['-1', '-0', '+0', '0.0', '1e0', '9007199254740992', ...NEVER]);
  });
});

describe('parseFiniteNumber', () => {
  it('accepts decimal and exponent forms with an optional sign', () => {
    expectAccepts(parseFiniteNumber, [
      ['0', 0],
      ['0.1', 0.1],
      ['-3', -3],
      ['+2.5', 2.5],
      ['1e-4', 1e-4],
      ['1E+3', 1000],
      ['.5', 0.5],
      ['5.', 5],
      ['-1.5e-7', -1.5e-7],
    ]);
    expect(Object.is(parseFiniteNumber('-0'), -0)).toBe(true);
  });

  it('rejects overflow to infinity, empty parts and other spellings', () => {
    expectRejects(parseFiniteNumber, ['1e400', '-1e400', '.', '-', '+', 'e5', '1e', '1e+', '--1', '1..2', '1.2.3', ...NEVER]);
  });
});

describe('parsePositiveNumber', () => {
  it('accepts numbers > 0', () => {
    expectAccepts(parsePositiveNumber, [['1e-4', 1e-4], ['0.01', 0.01], ['5e-324', 5e-324], ['100', 100]]);
  });

  it('rejects 0, -0, negatives and non-numbers', () => {
    expectRejects(parsePositiveNumber, ['0', '-0', '0.0', '-1e-9', '1e-400', ...NEVER]);
  });
});

describe('parseFraction', () => {
  it('accepts [0, 1] inclusive', () => {
    expectAccepts(parseFraction, [['0', 0], ['1', 1], ['0.9352', 0.9352], ['1.0', 1], ['1e-3', 0.001]]);
  });

  it('rejects values outside [0, 1] and non-numbers', () => {
    expectRejects(parseFraction, ['-0.1', '1.0000001', '2', '-1e-9', ...NEVER]);
  });
});

describe('through commander', () => {
  it('a rejected value is a commander invalidArgument error (exit code 2 in main)', async () => {
    const errors: string[] = [];
    const cmd = new Command('t')
      .exitOverride()
      .configureOutput({ writeErr: (s) => errors.push(s), writeOut: () => undefined })
      .option('--seed <n>', 'seed', parseSeed, DEFAULT_SEED)
      .action(() => undefined);
    await expect(cmd.parseAsync(['--seed', '1e3'], { from: 'user' })).rejects.toMatchObject({ code: 'commander.invalidArgument' });
    expect(errors.join('')).toMatch(/--seed <n>.*1e3.*0 to 4294967295/s);
    const ok = new Command('t').exitOverride().option('--seed <n>', 'seed', parseSeed, DEFAULT_SEED).action(() => undefined);
    await ok.parseAsync(['--seed', '4294967295'], { from: 'user' });
    expect(ok.opts().seed).toBe(4294967295);
  });
});

describe('parseNonNegativeNumber (eval --max-cee / --max-sse), parseThreads (eval --threads), parseHiddenList (train/gradcheck --hidden)', () => {
  it('parseNonNegativeNumber: finite numbers >= 0', () => {
    expectAccepts(parseNonNegativeNumber, [['0', 0], ['0.5', 0.5], ['1e-4', 0.0001], ['2', 2]]);
    expectRejects(parseNonNegativeNumber, ['-1', '-0.001', 'x', ...NEVER]);
  });

  it("parseThreads: exactly '1', '2' or 'auto'", () => {
    expect(['1', '2', 'auto'].map(parseThreads)).toEqual(['1', '2', 'auto']);
    for (const text of ['3', '0', '01', 'Auto', ' 2', '']) expect(() => parseThreads(text)).toThrow(InvalidArgumentError);
  });

  it('parseHiddenList: comma-separated widths 1 .. 100000, no spaces, at most 8 layers', () => {
    expect(parseHiddenList('50')).toEqual([50]);
    expect(parseHiddenList('50,100')).toEqual([50, 100]);
    expect(parseHiddenList('100000,1')).toEqual([100000, 1]);
    expect(parseHiddenList('1,2,3,4,5,6,7,8')).toHaveLength(8);
    for (const text of ['', '50,', ',50', '50, 100', '50;100', '0', '100001', '5.5', '-1', 'x', '1,2,3,4,5,6,7,8,9']) expect(() => parseHiddenList(text)).toThrow(InvalidArgumentError);
  });
});

describe('intInRange: both ends inclusive, a message with the range and the reason', () => {
  it.each([[0, 0], [0, 1], [1, 100], [2, 10001], [1, 10_000_000]])('intInRange(%d, %d) accepts min and max, refuses min − 1 and max + 1', (min, max) => {
    const parse = intInRange(min, max, 'because');
    expectAccepts(parse, [[String(min), min], [String(max), max]]);
    expectRejects(parse, [String(max + 1), String(max * 10 + 1), ...(min > 0 ? [String(min - 1)] : []), ...NEVER]);
  });

  it('names the range and why', () => {
    expect(() => intInRange(1, 1000000, 'a reason')('1000001')).toThrow('expected a whole number from 1 to 1000000: a reason.');
    expect(intInRange(2, 10001).accepts).toBe('2 to 10001');
  });

  it('refuses a nonsensical declaration', () => {
    expect(() => intInRange(5, 4)).toThrow(RangeError);
    expect(() => intInRange(0, Infinity)).toThrow(RangeError);
    expect(() => intInRange(-1, 3)).toThrow(RangeError);
  });
});

describe('numberInRange', () => {
  it('[min, max]: both ends accepted, the next doubles outside refused', () => {
    const parse = numberInRange(0, 1000);
    expectAccepts(parse, [['0', 0], ['1000', 1000], ['999.9999999999999', 999.9999999999999], ['1e3', 1000]]);
    expectRejects(parse, ['1000.0000000000001', '1e4', '-1e-300', ...NEVER]);
  });

  it('(min, max] when minExclusive', () => {
    const parse = numberInRange(0, 100, 'why', true);
    expectAccepts(parse, [['100', 100], ['5e-324', 5e-324]]);
    expectRejects(parse, ['0', '-0', '100.00000000000001', '1e39']);
    expect(() => parse('1e39')).toThrow('expected a number more than 0, at most 100: why.');
  });
});

describe('float32Number (sweep --from/--to): what Math.fround keeps finite', () => {
  it('accepts up to the last double that rounds to the largest float32, refuses the halfway point 2^128 − 2^103 and above', () => {
    // np.float32(3.4028235677973362e38) == 3.4028235e38; np.float32(2.0**128 - 2.0**103) == inf
    const parse = float32Number();
    expectAccepts(parse, [['3.4028235e38', 3.4028235e38], ['-3.4028235e38', -3.4028235e38], [String(FLOAT32_ROUNDS_FINITE), FLOAT32_ROUNDS_FINITE], ['1e-50', 1e-50]]);
    expectRejects(parse, ['3.4028235677973366e38', '-3.4028235677973366e38', '1e39', '-1e308', '1e400', ...NEVER]);
    expect(Number.isFinite(Math.fround(FLOAT32_ROUNDS_FINITE))).toBe(true);
  });
});

describe('parsePath and parseText: an empty value is refused, not taken as the current folder', () => {
  it('parsePath refuses only the empty string', () => {
    expect(() => parsePath('')).toThrow(InvalidArgumentError);
    for (const p of ['.', ' ', 'data', '/tmp/x y', 'a\nb']) expect(parsePath(p)).toBe(p);
  });

  it('parseText refuses empty and blank values', () => {
    for (const t of ['', ' ', '\t\n']) expect(() => parseText(t)).toThrow(InvalidArgumentError);
    expect(parseText('W1[0,0]')).toBe('W1[0,0]');
  });
});
