// Issue 7, the CLI's share, through the built binary: every numeric flag's bound (D4) and the relations
// between flags are usage errors before any data is read; stdout write failures other than EPIPE are one
// line and exit 3 (D9); sweep/probe values that leave float32 are refused before computing (D11); no
// command and `help <unknown>` are one line (D20); an empty path flag is a usage error (D21); and whatever
// a message quotes, stderr holds exactly two escaped, capped lines (the D16/D22 safety net).
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readModel, writeModel } from '../../src/io/modelFile';
import { BIN, cliEnv, expectUserError, requireBuiltCli, runCli, type CliResult } from '../helpers/cli';
import { makeTempDir, removeDir, writeFixtureDir } from '../helpers/idxFixture';

const BOOK = path.resolve(__dirname, '../fixtures/book-ch03.safetensors');
const NO_DATA = '/nonexistent-mnist-loss-data';

let fixture: ReturnType<typeof writeFixtureDir>;
let tmp: string;
let huge: string; // the book's net with W1[0,0] = 3e38: w + anything small is lost, w + 1e38 overflows float32
beforeAll(() => {
  requireBuiltCli();
  fixture = writeFixtureDir(30, 12);
  tmp = makeTempDir();
  const net = readModel(BOOK).mlp!;
  net.layers[0].W.data[0] = 3e38;
  huge = path.join(tmp, 'huge.safetensors');
  writeModel(huge, net);
});
afterAll(() => { removeDir(fixture.dir); removeDir(tmp); });

describe('D4: a value above its bound is a usage error naming the flag, the bound and why, before any data is read', () => {
  // --data names a folder that does not exist: a check made after reading data would exit 3, not 2
  it.each([
    ['batch', ['--size', '10000001'], /'--size <n>' argument '10000001' is invalid\. expected a whole number from 1 to 10000000: /],
    ['batch', ['--show', '--size', '1001'], /--show draws at most 1000 digits/],
    ['eval', ['--size', '30000000'], /'--size <n>' argument '30000000' is invalid\. expected a whole number from 1 to 1000000: /],
    ['eval', ['--size', '1000001'], /from 1 to 1000000/],
    ['eval', ['--worst', '1001'], /'--worst <k>' .*from 1 to 1000/],
    ['eval', ['--size', '5', '--worst', '6'], /--worst 6 asks for more images than the sample of --size 5/],
    ['eval', ['--max-cee', '1001'], /'--max-cee <x>' .*from 0 to 1000/],
    ['eval', ['--max-sse', '1e400'], /'--max-sse <x>' .*from 0 to 1000/],
    ['train', ['--hidden', '100000,100000'], /--hidden 100000,100000: a 784-100000-100000-10 network has 10079600010 parameters, more than 5000000/],
    ['train', ['--hidden', '100001'], /each hidden width must be from 1 to 100000/],
    ['train', ['--hidden', '6290'], /784-6290-10 network has 5000560 parameters, more than 5000000/],
    ['train', ['--hidden', '1,1,1,1,1,1,1,1,1'], /at most 8 hidden layers/],
    ['train', ['--epochs', '1001'], /'--epochs <n>' .*from 0 to 1000: /],
    ['train', ['--iterations', '10000001'], /'--iterations <n>' .*from 0 to 10000000/],
    ['train', ['--iterations', '600001', '--batch-size', '100'], /--iterations 600001 × --batch-size 100 is more than 60000000 images/],
    ['train', ['--batch-size', '60001'], /from 1 to 60000/],
    ['train', ['--lr', '1001'], /'--lr <x>' .*more than 0, at most 1000/],
    ['train', ['--init-std', '1e39'], /'--init-std <x>' .*more than 0, at most 1000/],
    ['gradcheck', ['--size', '101'], /from 1 to 100: /],
    ['gradcheck', ['--hidden', '2000'], /784-2000-10 network has 1590010 parameters, more than 1000000/],
    ['gradcheck', ['--hidden', '1257', '--size', '5'], /--hidden 1257 with --size 5: 999325 parameters × 5 images is more than 4000000/],
    ['gradcheck', ['--hidden', '50,100', '--size', '100'], /--hidden 50,100 with --size 100: 45360 parameters × 100 images is more than 4000000/],
    ['gradcheck', ['--init-std', '1001'], /more than 0, at most 1000/],
    ['sweep', ['--param', 'b1[0]', '--steps', '10002'], /'--steps <k>' .*from 2 to 10001: /],
    ['sweep', ['--param', 'b1[0]', '--steps', '1e7'], /'--steps <k>' .*from 2 to 10001/],
    ['sweep', ['--param', 'b1[0]', '--size', '100001'], /'--size <n>' .*from 1 to 100000: /],
    ['probe', ['--size', '100001'], /from 1 to 100000/],
    ['probe', ['--weights', '10001'], /'--weights <k>' .*from 1 to 10000: /],
    ['probe', ['--unit', '100000'], /'--unit <j>' .*from 0 to 99999/],
    ['probe', ['--h', '101'], /'--h <h>' .*more than 0, at most 100/],
    ['demo', ['--seed', '4294967296'], /0 to 4294967295/],
  ])('%s %j', (command, args, message) => {
    expectUserError(runCli([command, '--data', NO_DATA, ...args]), 2, message);
  });

  it('gradcheck --model with more than 1000000 parameters is refused once the model is read, before the check runs', () => {
    const net = readModel(BOOK).mlp!; // 784-50-100-10: 45360 parameters; widen W1 to 784 × 1300 (> 1e6)
    const wide = { activation: net.activation, layers: [
      { W: { rows: 784, cols: 1300, data: new Float32Array(784 * 1300) }, b: new Float32Array(1300) },
      { W: { rows: 1300, cols: 10, data: new Float32Array(13000) }, b: new Float32Array(10) },
    ] };
    const file = path.join(tmp, 'wide.safetensors');
    writeModel(file, wide);
    expectUserError(runCli(['gradcheck', '--model', file, '--data', fixture.dir]), 2, /784-1300-10 network has 1033510 parameters, more than 1000000/);
  });

  it('probe: --weights × images at most 100000000, checked once the images are read, before any slope', () => {
    expectUserError(runCli(['probe', '--model', BOOK, '--data', fixture.dir, '--split', 'train', '--size', '100000', '--weights', '1001']), 2, /--weights 1001 on 100000 images is 100100000 loss evaluations, more than 100000000/);
  });

  it('--help shows each bound', () => {
    const r = runCli(['sweep', '--help']);
    expect(r.status).toBe(0);
    expect(r.stdout.replace(/\s+/g, ' ')).toContain('np.linspace(a, b, k) (default: 101) [2 to 10001]');
  });
});

