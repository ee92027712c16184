// Enforces STYLE.md's module boundaries by reading src/ and bin/: who may touch process, console,
// commander, node:fs/zlib, Date.now and chalk, and which layers may import which. Comments are stripped
// and string contents blanked before matching, so doc text that mentions a word does not count.
import { readdirSync, readFileSync } from 'node:fs';
import { join, posix } from 'node:path';

const ROOT = join(__dirname, '..', '..');

/** Source file, path relative to the repo root with '/' separators (e.g. 'src/cli/main.ts'). */
interface SourceFile {
  path: string;
  /** Comments removed, strings intact: for import specifiers. */
  code: string;
  /** Comments removed and string/template text blanked (template ${...} code kept): for identifiers. */
  bare: string;
  /** Only the text of string and template literals (everything else blanked, newlines kept): for their wording. */
  strings: string;
}

/** Characters after which a '/' starts a regex literal rather than a division. */
const REGEX_PRECEDERS = new Set(['', '(', ',', '=', ':', '[', '!', '&', '|', '?', '{', '}', ';', '+', '-', '*', '%', '<', '>', '~', '^']);
const REGEX_KEYWORDS = /(?:^|[^\w$])(?:return|typeof|case|do|else|in|of|new|delete|void|throw|yield|await)$/;

/**
 * Splits TypeScript source into code without comments (strings kept) and code without comments or
 * string contents. A small scanner: it knows '', "", `` with nested ${ } and regex literals, which is
 * enough for this code base; it is not a full parser.
 */
function stripSource(src: string): { code: string; bare: string; strings: string } {
  let code = '';
  let bare = '';
  let strings = '';
  const emit = (text: string, blank: boolean, literal = blank): void => {
    code += text;
    bare += blank ? text.replace(/[^\n]/g, ' ') : text;
    strings += literal ? text : text.replace(/[^\n]/g, ' ');
  };
  const templateDepth: number[] = []; // brace depth at which each open ${ ... } returns to its template
  let braceDepth = 0;
  let lastSignificant = '';
  let i = 0;
  const readTemplateText = (): void => {
    // from just after ` or } up to the closing ` or the next ${
    let start = i;
    while (i < src.length) {
      const c = src[i];
      if (c === '\\') { i += 2; continue; }
      if (c === '`') { emit(src.slice(start, i), true); emit('`', false); i++; lastSignificant = '`'; return; }
      if (c === '$' && src[i + 1] === '{') {
        emit(src.slice(start, i), true);
        emit('${', false);
        i += 2;
        templateDepth.push(braceDepth);
        braceDepth++;
        lastSignificant = '{';
        return;
      }
      i++;
    }
    emit(src.slice(start), true);
    start = i;
  };
  while (i < src.length) {
    const c = src[i];
    const next = src[i + 1];
    if (c === '/' && next === '/') {
      while (i < src.length && src[i] !== '\n') i++;
      continue;
    }
    if (c === '/' && next === '*') {
      const end = src.indexOf('*/', i + 2);
      const stop = end < 0 ? src.length : end + 2;
      const newlines = src.slice(i, stop).replace(/[^\n]/g, '');
      emit(newlines.length > 0 ? newlines : ' ', false);
      i = stop;
      continue;
    }
    if (c === "'" || c === '"') {
      let j = i + 1;
      while (j < src.length && src[j] !== c && src[j] !== '\n') j += src[j] === '\\' ? 2 : 1;
      emit(c, false);
      emit(src.slice(i + 1, j), true);
      emit(src[j] ?? '', false);
      i = j + 1;
      lastSignificant = c;
      continue;
    }
    if (c === '`') {
      emit('`', false);
      i++;
      readTemplateText();
      continue;
    }
    if (c === '/' && (REGEX_PRECEDERS.has(lastSignificant) || REGEX_KEYWORDS.test(code.trimEnd()))) {
      let j = i + 1;
      let inClass = false;
      while (j < src.length && src[j] !== '\n') {
        if (src[j] === '\\') { j += 2; continue; }
        if (src[j] === '[') inClass = true;
        else if (src[j] === ']') inClass = false;
        else if (src[j] === '/' && !inClass) break;
        j++;
      }
      emit('/', false);
      emit(src.slice(i + 1, j), true, false); // a regex literal's text is blanked like a string's, but is no wording
      emit('/', false);
      i = j + 1;
      lastSignificant = '/x'; // a regex literal ends like an operand
      continue;
    }
    if (c === '{') braceDepth++;
    if (c === '}') {
      braceDepth--;
      if (templateDepth.length > 0 && templateDepth[templateDepth.length - 1] === braceDepth) {
        templateDepth.pop();
        emit('}', false);
        i++;
        readTemplateText();
        continue;
      }
    }
    emit(c, false);
    if (!/\s/.test(c)) lastSignificant = /[\w$)\].]/.test(c) ? 'x' : c;
    i++;
  }
  return { code, bare, strings };
}

