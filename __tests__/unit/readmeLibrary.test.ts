// README's "Library" example is real: it is type-checked against the library under strict TypeScript, then run,
// and what it prints is checked (the bundled model's accuracy, a probability row that sums to 1).
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as ts from 'typescript';

const ROOT = path.join(__dirname, '..', '..');
const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
const section = readme.slice(readme.indexOf('## Library'), readme.indexOf('\n## ', readme.indexOf('## Library') + 5));
const code = /```ts\n([\s\S]*?)```/.exec(section)?.[1] ?? '';

describe("README's Library example", () => {
  // written beside this test so that 'mnist-loss' resolves to the source (src/index.ts) through a relative path
  const file = path.join(__dirname, '.readme-library-example.ts');
  const source = code.replace(/from 'mnist-loss'/g, `from '../../src/index'`);
  beforeAll(() => fs.writeFileSync(file, source));
  afterAll(() => fs.rmSync(file, { force: true }));

  it('is there and imports from the package', () => {
    expect(code).toMatch(/from 'mnist-loss'/);
    expect(code.length).toBeGreaterThan(200);
  });

  it('type-checks under strict TypeScript', () => {
    const program = ts.createProgram([file], { strict: true, noEmit: true, target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.CommonJS, types: ['node'], esModuleInterop: true, skipLibCheck: true });
    const problems = ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
    expect(problems).toEqual([]);
  });

  it('runs and prints what it says', () => {
    const printed: string[] = [];
    const log = jest.spyOn(console, 'log').mockImplementation((...args: unknown[]) => { printed.push(args.map(String).join(' ')); });
    try {
      const js = ts.transpileModule(source, { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true } }).outputText;
      // eslint-disable-next-line @typescript-eslint/no-implied-eval
      new Function('require', 'module', 'exports', js)((id: string) => require(id.startsWith('.') ? path.join(__dirname, id) : id), { exports: {} }, {});
    } finally {
      log.mockRestore();
    }
    expect(printed[0]).toBe('mlp affine -> relu -> affine -> softmax');
    expect(printed[1]).toMatch(/^accuracy 0\.975, CEE 0\.0792$/); // the bundled model: 9750 / 10000 (train.e2e pins it against numpy)
    expect(printed[2]).toBe('1,10 1.000000');
  });
});
