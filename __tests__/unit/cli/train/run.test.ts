// `mnist-loss train` in process with a scripted Io: the progress bar is drawn on stderr only for a TTY and
// erased before each row and at the end; Ctrl-C (io.onInterrupt) stops after the current iteration with
// exit 130, one line, and no model file, for the MLP and for a --layers network. The clock is fake: each
// io.now() call advances 40 ms.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { main } from '../../../../src/cli/main';
import type { Io } from '../../../../src/cli/io';
import { CLEAR_LINE } from '../../../../src/report/progress';
import { removeDir, writeFixtureDir } from '../../../helpers/idxFixture';

function scriptedIo(errIsTty: boolean, interruptAtCall = Infinity) {
  let clock = 0, calls = 0;
  let handler: (() => void) | undefined;
  const io = {
    stdout: '',
    stderr: '',
    handlers: 0,
    out(text: string) { io.stdout += text; },
    err(text: string) { io.stderr += text; },
    color: false,
    errIsTty,
    env: { COLUMNS: '200' }, // wide: the header's lines do not wrap, so lines can be counted
    now() {
      if (++calls === interruptAtCall) handler?.();
      return (clock += 40);
    },
    onInterrupt(h: () => void) {
      handler = h;
      io.handlers++;
      return () => { if (handler === h) { handler = undefined; io.handlers--; } };
    },
  };
  return io satisfies Io & Record<string, unknown>;
}

let fixture: ReturnType<typeof writeFixtureDir>;
beforeAll(() => { fixture = writeFixtureDir(60, 12); });
afterAll(() => removeDir(fixture.dir));

describe('train progress bar', () => {
  it('is drawn on stderr when stderr is a TTY, erased before each epoch row and at the end', async () => {
    const io = scriptedIo(true);
    const code = await main(['train', '--data', fixture.dir, '--batch-size', '6', '--epochs', '2'], io);
    expect(code).toBe(0);
    expect(io.stderr).toContain(`${CLEAR_LINE}[`);
    expect(io.stderr).toMatch(/\/20 {2}epoch [12]/); // 2 epochs × 60 / 6 = 20 iterations
    expect(io.stderr.endsWith(CLEAR_LINE)).toBe(true);
    expect(io.stdout).not.toContain('\r');
    expect(io.stdout.trimEnd().split('\n')).toHaveLength(4 + 2 + 1); // header, 2 rows, footer
    expect(io.handlers).toBe(0); // the SIGINT handler is removed again
  });

  it('is not drawn when stderr is not a TTY, nor with --json', async () => {
    for (const [tty, json] of [[false, false], [true, true]]) {
      const io = scriptedIo(tty);
      expect(await main(['train', '--data', fixture.dir, '--batch-size', '6', ...(json ? ['--json'] : [])], io)).toBe(0);
      expect(io.stderr).toBe('');
    }
  });
});

describe('train and Ctrl-C', () => {
  it('stops after the current iteration: exit 130, one line naming the iteration, no model file', async () => {
    const out = path.join(fixture.dir, 'stopped.safetensors');
    const io = scriptedIo(false, 5);
    const code = await main(['train', '--data', fixture.dir, '--batch-size', '6', '--epochs', '3', '--out', out], io);
    expect(code).toBe(130);
    expect(io.stderr).toMatch(/^mnist-loss: interrupted after iteration [1-9] of 30; .*stopped\.safetensors not written\n$/);
    expect(fs.existsSync(out)).toBe(false);
    expect(fs.readdirSync(fixture.dir).filter((f) => f.includes('stopped'))).toEqual([]);
    expect(io.handlers).toBe(0);
  });
});

describe('train --layers in process: the progress bar and Ctrl-C, as for the MLP', () => {
  let fixture: ReturnType<typeof writeFixtureDir>;
  beforeAll(() => { fixture = writeFixtureDir(60, 12); });
  afterAll(() => removeDir(fixture.dir));
  const args = ['train', '--layers', 'conv2x3-relu-pool2-affine10', '--batch-size', '6'];

  it('draws the bar on a TTY only, erased at the end', async () => {
    const io = scriptedIo(true);
    expect(await main([...args, '--data', fixture.dir, '--epochs', '2'], io)).toBe(0);
    expect(io.stderr).toMatch(/\/20 {2}epoch [12]/);
    expect(io.stderr.endsWith(CLEAR_LINE)).toBe(true);
    const quiet = scriptedIo(false);
    expect(await main([...args, '--data', fixture.dir], quiet)).toBe(0);
    expect(quiet.stderr).toBe('');
  });

  it('Ctrl-C stops after the current step: exit 130, one line, no model file', async () => {
    const out = path.join(fixture.dir, 'stopped.safetensors');
    const io = scriptedIo(false, 5);
    expect(await main([...args, '--data', fixture.dir, '--epochs', '3', '--out', out], io)).toBe(130);
    expect(io.stderr).toMatch(/^mnist-loss: interrupted after iteration [1-9] of 30; .*stopped\.safetensors not written\n$/);
    expect(fs.readdirSync(fixture.dir).filter((f) => f.includes('stopped'))).toEqual([]);
    expect(io.handlers).toBe(0);
  });
});
