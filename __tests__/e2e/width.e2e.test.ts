// Every command's human output fits the terminal it is given, 40, 80 and 200 columns (issue 10): $COLUMNS off a
// TTY here, the TTY's own width with colour on in terminal.e2e.test.ts. Runs on a tiny IDX fixture and the
// bundled model; JSON and CSV are exempt. One kind of line may run over: a single word that cannot be broken
// (a 41-character `--y=` list in an example, a path), which wraps in the terminal rather than being cut.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { requireBuiltCli, runCli } from '../helpers/cli';
import { removeDir, writeFixtureDir } from '../helpers/idxFixture';
import { displayWidth } from '../../src/report/width';

const WIDTHS = [40, 80, 200] as const;
/** The book's ch07 SimpleConvNet: a long layer chain in eval's header. */
const CH07 = path.resolve(__dirname, '../fixtures/book-ch07-params.pkl');

let fixture: ReturnType<typeof writeFixtureDir>;
beforeAll(() => {
  requireBuiltCli();
  fixture = writeFixtureDir(120, 40);
  writeFileSync(path.join(fixture.dir, 'y.csv'), '0.1,0.05,0.6,0.0,0.05,0.1,0.0,0.1,0.0,0.0\n0.1,0.05,0.1,0.0,0.05,0.1,0.0,0.6,0.0,0.0\n');
  writeFileSync(path.join(fixture.dir, 't.csv'), '2\n2\n');
});
afterAll(() => removeDir(fixture.dir));

/** The commands with human output, each with small sizes so that the 3 widths × all of them stay quick. */
const COMMANDS: readonly (readonly string[])[] = [
  ['demo'],
  ['demo', '--lang', 'ko'],
  ['info'],
  ['batch', '--size', '5'],
  ['batch', '--size', '3', '--show'],
  ['loss', '--y', '0.1,0.05,0.6,0.0,0.05,0.1,0.0,0.1,0.0,0.0', '--t', '2'],
  ['loss', '--y', 'FIXTURE/y.csv', '--t', 'FIXTURE/t.csv', '--compare'],
  ['eval', '--size', '20'],
  ['eval', '--size', '20', '--worst', '4'],
  ['eval', '--size', '20', '--confusion', '--min-accuracy', '0'],
  ['eval', '--model', CH07, '--size', '10', '--worst', '2'],
  ['sweep', '--param', 'auto', '--size', '20', '--steps', '11'],
  ['sweep', '--param', 'auto', '--size', '20', '--steps', '31'], // 21 of 31 rows shown, and a note saying so
  ['probe', '--size', '20', '--weights', '8'],
  ['gradcheck', '--size', '2', '--hidden', '5'],
  ['gradcheck', '--size', '2', '--hidden', '5', '--elements', '2'], // the layer engine's table and header
  ['train', '--hidden', '5', '--epochs', '1', '--batch-size', '30'],
];

const HELPS: readonly (readonly string[])[] = [['--help'], ...['info', 'batch', 'loss', 'eval', 'sweep', 'probe', 'gradcheck', 'train', 'demo'].map((c) => [c, '--help'])];

/** Lines wider than `width`, except an unbreakable word (no space once indentation and a shell ` \` are set aside). */
function overflowing(text: string, width: number): string[] {
  return text.split('\n').filter((line) => displayWidth(line) > width && /\s/.test(line.trim().replace(/ \\$/, '')));
}

const withFixture = (args: readonly string[]) => [...args.map((a) => a.replace('FIXTURE', fixture.dir)), '--data', fixture.dir];

describe.each(WIDTHS)('at COLUMNS=%i', (width) => {
  it.each(COMMANDS.map((c) => [c.join(' '), c] as const))('%s fits', (_name, args) => {
    const r = runCli(withFixture(args), { COLUMNS: String(width), LANG: 'C.UTF-8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout.split('\n').length).toBeGreaterThan(3);
    expect(overflowing(r.stdout, width)).toEqual([]);
  });

  it.each(HELPS.map((c) => [c.join(' '), c] as const))('%s fits', (_name, args) => {
    const r = runCli(args, { COLUMNS: String(width) });
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/Usage: mnist-loss/);
    expect(overflowing(r.stdout, width)).toEqual([]);
  });
});

describe('what narrow layouts keep', () => {
  it('sweep at 40 columns keeps its four loss columns (headers on two lines) and every row', () => {
    const r = runCli(withFixture(['sweep', '--param', 'auto', '--size', '20', '--steps', '11']), { COLUMNS: '40' });
    const lines = r.stdout.split('\n');
    const head = lines.findIndex((l) => /^value\s+SSE\s+CEE$/.test(l.trim()));
    expect(head).toBeGreaterThan(0);
    expect(lines[head + 1].trim().split(/\s+/)).toEqual(['(+)', '(mean/img)', '(mean/img)', 'accuracy']);
    expect(lines.slice(head + 2, head + 13).every((l) => l.trim().split(/\s+/).length === 4)).toBe(true);
  });

  it("train's streamed epoch rows line up under the headers it chose for the width", () => {
    for (const width of WIDTHS) {
      const r = runCli(withFixture(['train', '--hidden', '5', '--epochs', '2', '--batch-size', '30']), { COLUMNS: String(width) });
      const lines = r.stdout.split('\n');
      const rows = lines.filter((l) => /^\s+[12]\s/.test(l));
      expect(rows).toHaveLength(2);
      const header = lines[lines.indexOf(rows[0]) - 1];
      expect(rows[0].trimEnd().length).toBe(header.trimEnd().length);
      const cells = rows[0].trim().split(/\s+/).length;
      if (width === 40) expect(header.trim().split(/\s+/)).toHaveLength(cells); // two-line headers: one bottom word per column
      expect(cells).toBe(width === 40 ? 5 : 8); // at 40: epoch, batch/train/test CEE, test acc
    }
  });

  it('--help at 40 columns puts descriptions under their flags; examples keep working shell lines', () => {
    const r = runCli(['sweep', '--help'], { COLUMNS: '40' });
    expect(r.stdout).toMatch(/\n {2}--steps <k>\n {6}number of values/);
    const examples = r.stdout.slice(r.stdout.indexOf('Examples:'));
    // joined back at their ` \` continuations, the examples are the one-line commands the wide help shows
    const joined = examples.replace(/ \\\n {6}/g, ' ');
    const wide = runCli(['sweep', '--help'], { COLUMNS: '200' }).stdout;
    const wideExamples = wide.slice(wide.indexOf('Examples:'));
    expect(joined.split('\n').filter((l) => l.startsWith('  $ '))).toEqual(wideExamples.split('\n').filter((l) => l.startsWith('  $ ')).map((l) => l.replace(/\s{2,}[#(].*$/, '')));
  });
});
