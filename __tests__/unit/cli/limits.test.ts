// Issue 7 (D4, D16/D22, D20, D21) in process: every value-taking flag of every command is declared with a
// bounded parser (or commander's choices), each bound holds at its edge, README's Limits table and --help
// show the same ranges, relations between flags are checked before any work, and main prints every user
// error and commander error as escaped, capped lines.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { InvalidArgumentError, type Command, type Option } from 'commander';
import { buildProgram, formatCommanderError, formatUserError, main, MAX_MESSAGE_LINE, stdoutFailure } from '../../../src/cli/main';
import { memoryIo } from '../../../src/cli/io';
import { flagParserOf } from '../../../src/cli/options';
import { validateEval, type EvalRaw } from '../../../src/cli/eval/spec';
import { parameterCountOf, validateTrain, type TrainRaw } from '../../../src/cli/train/spec';
import { checkError, ExitCode, MnistLossError, usageError } from '../../../src/errors';
import { centralWeights } from '../../../src/experiments/probe';
import { checkSweepValues, linspace } from '../../../src/experiments/sweep';
import { userErrorOf } from '../../helpers/cli';

const README = fs.readFileSync(path.resolve(__dirname, '../../../README.md'), 'utf8');

function everyOption(): Array<{ command: Command; option: Option }> {
  return buildProgram(memoryIo()).commands.flatMap((command) => command.options.map((option) => ({ command, option })));
}

const takesValue = (o: Option) => o.required || o.optional;

describe('every flag that takes a value is bounded', () => {
  it('has commander choices or a FlagParser: none is declared with a bare string or an unbounded parser', () => {
    const unbounded = everyOption().filter(({ option }) => takesValue(option) && option.argChoices === undefined && flagParserOf(option) === undefined);
    expect(unbounded.map(({ command, option }) => `${command.name()} ${option.long}`)).toEqual([]);
  });

  it('every numeric range holds at its edges: min and max accepted, the next value outside refused', () => {
    const ranged = everyOption().filter(({ option }) => flagParserOf(option)?.range !== undefined);
    expect(ranged.length).toBeGreaterThan(20);
    for (const { command, option } of ranged) {
      const parse = flagParserOf(option)!;
      const { min, max, integer, minExclusive } = parse.range!;
      const what = `${command.name()} ${option.long}`;
      expect([what, parse(String(max))]).toEqual([what, max]);
      const above = integer ? max + 1 : max * (1 + 2 ** -50) + Number.MIN_VALUE;
      const refuses = (value: number) => { try { parse(String(value)); return false; } catch (e) { return e instanceof InvalidArgumentError; } };
      expect([what, above, refuses(above)]).toEqual([what, above, true]);
      if (!minExclusive) expect([what, parse(String(min))]).toEqual([what, min]);
      else expect([what, min, refuses(min)]).toEqual([what, min, true]);
      if (integer && min > 0) expect([what, min - 1, refuses(min - 1)]).toEqual([what, min - 1, true]);
    }
  });

  it("shows each range in --help, and README's Limits table lists each one with its commands", () => {
    const rows = new Map<string, string[]>();
    for (const { command, option } of everyOption()) {
      const parser = flagParserOf(option);
      if (!parser?.inHelp) continue;
      expect(command.helpInformation().replace(/\s+/g, ' ')).toContain(`[${parser.accepts}]`);
      const key = `\`${option.long}\` | COMMANDS | ${parser.accepts} |`;
      rows.set(key, [...(rows.get(key) ?? []), command.name()]);
    }
    for (const [key, commands] of rows) expect(README).toContain(`| ${key.replace('COMMANDS', commands.join(', '))}`);
  });

  it('has the documented bounds (README "Limits")', () => {
    const accepts = Object.fromEntries(
      everyOption().filter(({ option }) => flagParserOf(option)?.range).map(({ command, option }) => [`${command.name()} ${option.long}`, flagParserOf(option)!.accepts]),
    );
    expect(accepts).toMatchObject({
      'batch --size': '1 to 10000000', 'eval --size': '1 to 1000000', 'eval --worst': '1 to 1000', 'train --epochs': '0 to 1000',
      'train --iterations': '0 to 10000000', 'train --batch-size': '1 to 60000', 'gradcheck --size': '1 to 100', 'sweep --steps': '2 to 10001',
      'sweep --size': '1 to 100000', 'probe --size': '1 to 100000', 'probe --weights': '1 to 10000', 'probe --h': 'more than 0, at most 100',
    });
  });
});