/** Runs the CLI with stdout on /dev/full, where every write fails with ENOSPC. */
function runToFullDisk(args: readonly string[]): CliResult {
  const fd = fs.openSync('/dev/full', 'w');
  try {
    const r = spawnSync(process.execPath, [BIN, ...args], { stdio: ['ignore', fd, 'pipe'], encoding: 'utf8', env: cliEnv() });
    return { status: r.status, stdout: '', stderr: r.stderr };
  } finally {
    fs.closeSync(fd);
  }
}

const describeIfFull = fs.existsSync('/dev/full') ? describe : describe.skip; // /dev/full is Linux's always-full device

describeIfFull('D9: stdout on a full disk is one line and exit 3, for every command that writes', () => {
  it.each([
    ['info', ['info']],
    ['info --json', ['info', '--json']],
    ['batch', ['batch', '--size', '5']],
    ['eval --json', ['eval', '--model', BOOK, '--json']],
    ['eval with a failing gate', ['eval', '--model', BOOK, '--min-accuracy', '1']],
    ['train --json (a line per epoch)', ['train', '--json', '--batch-size', '10', '--epochs', '3']],
    ['sweep --csv', ['sweep', '--model', BOOK, '--param', 'b1[0]', '--steps', '5', '--csv']],
  ])('%s', (_, args) => {
    const r = runToFullDisk([...args, '--data', fixture.dir]);
    if (args.includes('--min-accuracy')) {
      // the failed write is reported when the stream emits it, after the gate's own line; its exit code wins
      expect(r.status).toBe(3);
      expect(r.stderr).toMatch(/^mnist-loss: accuracy [^\n]+\nmnist-loss: cannot write to standard output: no space left on device \(ENOSPC\)\nhint: [^\n]+\n$/);
      return;
    }
    expectUserError(r, 3, /^mnist-loss: cannot write to standard output: no space left on device \(ENOSPC\)$/);
  });

  it('a closed pipe is still quiet: exit 0, nothing on stderr', () => {
    const r = spawnSync('sh', ['-c', `"${process.execPath}" "${BIN}" batch --size 100000 --data "${fixture.dir}" | head -c 10 > /dev/null`], { encoding: 'utf8', env: cliEnv() });
    expect(r.status).toBe(0);
    expect(r.stderr).toBe('');
  });
});

