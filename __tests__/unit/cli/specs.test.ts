// Every command's spec.ts (issue 10, "The CLI layout"): validate<Name> turns what commander parsed into ONE
// frozen options object, which also carries the common flags (--data, --source, --json, --no-color), so run.ts
// takes (opts, io) and never the raw parse. The raw objects come from the real flags: the action is replaced
// before parsing, so no run.ts is loaded.
import type { Command } from 'commander';
import { buildProgram } from '../../../src/cli/main';
import { memoryIo } from '../../../src/cli/io';
import { validateBatch } from '../../../src/cli/batch/spec';
import { validateDemo } from '../../../src/cli/demo/spec';
import { validateEval } from '../../../src/cli/eval/spec';
import { validateGradcheck } from '../../../src/cli/gradcheck/spec';
import { validateInfo } from '../../../src/cli/info/spec';
import { validateLoss } from '../../../src/cli/loss/spec';
import { validateProbe } from '../../../src/cli/probe/spec';
import { validateSweep } from '../../../src/cli/sweep/spec';
import { validateTrain } from '../../../src/cli/train/spec';

/** What commander hands the action for `mnist-loss <argv>`, without running the command. */
async function parsed(argv: string[]): Promise<never> {
  const program = buildProgram(memoryIo(), argv);
  const cmd = program.commands[0] as Command;
  let raw: unknown;
  cmd.action((options: unknown) => { raw = options; });
  await program.parseAsync(argv, { from: 'user' });
  return raw as never;
}

const COMMON = ['--data', '/no/such/dir', '--json', '--no-color'];

// each command with the flags its validation needs; the `extra` values must reach the options object too
const CASES: Array<[string, string[], (raw: never) => object, Record<string, unknown>]> = [
  ['info', [], validateInfo, {}],
  ['batch', ['--size', '3', '--seed', '7'], validateBatch, { size: 3, seed: 7 }],
  ['loss', ['--y', '0.1,0.9', '--t', '1'], validateLoss, { y: '0.1,0.9', t: '1' }],
  ['eval', ['--size', '5', '--split', 'train'], validateEval, { size: 5, split: 'train' }],
  ['train', ['--iterations', '2', '--batch-size', '4'], validateTrain, { iterations: 2, batchSize: 4 }],
  ['gradcheck', ['--hidden', '5', '--size', '2'], validateGradcheck, { hidden: [5], size: 2, freshActivation: 'sigmoid' }],
  ['sweep', ['--param', 'b2[3]', '--steps', '5', '--size', '9'], validateSweep, { param: 'b2[3]', steps: 5, size: 9, split: 'test', ascii: false }],
  ['probe', ['--weights', '4', '--size', '9', '--ascii'], validateProbe, { weights: 4, size: 9, seed: 42, ascii: true }],
  ['demo', ['--seed', '3', '--lang', 'ko'], validateDemo, { seed: 3, lang: 'ko', ascii: false }],
];

describe('validate<Name>: one frozen options object with the common flags', () => {
  it.each(CASES)('%s', async (name, flags, validate, extra) => {
    const opts = validate(await parsed([name, ...flags, ...COMMON]));
    expect(Object.isFrozen(opts)).toBe(true);
    expect(opts).toMatchObject({ data: '/no/such/dir', source: 'idx', json: true, color: false, ...extra });
  });

  it('the defaults of the common flags reach the options too (no --data: undefined, colour on, idx)', async () => {
    const opts = validateInfo(await parsed(['info']));
    expect(opts).toEqual({ data: undefined, source: 'idx', json: false, color: true });
  });
});

/** The `$ mnist-loss …` examples of a command's --help (laid out 200 wide, so one per line), notes and pipes cut off, as argv. */
function helpExamples(argv: string[]): string[][] {
  const io = memoryIo({ COLUMNS: '200' });
  const program = buildProgram(io, argv);
  (argv.length > 0 ? (program.commands[0] as Command) : program).outputHelp();
  return io.stdout
    .split('\n')
    .filter((l) => l.startsWith('  $ mnist-loss '))
    .map((l) => l.slice('  $ mnist-loss '.length).replace(/\s{2,}[#(].*$/, '').split(' | ')[0])
    .map((cmd) => (cmd.match(/'[^']*'|"[^"]*"|\S+/g) ?? []).map((w) => w.replace(/^(['"])(.*)\1$/, '$2')));
}

const VALIDATE: Record<string, (raw: never) => object> = {
  info: validateInfo, batch: validateBatch, loss: validateLoss, eval: validateEval, train: validateTrain,
  gradcheck: validateGradcheck, sweep: validateSweep, probe: validateProbe, demo: validateDemo,
};

describe('every --help example is a valid command line (issue 10: the examples work once installed)', () => {
  const examples = [[], ...Object.keys(VALIDATE).map((c) => [c])].flatMap((argv) => helpExamples(argv));
  it('finds the examples of the main help and of every command', () => {
    expect(examples.length).toBeGreaterThanOrEqual(20);
    expect(new Set(examples.map((e) => e[0]))).toEqual(new Set(Object.keys(VALIDATE)));
  });
  it.each(examples.map((e) => [e.join(' '), e] as const))('%s', async (_name, argv) => {
    // parsed with the real flags and checked by the command's validate: flag names, values and relations
    expect(Object.isFrozen(VALIDATE[argv[0]](await parsed(argv)))).toBe(true);
  });
});
