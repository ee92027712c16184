// What the terminal allows: the width to lay out for (the TTY's own, then $COLUMNS, then 80, at least 40),
// Unicode or ASCII (--ascii, TERM=dumb, a non-UTF-8 locale), and the one display-width measure every table and
// chart aligns by (escape codes take no column, Hangul two).
import { charsetFor, localeIsUtf8, MIN_WIDTH, terminalWidth } from '../../../src/cli/terminal';
import { renderTable } from '../../../src/report/table';
import { createStyle } from '../../../src/report/style';
import { displayWidth, padEndDisplay, stripEscapes } from '../../../src/report/width';

describe('terminalWidth', () => {
  it("takes the TTY's own width first, then $COLUMNS, then 80", () => {
    expect(terminalWidth({ env: { COLUMNS: '100' }, columns: 132 })).toBe(132);
    expect(terminalWidth({ env: { COLUMNS: '100' } })).toBe(100);
    expect(terminalWidth({ env: {} })).toBe(80);
    expect(terminalWidth({ env: { COLUMNS: 'wide' } })).toBe(80);
  });
  it(`never lays out narrower than ${MIN_WIDTH} columns, or than a drawing needs`, () => {
    expect(terminalWidth({ env: {}, columns: 30 })).toBe(40);
    expect(terminalWidth({ env: { COLUMNS: '20' } }, 60)).toBe(60);
  });
});

describe('charsetFor', () => {
  it('is ASCII for --ascii, TERM=dumb and locales whose character set is not UTF-8', () => {
    expect(charsetFor(true, {})).toBe('ascii');
    expect(charsetFor(false, { TERM: 'dumb' })).toBe('ascii');
    for (const env of [{ LC_ALL: 'C' }, { LC_ALL: 'POSIX' }, { LANG: 'de_DE.ISO-8859-1' }, { LC_ALL: 'C', LANG: 'en_US.UTF-8' }, { LC_CTYPE: 'C', LANG: 'en_US.UTF-8' }])
      expect([env, charsetFor(false, env)]).toEqual([env, 'ascii']);
  });
  it('is Unicode for UTF-8 locales, and when no locale variable is set at all', () => {
    for (const env of [{ LANG: 'en_US.UTF-8' }, { LC_ALL: 'C.UTF-8' }, { LC_ALL: '', LANG: 'ko_KR.utf8' }, {}])
      expect([env, charsetFor(false, env), localeIsUtf8(env)]).toEqual([env, 'unicode', true]);
  });
});

describe('displayWidth', () => {
  it('counts no column for escape sequences (colour, erase line, cursor moves) and two for wide characters', () => {
    expect(displayWidth('\u001b[31mab\u001b[39m')).toBe(2);
    expect(displayWidth('\u001b[2K\u001b[1A')).toBe(0);
    expect(displayWidth('정확도')).toBe(6);
    expect(displayWidth('ｘ')).toBe(2); // full-width x
    expect(padEndDisplay('가', 4)).toBe('가  ');
  });
  it('aligns a coloured table exactly like a plain one', () => {
    const rows = [['a', '1'], ['bbb', '22']];
    const plain = renderTable([{ header: 'k', align: 'left' }, { header: 'v' }], rows);
    const coloured = renderTable([{ header: 'k', align: 'left' }, { header: 'v' }], rows.map(([k, v]) => [`\u001b[31m${k}\u001b[39m`, v]), createStyle(false));
    expect(coloured.replace(/\u001b\[[0-9;]*m/g, '')).toBe(plain);
  });
});

describe('stripEscapes agrees with Node', () => {
  it('removes what util.stripVTControlCharacters removes', () => {
    const { stripVTControlCharacters } = require('node:util') as typeof import('node:util');
    for (const s of ['\u001b[1;31mred\u001b[0m', '\u001b]8;;http://x\u0007link\u001b]8;;\u0007', '\u001b[2K\r\u001b[1Aup', 'plain', '\u009b31mc1'])
      expect(stripEscapes(s)).toBe(stripVTControlCharacters(s));
  });
});