describe('D11: sweep and probe values that leave float32 are refused before computing', () => {
  it.each([
    [['--mode', 'set', '--from', '1e39', '--to', '1'], /'--from <a>' argument '1e39' is invalid\. expected a number in the float32 range/],
    [['--from', '-1e308', '--to', '1e308'], /'--from <a>' .*float32 range/],
    [['--from', '0', '--to', '1e39'], /'--to <b>' .*float32 range/],
    [['--from', '1', '--to', '1'], /sweep of b1\[0\]: values 1 and 1 are equal \(step 0\)/],
    [['--mode', 'set', '--from', '0.5', '--to', '0.5', '--steps', '2'], /values 0\.5 and 0\.5 are equal/],
  ])('sweep %j', (args, message) => {
    expectUserError(runCli(['sweep', '--param', 'b1[0]', '--data', NO_DATA, ...args]), 2, message);
  });

  it('--mode add: the model weight plus the value must fit float32 (checked once the model is read, before any image)', () => {
    expectUserError(
      runCli(['sweep', '--model', huge, '--param', 'W1[0,0]', '--from', '0', '--to', '1e38', '--steps', '3', '--data', NO_DATA]),
      2,
      /sweep of W1\[0,0\]: 3\.0000000054977558e\+38 \+ 5e\+37 is Infinity in float32, which holds magnitudes up to 3\.4028235e38/,
    );
    // the same range set (not added) fits: it runs
    const ok = runCli(['sweep', '--model', huge, '--param', 'W1[0,0]', '--mode', 'set', '--from', '0', '--to', '1e38', '--steps', '3', '--data', fixture.dir, '--json']);
    expect(ok.status).toBe(0);
    expect(JSON.parse(ok.stdout).rows.every((row: { cee: number | null }) => Number.isFinite(row.cee))).toBe(true);
  });

  it('probe --h above its bound, and an h lost in float32 at a probed weight', () => {
    expectUserError(runCli(['probe', '--h', '1e39', '--data', NO_DATA]), 2, /'--h <h>' argument '1e39' is invalid/);
    expectUserError(runCli(['probe', '--model', BOOK, '--h', '1e-30', '--data', fixture.dir]), 2, /^mnist-loss: h = 1e-30 at W\d\[\d+,\d+\] = .*: w − h and w \+ h are the same float32 number/);
    // W1[0,0] = 3e38 lies in unit 0's map: 3e38 ± 1e-4 is one float32
    expectUserError(runCli(['probe', '--model', huge, '--unit', '0', '--weights', '1', '--data', fixture.dir]), 2, /h = 0\.0001 at W1\[0,0\] = 3\.0000000054977558e\+38/);
  });
});

describe('D20: no command, an unknown command, help for an unknown command', () => {
  it.each([[[], /^mnist-loss: no command given$/], [['bogus'], /^mnist-loss: unknown command 'bogus'$/], [['help', 'bogus'], /^mnist-loss: unknown command 'bogus'$/], [['help', 'evl'], /unknown command 'evl'/]])('%j', (args, message) => {
    expectUserError(runCli(args as string[]), 2, message);
  });

  it('--help, help and help <command> print the help on stdout, exit 0', () => {
    for (const args of [['--help'], ['help'], ['help', 'sweep']]) {
      const r = runCli(args);
      expect([args, r.status, r.stderr]).toEqual([args, 0, '']);
      expect(r.stdout).toMatch(/^Usage: mnist-loss/);
    }
  });
});

describe('D21: a path flag (or --y, --t, --param) given an empty string is a usage error naming the flag', () => {
  it.each([
    ['info', '--data', []],
    ['batch', '--data', []],
    ['eval', '--model', []],
    ['eval', '--data', []],
    ['train', '--out', []],
    ['gradcheck', '--model', []],
    ['sweep', '--plot', ['--param', 'b1[0]']],
    ['sweep', '--model', ['--param', 'b1[0]']],
    ['sweep', '--param', []],
    ['probe', '--model', []],
    ['demo', '--model', []],
    ['loss', '--y', ['--t', '2']],
    ['loss', '--t', ['--y', '0.1,0.9']],
  ])('%s %s ""', (command, flag, rest) => {
    expectUserError(runCli([command, ...rest, flag, '']), 2, new RegExp(`^mnist-loss: option '${flag} <[^>]+>' argument '' is invalid\\. expected a (path|value), found an empty string\\.$`));
  });

  it('--flag= with nothing after it is the same', () => {
    expectUserError(runCli(['info', '--data=']), 2, /option '--data <dir>' argument '' is invalid/);
  });
});

describe('D16/D22 safety net: stderr is exactly two escaped, capped lines whatever is quoted', () => {
  it.each([
    ['a hostile option name', ['info', '--\u001b[31mx']],
    ['a hostile command name', ['\u001b]0;title\u0007']],
    ['a hostile flag value', ['eval', '--size', '1\n\u001b[2J']],
    ['a hostile path', ['info', '--data', `${NO_DATA}/\u001b[31m\nfake: line`]],
    ['a 100000-character option', ['eval', `--${'x'.repeat(100000)}`]],
    ['a 100000-character --param', ['sweep', '--model', BOOK, '--data', NO_DATA, '--param', 'W'.repeat(100000)]],
  ])('%s', (_, args) => {
    const r = runCli(args);
    expect(r.status === 2 || r.status === 3).toBe(true);
    expectUserError(r, r.status as number);
    expect(r.stderr).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/);
    for (const line of r.stderr.split('\n')) expect(line.length).toBeLessThan(2100);
  });
});