describe('relations between flags, checked before any data is read', () => {
  const trainRaw = (hidden: number[], extra: Partial<TrainRaw> = {}): TrainRaw =>
    ({ hidden, activation: 'sigmoid', batchSize: 100, lr: 0.1, seed: 42, source: 'idx', json: false, color: false, ...extra }) as TrainRaw;

  it('train: at most 5000000 parameters (784-6289-10 has 795 · 6289 + 10 = 4999765, 784-6290-10 has 5000560)', () => {
    expect(parameterCountOf([784, 6289, 10])).toBe(4999765);
    expect(parameterCountOf([784, 50, 100, 10])).toBe(785 * 50 + 51 * 100 + 101 * 10);
    expect(validateTrain(trainRaw([6289])).hidden).toEqual([6289]);
    const e = userErrorOf(() => validateTrain(trainRaw([6290])), ExitCode.Usage);
    expect(e.message).toBe('--hidden 6290: a 784-6290-10 network has 5000560 parameters, more than 5000000 (each epoch trains on 60000 images and scores 70000)');
    userErrorOf(() => validateTrain(trainRaw([100000, 100000])), ExitCode.Usage);
  });

  it('train: iterations × batch size at most 1000 epochs of 60000 images', () => {
    expect(validateTrain(trainRaw([50], { iterations: 600000, batchSize: 100 })).iterations).toBe(600000);
    userErrorOf(() => validateTrain(trainRaw([50], { iterations: 600001, batchSize: 100 })), ExitCode.Usage);
  });

  it('gradcheck: at most 1000000 parameters (784-1257-10 has 999325, 784-1258-10 has 1000120)', async () => {
    const io = memoryIo();
    expect(await main(['gradcheck', '--hidden', '1258', '--data', '/nonexistent'], io)).toBe(ExitCode.Usage);
    expect(io.stderr).toMatch(/^mnist-loss: --hidden 1258: a 784-1258-10 network has 1000120 parameters, more than 1000000 .*\nhint: .*\n$/);
    const ok = memoryIo();
    // passes the check, then fails on the missing data (exit 3): the bound did not refuse it
    expect(await main(['gradcheck', '--hidden', '1257', '--data', '/nonexistent'], ok)).toBe(ExitCode.Data);
  });

  it('eval: --worst at most --size', () => {
    const raw = { split: 'test', replace: true, confusion: false, threads: 'auto', source: 'idx', json: false, color: false } as EvalRaw;
    expect(validateEval({ ...raw, size: 5, worst: 5 }).worst).toBe(5);
    expect(userErrorOf(() => validateEval({ ...raw, size: 5, worst: 6 }), ExitCode.Usage).message).toMatch(/--worst 6 .*--size 5/);
  });

  it('batch --show: at most 1000 digits', async () => {
    const io = memoryIo();
    expect(await main(['batch', '--show', '--size', '1001', '--data', '/nonexistent'], io)).toBe(ExitCode.Usage);
    expect(io.stderr).toMatch(/^mnist-loss: --show --size 1001: --show draws at most 1000 digits/);
  });

  it('sweep: equal ends, and set-mode values beyond float32, are refused before the model is read', async () => {
    for (const args of [['--from', '1', '--to', '1'], ['--mode', 'set', '--from', '-3.4028235e38', '--to', '3.4028235e38', '--steps', '2']]) {
      const io = memoryIo();
      const code = await main(['sweep', '--param', 'b1[0]', '--model', '/nonexistent.safetensors', ...args], io);
      expect([args, code]).toEqual([args, args.includes('set') ? ExitCode.Data : ExitCode.Usage]);
    }
  });
});

describe('main: no command, help for an unknown command (D20)', () => {
  it.each([[[]], [['help', 'bogus']], [['help', '\u001b[2J']]])('%j: one line, one hint, exit 2', async (argv) => {
    const io = memoryIo();
    expect(await main(argv as string[], io)).toBe(ExitCode.Usage);
    expect(io.stdout).toBe('');
    expect(io.stderr).toMatch(/^mnist-loss: (no command given|unknown command '[^\u001b]*')\nhint: see 'mnist-loss --help' for the commands[^\n]*\n$/);
  });

  it('--help, help and help <command> still print the help, exit 0', async () => {
    for (const argv of [['--help'], ['help'], ['help', 'eval'], ['eval', '--help']]) {
      const io = memoryIo();
      expect([argv, await main(argv, io)]).toEqual([argv, 0]);
      expect(io.stdout).toMatch(/^Usage: mnist-loss/);
    }
  });
});