/** One module reference: `import ... from 'x'`, `export ... from 'x'`, `import 'x'`, `require('x')`, `import('x')`. */
interface ImportRef {
  specifier: string;
  typeOnly: boolean;
}

function importsOf(code: string): ImportRef[] {
  return [...staticImportsOf(code), ...lazyImportsOf(code).map(({ specifier }) => ({ specifier, typeOnly: false }))];
}

/** `import ... from 'x'`, `export ... from 'x'` and `import 'x'`: loaded when the importing module is. */
function staticImportsOf(code: string): ImportRef[] {
  const refs: ImportRef[] = [];
  const fromRe = /\b(import|export)\s+(type\s+)?([^;'"`]*?)\s*\bfrom\s*['"]([^'"]+)['"]/g;
  for (const m of code.matchAll(fromRe)) {
    const clause = m[3];
    // `import { type A, type B } from` is erased too; `import { A, type B }` is not.
    const named = /^\{([^}]*)\}$/.exec(clause.trim());
    const allTypeNamed = named !== null && named[1].split(',').map((s) => s.trim()).filter(Boolean).every((s) => s.startsWith('type '));
    refs.push({ specifier: m[4], typeOnly: m[2] !== undefined || allTypeNamed });
  }
  for (const m of code.matchAll(/\bimport\s*['"]([^'"]+)['"]/g)) refs.push({ specifier: m[1], typeOnly: false });
  return refs;
}

