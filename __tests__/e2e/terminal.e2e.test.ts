// The CLI in a real terminal: a pseudo-terminal from util-linux `script` (skipped, saying why, where it is
// missing), with colour on and a width set by `stty cols`, and the ASCII fallback off a UTF-8 terminal.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { BIN, cliEnv, requireBuiltCli, runCli } from '../helpers/cli';
import { displayWidth, stripEscapes } from '../../src/report/width';

const SCRIPT = ['/usr/bin/script', '/bin/script'].find(existsSync);
if (SCRIPT === undefined) console.warn('terminal.e2e.test.ts: the pseudo-terminal cases are skipped: util-linux `script` is not installed');

/** Runs `mnist-loss ...args` on a pseudo-terminal `cols` wide; returns what the terminal received (CRLF line ends). */
function inTerminal(cols: number, args: readonly string[]): string {
  const quoted = [process.execPath, BIN, ...args].map((a) => `'${a.replace(/'/g, "'\\''")}'`).join(' ');
  const r = spawnSync(SCRIPT!, ['-qec', `stty cols ${cols} rows 50; ${quoted}`, '/dev/null'], { encoding: 'utf8', env: { ...cliEnv(), TERM: 'xterm-256color', LANG: 'C.UTF-8' }, input: '' });
  expect(r.status).toBe(0);
  return r.stdout;
}
const lines = (text: string) => text.split(/\r?\n/);
const BLOCKS = /[░▒▓█⠀-⣿]/;

beforeAll(requireBuiltCli);

(SCRIPT ? describe : describe.skip)('on a terminal, colour on', () => {
  it("probe's two maps line up: colour codes take no width (they used to push the accuracy map ~285 columns right)", () => {
    const out = inTerminal(100, ['probe', '--size', '100']);
    expect(out).toMatch(/\u001b\[3\dm/); // colour is on
    const mapRows = lines(out).filter((l) => /[·░▒▓█]{20}.* {4}[·.]{20}/.test(l.replace(/\u001b\[[0-9;]*m/g, '')));
    expect(mapRows.length).toBeGreaterThanOrEqual(14); // 28 pixel rows, two per line
    for (const row of mapRows) expect(displayWidth(row)).toBeLessThanOrEqual(28 + 4 + 28);
  });

  it("lays batch --show out for the terminal's own width, not an unexported $COLUMNS", () => {
    const perBand = (cols: number) => lines(inTerminal(cols, ['batch', '--size', '6', '--show'])).filter((l) => /#\d+ label \d/.test(l))[0].match(/#\d+ label/g)!.length;
    expect(perBand(200)).toBe(6);
    expect(perBand(70)).toBe(2); // 28-column digits, 2 spaces apart: 2 fit in 70, 3 need 88
  });
});

(SCRIPT ? describe : describe.skip)('on a 40- and an 80-column terminal, colour on, every report fits', () => {
  const REPORTS = [
    ['demo'], ['sweep', '--param', 'auto', '--size', '100', '--steps', '11'], ['probe', '--size', '100', '--weights', '8'],
    ['eval', '--size', '100', '--worst', '3'], ['info'], ['gradcheck', '--size', '2', '--hidden', '5'], ['batch', '--size', '3', '--show'],
    ['train', '--hidden', '5', '--epochs', '1', '--batch-size', '600'], ['sweep', '--help'],
  ];
  it.each([40, 80].flatMap((cols) => REPORTS.map((args) => [cols, args.join(' '), args] as const)))('at %i columns: %s', (cols, _name, args) => {
    const out = inTerminal(cols, args);
    if (args[1] !== '--help') expect(out).toMatch(/\u001b\[\d+m/); // colour is on
    // a line the terminal would wrap; one unbreakable word (a path) aside, as in width.e2e.test.ts
    // each piece a carriage return starts is drawn from column 0 (the progress bar redraws itself that way)
    const over = lines(out).flatMap((l) => l.split('\r')).filter((l) => displayWidth(l) > cols && /\s/.test(stripEscapes(l).trim()));
    expect(over).toEqual([]);
  });
});

describe('ASCII where Unicode cannot be drawn', () => {
  const draws = [['batch', '--size', '2', '--show'], ['eval', '--size', '20', '--worst', '2']];
  it.each(draws)('%s draws in ASCII with --ascii, TERM=dumb or LC_ALL=C, and in Unicode otherwise', (...args) => {
    expect(runCli(args, { LANG: 'C.UTF-8' }).stdout).toMatch(BLOCKS);
    for (const [extra, env] of [[['--ascii'], { LANG: 'C.UTF-8' }], [[], { TERM: 'dumb', LANG: 'C.UTF-8' }], [[], { LC_ALL: 'C' }]] as const) {
      const r = runCli([...args, ...extra], env);
      expect(r.status).toBe(0);
      expect(r.stdout).not.toMatch(BLOCKS);
      expect(r.stdout).toMatch(/[.:+#]{3}/);
    }
  });
});