describe('main prints escaped, capped lines whatever the thrower put in (D16/D22 safety net)', () => {
  it('escapes control characters in the message and the hint', () => {
    expect(formatUserError(usageError('bad \u001b[31mred\u001b[0m\nname\r', 'try\u0007 again\n'))).toBe('mnist-loss: bad \\x1b[31mred\\x1b[0m\\nname\\r\nhint: try\\x07 again\\n\n');
  });

  it(`caps each line at ${MAX_MESSAGE_LINE} characters`, () => {
    const text = formatUserError(usageError('x'.repeat(800000), 'y'.repeat(5000)));
    const [message, hint] = text.split('\n');
    expect(message).toBe(`mnist-loss: ${'x'.repeat(MAX_MESSAGE_LINE)}…(+${800000 - MAX_MESSAGE_LINE} more characters)`);
    expect(hint).toBe(`hint: ${'y'.repeat(MAX_MESSAGE_LINE)}…(+${5000 - MAX_MESSAGE_LINE} more characters)`);
  });

  it('prints one "mnist-loss:" line per line of a several-line error (failed CI gates), each escaped', () => {
    const e = checkError(['accuracy 0.9 is below --min-accuracy 0.95 by 0.05', 'cee 0.3 is above --max-cee\n0.2']);
    expect(e).toBeInstanceOf(MnistLossError);
    expect(e.message).toBe('accuracy 0.9 is below --min-accuracy 0.95 by 0.05; cee 0.3 is above --max-cee\n0.2');
    expect(formatUserError(e)).toBe('mnist-loss: accuracy 0.9 is below --min-accuracy 0.95 by 0.05\nmnist-loss: cee 0.3 is above --max-cee\\n0.2\n');
  });

  it("escapes commander's messages, a hostile option name included, and keeps a suggestion on the same line", async () => {
    expect(formatCommanderError("error: unknown option '--modle'\n(Did you mean --model?)\n", 'h')).toBe("mnist-loss: unknown option '--modle' (Did you mean --model?)\nhint: h\n");
    for (const argv of [['--\u001b[31mx'], ['eval', '--\u001b]0;pwned\u0007'], ['eval', '--size', '1\n2'], ['eval', `--${'a'.repeat(10000)}`]]) {
      const io = memoryIo();
      expect(await main(argv, io)).toBe(ExitCode.Usage);
      expect(io.stderr).toMatch(/^mnist-loss: [^\n]+\nhint: [^\n]+\n$/);
      expect(io.stderr).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f]/);
      expect(io.stderr.length).toBeLessThan(MAX_MESSAGE_LINE + 200);
    }
  });
});

describe('stdoutFailure (D9): what bin prints when stdout cannot be written', () => {
  const errno = (code: string, n: number, message: string) => Object.assign(new Error(message), { code, errno: n, syscall: 'write' }) as NodeJS.ErrnoException;

  it('ENOSPC: the system reason, the code, a hint, exit 3', () => {
    expect(stdoutFailure(errno('ENOSPC', -28, 'ENOSPC: no space left on device, write'))).toEqual({
      text: 'mnist-loss: cannot write to standard output: no space left on device (ENOSPC)\nhint: free space where standard output goes, or redirect it to another disk (> FILE)\n',
      exitCode: 3,
    });
  });

  it('EIO and an unknown error: one line and a hint each', () => {
    expect(stdoutFailure(errno('EIO', -5, 'EIO: i/o error, write')).text).toMatch(/^mnist-loss: cannot write to standard output: i\/o error \(EIO\)\nhint: [^\n]+\n$/);
    const odd = Object.assign(new Error('weird\nthing')) as NodeJS.ErrnoException;
    expect(stdoutFailure(odd).text).toMatch(/^mnist-loss: cannot write to standard output: weird\\nthing \(unknown error\)\nhint: [^\n]+\n$/);
  });
});

describe('the float32 checks sweep and probe share with the library (D11)', () => {
  // Math.fround(3e38 + 1e38) = Infinity; Math.fround(3.4028235e38) = 3.4028234663852886e38 (the largest float32)
  it('checkSweepValues: weights finite in float32, steps finite and non-zero', () => {
    const w = { label: 'W1[0,0]', value: 3e38 };
    expect(() => checkSweepValues(w, [0, 1e37], 'add')).not.toThrow();
    expect(userErrorOf(() => checkSweepValues(w, [0, 1e38], 'add'), ExitCode.Usage).message).toBe('sweep of W1[0,0]: 3e+38 + 1e+38 is Infinity in float32, which holds magnitudes up to 3.4028235e38');
    expect(() => checkSweepValues(w, [-3.4028235e38, 3.4028235e38], 'set')).not.toThrow();
    userErrorOf(() => checkSweepValues(w, [0, 3.5e38], 'set'), ExitCode.Usage);
    userErrorOf(() => checkSweepValues(w, [0, Infinity], 'set'), ExitCode.Usage);
    userErrorOf(() => checkSweepValues(w, [NaN, 1], 'set'), ExitCode.Usage);
    expect(userErrorOf(() => checkSweepValues({ label: 'b', value: 0 }, [1, 1, 2], 'add'), ExitCode.Usage).message).toMatch(/values 1 and 1 are equal \(step 0\)/);
    expect(userErrorOf(() => checkSweepValues({ label: 'b', value: 0 }, linspace(-1e308, 1e308, 3), 'add'), ExitCode.Usage).message).toMatch(/not a finite number|is -?Infinity in float32/);
  });

  it('centralWeights: w ± h finite and distinct in float32', () => {
    expect(centralWeights({ label: 'W', value: 1 }, 1e-4)).toEqual([Math.fround(1 - 1e-4), Math.fround(1 + 1e-4)]);
    // ulp(1) in float32 is 2^-23 ≈ 1.19e-7: 1 ± 2e-8 rounds back to 1
    expect(userErrorOf(() => centralWeights({ label: 'W', value: 1 }, 2e-8), ExitCode.Usage).message).toMatch(/the same float32 number 1, so the step is 0/);
    userErrorOf(() => centralWeights({ label: 'W', value: 3.4e38 }, 1e38), ExitCode.Usage);
    userErrorOf(() => centralWeights({ label: 'W', value: 0 }, 0), ExitCode.Usage);
  });
});