/** `require('x')` and `import('x')`, with where they stand in the code (to tell a call inside a function). */
function lazyImportsOf(code: string): Array<{ specifier: string; index: number }> {
  return [...code.matchAll(/\b(?:require|import)\s*\(\s*['"`]([^'"`]+)['"`]\s*\)/g)].map((m) => ({ specifier: m[1], index: m.index ?? 0 }));
}

function listTs(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(join(ROOT, dir), { withFileTypes: true })) {
    const rel = posix.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...listTs(rel));
    else if (entry.name.endsWith('.ts')) out.push(rel);
  }
  return out.sort();
}

function load(path: string): SourceFile {
  return { path, ...stripSource(readFileSync(join(ROOT, path), 'utf8')) };
}

/** Resolves a relative specifier against the importing file: 'src/nn/x.ts' + '../tensor' -> 'src/tensor'. */
function resolveSpecifier(from: string, specifier: string): string {
  return posix.normalize(posix.join(posix.dirname(from), specifier));
}

const isRelative = (s: string): boolean => s.startsWith('.');

/** STYLE.md's layers below cli/ (src/io/modelFile.ts and src/io/formats/ are "models": there is no src/models/). */
type Layer = 'tensor' | 'errors' | 'rng' | 'kernels' | 'nn' | 'io' | 'data' | 'models' | 'experiments' | 'report';

/** The layer of a source path or resolved module ('src/nn/x' or 'src/nn/x.ts'); undefined for cli/, index.ts and anything else. */
function layerOf(p: string): Layer | undefined {
  const m = p.replace(/\.ts$/, '');
  if (m === 'src/tensor' || m === 'src/errors') return m.slice(4) as Layer;
  if (m === 'src/io/modelFile' || m.startsWith('src/io/formats/')) return 'models';
  const dir = /^src\/(rng|kernels|nn|io|data|experiments|report)(?:\/|$)/.exec(m);
  return dir === null ? undefined : (dir[1] as Layer);
}
const inCli = (p: string): boolean => p.startsWith('src/cli/') || p.startsWith('bin/');
const FS_OR_ZLIB = /^(?:node:)?(?:fs|zlib)(?:\/.*)?$/;

/** Each offending line as "path:line: text", for failure messages that point at the code (`in`: which view is matched). */
function findLines(file: SourceFile, pattern: RegExp, view: 'bare' | 'strings' = 'bare'): string[] {
  const hits: string[] = [];
  const lines = file[view].split('\n');
  const codeLines = file.code.split('\n');
  lines.forEach((line, n) => {
    if (pattern.test(line)) hits.push(`${file.path}:${n + 1}: ${codeLines[n].trim()}`);
  });
  return hits;
}

const PROCESS = /(?<![\w$.])process(?![\w$])|\b(?:globalThis|global)\s*\.\s*process\b/;
const CONSOLE = /(?<![\w$.])console(?![\w$])|\b(?:globalThis|global)\s*\.\s*console\b/;
const PROCESS_EXIT = /\bprocess\s*(?:\.\s*exit|\[\s*['"]exit['"]\s*\])\s*\(/;
const MATH_RANDOM = /\bMath\s*(?:\.\s*random\b|\[)/;
const DATE_NOW = /\bDate\s*\.\s*now\b/;
/** A command-line flag in wording: `--word`, not `---`, `a--b` or a decrement. */
const CLI_FLAG = /(?<![\w-])--[a-z]/;

describe('stripSource (the matcher must not see comments or string text)', () => {
  it('drops line and block comments, keeps the code around them', () => {
    const { code, bare } = stripSource("/** uses process.exit */\nconst a = 1; // console.log\n/* Math.random() */ const b = 2;\n");
    expect(code).not.toMatch(/process|console|Math/);
    expect(bare).toMatch(/const a = 1;/);
    expect(bare).toMatch(/const b = 2;/);
    expect(code.split('\n')).toHaveLength(4); // line numbers survive
  });

  it('keeps strings for imports but blanks them for identifiers; // inside strings is not a comment', () => {
    const src = "import x from 'commander';\nconst u = 'http://console.example';\nconst m = `process ${process.pid} // x`;\n";
    const { code, bare, strings } = stripSource(src);
    expect(importsOf(code)).toEqual([{ specifier: 'commander', typeOnly: false }]);
    expect(bare).not.toMatch(/console/);
    expect(findLines({ path: 't.ts', code, bare, strings }, PROCESS)).toEqual(['t.ts:3: const m = `process ${process.pid} // x`;']);
  });

  it('treats regex literals as literals (quotes and // inside them)', () => {
    const { bare } = stripSource("const r = /^['\"]\\/\\/process/;\nconst q = a / b; process.exit(1);\n");
    expect(bare.split('\n')[0]).not.toMatch(/process/);
    expect(bare.split('\n')[1]).toMatch(PROCESS_EXIT);
  });

  it('reads every import form and whether it is erased as type-only', () => {
    const code = stripSource(
      "import type { A } from './a';\nimport { type B, type C } from './b';\nimport { D, type E } from './d';\n" +
        "export { F } from './f';\nexport type { G } from './g';\nimport './side';\nconst h = require('h');\nconst i = await import('i');\nimport * as j from 'node:fs';\n",
    ).code;
    expect(importsOf(code)).toEqual([
      { specifier: './a', typeOnly: true },
      { specifier: './b', typeOnly: true },
      { specifier: './d', typeOnly: false },
      { specifier: './f', typeOnly: false },
      { specifier: './g', typeOnly: true },
      { specifier: 'node:fs', typeOnly: false },
      { specifier: './side', typeOnly: false },
      { specifier: 'h', typeOnly: false },
      { specifier: 'i', typeOnly: false },
    ]);
  });

  it('the patterns catch what they are for and pass look-alikes', () => {
    expect(PROCESS.test('const e = process.env;')).toBe(true);
    expect(PROCESS.test('globalThis.process.exit(1)')).toBe(true);
    expect(PROCESS.test('io.process(); processRow(); NodeJS.ProcessEnv')).toBe(false);
    expect(CONSOLE.test('console.error(x)')).toBe(true);
    expect(CONSOLE.test('this.console; myconsole')).toBe(false);
    expect(PROCESS_EXIT.test("process.exit(2); process['exit'](1)")).toBe(true);
    expect(PROCESS_EXIT.test('process.exitCode = 2')).toBe(false);
    expect(MATH_RANDOM.test('Math.random()')).toBe(true);
    expect(MATH_RANDOM.test("Math['random']()")).toBe(true);
    expect(MATH_RANDOM.test('Math.round(x)')).toBe(false);
    expect(DATE_NOW.test('const t = Date.now();')).toBe(true);
    expect(FS_OR_ZLIB.test('node:fs/promises') && FS_OR_ZLIB.test('zlib') && !FS_OR_ZLIB.test('node:path')).toBe(true);
    expect(CLI_FLAG.test("pass --data DIR") && CLI_FLAG.test('--param x') && CLI_FLAG.test("'--y'")).toBe(true);
    expect(CLI_FLAG.test('i--; ---- a--b -- x --1')).toBe(false);
  });

  it('places each file in its STYLE.md layer (modelFile and formats/ are "models")', () => {
    expect(['src/io/modelFile.ts', 'src/io/formats/onnx', 'src/io/npy.ts', 'src/experiments/sweep/cache', 'src/tensor', 'src/errors.ts', 'src/nn/layers'].map(layerOf))
      .toEqual(['models', 'models', 'io', 'experiments', 'tensor', 'errors', 'nn']);
    expect(['src/cli/main.ts', 'src/index.ts', 'bin/mnist-loss.ts', 'src/tensorX.ts'].map(layerOf)).toEqual([undefined, undefined, undefined, undefined]);
  });

  it('keeps only string and template text for wording checks, not code, comments or regex literals', () => {
    const { strings } = stripSource("const a = '--data' + b--; // --seed\nconst t = `x --y ${i--} z`;\nconst r = /--h/;\n");
    const lines = strings.split('\n');
    expect(lines[0]).toMatch(CLI_FLAG);
    expect(lines[0].replace("--data", '')).not.toMatch(/--/);
    expect(lines[1]).toMatch(/x --y /);
    expect(lines[1]).not.toMatch(/i--/);
    expect(lines[2]).not.toMatch(/--h/);
    expect(findLines({ path: 't.ts', ...stripSource("f('--out');\ng(x--);\n") }, CLI_FLAG, 'strings')).toEqual(["t.ts:1: f('--out');"]);
  });
});

describe('module boundaries (STYLE.md)', () => {
  const src = listTs('src').map(load);
  const bin = listTs('bin').map(load);

  it('finds the source tree', () => {
    expect(src.map((f) => f.path)).toEqual(expect.arrayContaining(['src/tensor.ts', 'src/errors.ts', 'src/rng/mt19937.ts', 'src/cli/main.ts', 'src/io/files.ts']));
    expect(bin.map((f) => f.path)).toContain('bin/mnist-loss.ts');
  });

  it('process and console appear only in src/cli and bin (and the one kernel-switch read of process.env)', () => {
    // src/kernels/index.ts reads MNIST_LOSS_KERNELS from process.env as the default of kernelPath(env): worker
    // threads and library callers must see the switch, and they share the environment, not the CLI's options.
    const KERNEL_SWITCH = /^export function kernelPath\(env: Environment = process\.env\): KernelPath \{$/;
    const allowed = (f: SourceFile, hit: string): boolean => f.path === 'src/kernels/index.ts' && KERNEL_SWITCH.test(hit.slice(hit.indexOf(': ') + 2));
    const hits = src.filter((f) => !inCli(f.path)).flatMap((f) => [...findLines(f, PROCESS).filter((hit) => !allowed(f, hit)), ...findLines(f, CONSOLE)]);
    expect(hits).toEqual([]);
  });

  it('commander is imported only in src/cli and bin', () => {
    const hits = src
      .filter((f) => !inCli(f.path))
      .flatMap((f) => importsOf(f.code).filter((r) => r.specifier === 'commander').map((r) => `${f.path}: ${r.specifier}`));
    expect(hits).toEqual([]);
  });

  it('node:fs and node:zlib are imported only by src/io/files.ts', () => {
    const hits = [...src, ...bin]
      .filter((f) => f.path !== 'src/io/files.ts')
      .flatMap((f) => importsOf(f.code).filter((r) => FS_OR_ZLIB.test(r.specifier)).map((r) => `${f.path}: ${r.specifier}`));
    expect(hits).toEqual([]);
  });

  it('Math.random appears nowhere (every random number comes from a seeded Mt19937)', () => {
    expect([...src, ...bin].flatMap((f) => findLines(f, MATH_RANDOM))).toEqual([]);
  });

  it('Date.now appears only in src/cli (timing)', () => {
    expect(src.filter((f) => !f.path.startsWith('src/cli/')).flatMap((f) => findLines(f, DATE_NOW))).toEqual([]);
  });

  it('nothing calls process.exit: the library throws, bin sets process.exitCode', () => {
    expect([...src, ...bin].flatMap((f) => findLines(f, PROCESS_EXIT))).toEqual([]);
  });

  it('tensor.ts and errors.ts import nothing of ours', () => {
    const hits = src
      .filter((f) => f.path === 'src/tensor.ts' || f.path === 'src/errors.ts')
      .flatMap((f) => importsOf(f.code).filter((r) => isRelative(r.specifier)).map((r) => `${f.path}: ${r.specifier}`));
    expect(hits).toEqual([]);
  });

  it('rng/ imports only rng/', () => {
    const hits = src
      .filter((f) => f.path.startsWith('src/rng/'))
      .flatMap((f) =>
        importsOf(f.code)
          .filter((r) => isRelative(r.specifier) && !resolveSpecifier(f.path, r.specifier).startsWith('src/rng/'))
          .map((r) => `${f.path}: ${r.specifier}`),
      );
    expect(hits).toEqual([]);
  });

  it('tensor, errors and rng use no packages or node built-ins', () => {
    const pure = (p: string): boolean => p === 'src/tensor.ts' || p === 'src/errors.ts' || p.startsWith('src/rng/');
    const hits = src
      .filter((f) => pure(f.path))
      .flatMap((f) => importsOf(f.code).filter((r) => !isRelative(r.specifier) && !r.typeOnly).map((r) => `${f.path}: ${r.specifier}`));
    expect(hits).toEqual([]);
  });

  it('report/ imports only types from other layers, and chalk only in report/style.ts', () => {
    const hits: string[] = [];
    for (const f of src.filter((s) => s.path.startsWith('src/report/'))) {
      for (const r of importsOf(f.code)) {
        if (r.typeOnly) continue;
        if (r.specifier === 'chalk' && f.path === 'src/report/style.ts') continue;
        if (isRelative(r.specifier) && resolveSpecifier(f.path, r.specifier).startsWith('src/report/')) continue; // within report/
        hits.push(`${f.path}: ${r.specifier}`);
      }
    }
    expect(hits).toEqual([]);
  });

  it('chalk is imported only by src/report/style.ts', () => {
    const hits = [...src, ...bin]
      .filter((f) => f.path !== 'src/report/style.ts')
      .flatMap((f) => importsOf(f.code).filter((r) => r.specifier === 'chalk' && !r.typeOnly).map((r) => `${f.path}: chalk`));
    expect(hits).toEqual([]);
  });

  it('imports point down: only cli/ imports cli/, only cli/ and experiments/ import experiments/ (types aside)', () => {
    const hits: string[] = [];
    for (const f of src.filter((s) => !s.path.startsWith('src/cli/') && s.path !== 'src/index.ts')) {
      for (const r of importsOf(f.code)) {
        if (r.typeOnly || !isRelative(r.specifier)) continue;
        const target = resolveSpecifier(f.path, r.specifier);
        const up = target.startsWith('src/cli/') || (target.startsWith('src/experiments/') && !f.path.startsWith('src/experiments/'));
        if (up) hits.push(`${f.path}: ${r.specifier}`);
      }
    }
    expect(hits).toEqual([]);
  });

  it('string literals outside src/cli and src/report name no CLI flag: library errors carry facts, cli/wording.ts words them', () => {
    // Flags of other programs, quoted in a hint as the way to produce an input, may stay (path + the exact text).
    const OTHER_PROGRAMS: ReadonlyArray<readonly [string, string]> = [
      ['src/kernels/index.ts', 'Node runs with --jitless'], // node's own option, the reason WebAssembly is missing
      ['src/io/formats/tfjs.ts', 'tensorflowjs_converter --input_format keras'], // the TF.js converter's option
    ];
    const allowed = (f: SourceFile, hit: string): boolean => OTHER_PROGRAMS.some(([p, text]) => f.path === p && hit.includes(text) && !CLI_FLAG.test(hit.split(text).join('')));
    const hits = src
      .filter((f) => !f.path.startsWith('src/cli/') && !f.path.startsWith('src/report/'))
      .flatMap((f) => findLines(f, CLI_FLAG, 'strings').filter((hit) => !allowed(f, hit)));
    expect(hits).toEqual([]);
  });

  // STYLE.md "Module boundaries", one row per layer: the layers whose values it may import (its own always).
  // There is no src/models/: the model readers are src/io/modelFile.ts and src/io/formats/, the "models" layer here.
  // Type-only imports are erased at compile time and are checked by the rule after this one.
  const LAYER_RULES: Readonly<Record<Layer, { readonly imports: readonly Layer[]; readonly only?: Readonly<Partial<Record<Layer, readonly string[]>>> }>> = {
    tensor: { imports: [] },
    errors: { imports: [] },
    rng: { imports: [] },
    kernels: { imports: ['tensor'] },
    nn: { imports: ['tensor', 'errors', 'kernels', 'rng'], only: { rng: ['src/nn/init.ts'] } }, // "plus rng for init only"
    io: { imports: ['errors'] },
    data: { imports: ['io', 'tensor', 'errors'] },
    models: { imports: ['io', 'nn', 'tensor', 'errors'] },
    experiments: { imports: ['nn', 'models', 'data', 'rng'] },
    report: { imports: [] }, // types only, plus chalk: the report/ rules above
  };
  // Value imports STYLE's table does not list, each a design choice kept on purpose: [importer, imported, why], where
  // importer is a file or a layer and imported a module ('src/nn/losses') or a layer.
  const LAYER_EXCEPTIONS: ReadonlyArray<readonly [string, string, string]> = [
    ['experiments', 'errors', "experiments check their own parameters (probe's h, sweep's range, loss's y and t) and throw MnistLossError facts"],
    ['experiments', 'tensor', 'experiments compute on Matrix rows (argmax, shape checks); tensor is the bottom layer every computing layer uses'],
    ['src/data/batch.ts', 'src/rng/sample', "drawing a batch's indices is np.random.choice over the split (sampleIndices); the Mt19937 is passed in"],
    ['src/experiments/predictionLoss.ts', 'src/io/files', "loss reads the y and t files the user names; data/ is MNIST's own loader"],
    ['src/experiments/predictionLoss.ts', 'src/io/npy', 'the .npy parser of those files'],
    ['src/experiments/predictionLoss.ts', 'src/io/textArrays', 'the .csv/.json parsers of those files and the inline lists'],
    ['src/kernels/imageLosses.ts', 'src/nn/losses', "CEE_DELTA: the fast path's δ is the reference's, one constant (a copy stood here until ecc6373)"],
    ['src/kernels/index.ts', 'src/errors', 'a kernel that fails to load is an error (STYLE.md "The engine"), with the rebuild hint'],
    ['src/kernels/index.ts', 'src/io/kernelFile', 'the .wasm bytes are read through io/ (no other layer reads files)'],
  ];
  const excepted = (file: string, from: Layer, target: string, to: Layer | 'cli'): boolean =>
    LAYER_EXCEPTIONS.some(([importer, imported]) => (importer === file || importer === from) && (imported === target || imported === to));

  it('each layer imports values only from the layers STYLE.md lists for it (data, nn, experiments, models, io, kernels, ...)', () => {
    const hits: string[] = [];
    for (const f of src) {
      const from = layerOf(f.path);
      if (from === undefined) continue; // cli/ may import anything; index.ts re-exports
      const rule = LAYER_RULES[from];
      for (const r of importsOf(f.code)) {
        if (r.typeOnly || !isRelative(r.specifier)) continue;
        const target = resolveSpecifier(f.path, r.specifier);
        const to = layerOf(target) ?? 'cli';
        if (to === from) continue;
        const ok = to !== 'cli' && rule.imports.includes(to) && (rule.only?.[to] === undefined || rule.only[to]!.includes(f.path));
        if (ok || excepted(f.path, from, target, to)) continue;
        const allowed = rule.imports.map((l) => (rule.only?.[l] === undefined ? l : `${l} (in ${rule.only[l]!.join(', ')} only)`));
        hits.push(`${f.path} (${from}) imports ${target} (${to}): ${from} may import ${allowed.join(', ') || 'nothing of ours'}`);
      }
    }
    expect(hits).toEqual([]);
  });

  it('the layer exceptions are still needed (each matches an import that is there)', () => {
    const edges = src.flatMap((f) => {
      const from = layerOf(f.path);
      if (from === undefined) return [];
      return importsOf(f.code)
        .filter((r) => !r.typeOnly && isRelative(r.specifier))
        .map((r) => ({ file: f.path, from, target: resolveSpecifier(f.path, r.specifier) }))
        .map((e) => ({ ...e, to: layerOf(e.target) }))
        .filter((e) => e.to !== undefined && e.to !== from);
    });
    const unused = LAYER_EXCEPTIONS.filter(([importer, imported]) => !edges.some((e) => (importer === e.file || importer === e.from) && (imported === e.target || imported === e.to)));
    expect(unused.map(([importer, imported]) => `${importer} -> ${imported}`)).toEqual([]);
  });

  it('type-only imports never reach up into cli/ (outside cli/ and bin)', () => {
    const hits = src
      .filter((f) => layerOf(f.path) !== undefined)
      .flatMap((f) => importsOf(f.code).filter((r) => r.typeOnly && isRelative(r.specifier) && resolveSpecifier(f.path, r.specifier).startsWith('src/cli/')).map((r) => `${f.path}: ${r.specifier}`));
    expect(hits).toEqual([]);
  });

  it('bin imports only cli/main (plus types)', () => {
    const hits = bin.flatMap((f) =>
      importsOf(f.code)
        .filter((r) => !r.typeOnly && !(isRelative(r.specifier) && resolveSpecifier(f.path, r.specifier) === 'src/cli/main'))
        .map((r) => `${f.path}: ${r.specifier}`),
    );
    expect(hits).toEqual([]);
  });

  // The CLI layout (issue 10): cli/<name>/spec.ts declares a command (flags, options, validate, register) and
  // loads cli/<name>/run.ts, its work, only when the action runs; run imports spec, never the reverse.
  const RUN = /^src\/cli\/([^/]+)\/run$/;
  const SPEC = /^src\/cli\/([^/]+)\/spec\.ts$/;
  const specs = src.filter((f) => SPEC.test(f.path));

  it('finds the command folders: a spec.ts and a run.ts for each of the nine commands', () => {
    const folders = (re: RegExp, ext: string) => src.map((f) => re.exec(f.path.replace(/\.ts$/, ext))?.[1]).filter((n): n is string => n !== undefined && n !== 'shared').sort();
    const names = ['batch', 'demo', 'eval', 'gradcheck', 'info', 'loss', 'probe', 'sweep', 'train'];
    expect(folders(SPEC, '.ts')).toEqual(names);
    expect(folders(RUN, '')).toEqual(names);
  });

  it('a cli/<name>/spec.ts never imports a run module statically, not even its types (run.ts imports its spec)', () => {
    const hits = specs.flatMap((f) =>
      staticImportsOf(f.code)
        .filter((r) => isRelative(r.specifier) && RUN.test(resolveSpecifier(f.path, r.specifier)))
        .map((r) => `${f.path}: ${r.typeOnly ? 'import type' : 'import'} ${r.specifier}`),
    );
    expect(hits).toEqual([]);
  });

  it("every run loads lazily: a spec's action is the one place that loads its ./run, and no module imports a run statically", () => {
    const hits: string[] = [];
    for (const f of [...src, ...bin]) {
      const folder = /^src\/cli\/([^/]+)\//.exec(f.path)?.[1];
      for (const r of staticImportsOf(f.code)) {
        const run = isRelative(r.specifier) ? RUN.exec(resolveSpecifier(f.path, r.specifier)) : null;
        // cli/shared/run.ts is the work that several runs share: only a run.ts imports it
        if (run !== null && !(run[1] === 'shared' && /\/run\.ts$/.test(f.path))) hits.push(`${f.path}: static import of ${r.specifier}`);
      }
      for (const r of lazyImportsOf(f.code)) {
        const run = isRelative(r.specifier) ? RUN.exec(resolveSpecifier(f.path, r.specifier)) : null;
        if (run === null) continue;
        if (!SPEC.test(f.path) || run[1] !== folder) hits.push(`${f.path}: loads ${r.specifier}, another command's run`);
        // inside a function (the action), not at the module's top level, where it would load at start-up
        const depth = [...f.bare.slice(0, r.index)].reduce((d, c) => d + (c === '{' ? 1 : c === '}' ? -1 : 0), 0);
        if (depth === 0) hits.push(`${f.path}: loads ${r.specifier} at its top level`);
      }
    }
    for (const f of specs.filter((s) => s.path !== 'src/cli/shared/spec.ts'))
      if (!lazyImportsOf(f.code).some((r) => r.specifier === './run')) hits.push(`${f.path}: never loads ./run`);
    expect(hits).toEqual([]);
  });

  it('no import cycle among src modules through value imports (type imports are erased; lazy loads are not edges)', () => {
    const files = new Map([...src, ...bin].map((f) => [f.path, f]));
    const resolveFile = (from: string, specifier: string): string | undefined => {
      const target = resolveSpecifier(from, specifier);
      return [`${target}.ts`, `${target}/index.ts`].find((p) => files.has(p));
    };
    const edges = new Map(
      [...files.values()].map((f) => [
        f.path,
        staticImportsOf(f.code).filter((r) => !r.typeOnly && isRelative(r.specifier)).map((r) => resolveFile(f.path, r.specifier)).filter((p): p is string => p !== undefined),
      ]),
    );
    expect(edges.get('src/cli/main.ts')).toEqual(expect.arrayContaining(['src/errors.ts', 'src/cli/registry.ts'])); // the walk sees the imports
    expect(findCycle(edges)).toBeNull();
  });

  it('the cycle search finds a cycle and prints it, and passes a graph without one', () => {
    const graph = (pairs: Array<[string, string[]]>) => new Map(pairs);
    expect(findCycle(graph([['a', ['b']], ['b', ['c']], ['c', ['a']], ['d', ['a']]]))).toBe('a -> b -> c -> a');
    expect(findCycle(graph([['a', ['a']]]))).toBe('a -> a');
    expect(findCycle(graph([['a', ['b', 'c']], ['b', ['c']], ['c', []]]))).toBeNull();
  });
});

/** The first cycle a depth-first walk meets, as "a -> b -> a", or null when the graph has none. */
function findCycle(edges: ReadonlyMap<string, readonly string[]>): string | null {
  const done = new Set<string>();
  const path: string[] = [];
  const visit = (node: string): string | null => {
    const at = path.indexOf(node);
    if (at >= 0) return [...path.slice(at), node].join(' -> ');
    if (done.has(node)) return null;
    path.push(node);
    for (const next of edges.get(node) ?? []) {
      const cycle = visit(next);
      if (cycle !== null) return cycle;
    }
    path.pop();
    done.add(node);
    return null;
  };
  for (const node of [...edges.keys()].sort()) {
    const cycle = visit(node);
    if (cycle !== null) return cycle;
  }
  return null;
}
