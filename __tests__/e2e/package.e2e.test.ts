// The npm package as a user gets it: `npm pack` ships only what the installed tool needs (dist/bin, dist/src,
// data/, README, LICENSE), and the tarball installed into a fresh prefix runs from another folder.
// Installing resolves the four runtime dependencies from the npm registry (or npm's cache).
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { cliEnv, requireBuiltCli } from '../helpers/cli';

const ROOT = path.resolve(__dirname, '..', '..');
const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';

/** npm's environment without the npm_config_* / npm_lifecycle_* that `npm test` passes to its children. */
function npmEnv(): NodeJS.ProcessEnv {
  const env = cliEnv();
  for (const key of Object.keys(env)) if (/^npm_(config|lifecycle|package)_/i.test(key)) delete env[key];
  return { ...env, npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false' };
}

function npm(args: string[], cwd: string): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(NPM, args, { cwd, encoding: 'utf8', env: npmEnv(), timeout: 240_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('npm package', () => {
  let tmp: string;
  let tarball: string;
  let files: string[];

  beforeAll(() => {
    requireBuiltCli();
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mnist-loss-pack-'));
    // --ignore-scripts: pretest has just built dist/, and prepare would build it again
    const r = npm(['pack', '--ignore-scripts', '--json', '--pack-destination', tmp], ROOT);
    expect(r.stderr).not.toMatch(/ERR!/);
    expect(r.status).toBe(0);
    const [info] = JSON.parse(r.stdout) as { filename: string; files: { path: string }[] }[];
    tarball = path.join(tmp, path.basename(info.filename));
    files = info.files.map((f) => f.path);
  });
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('holds what the installed tool needs', () => {
    for (const f of ['package.json', 'README.md', 'LICENSE', 'data/model.safetensors', 'dist/bin/mnist-loss.js', 'dist/src/index.js', 'dist/src/index.d.ts'])
      expect(files).toContain(f);
  });

  it('holds no tests, sources, benchmarks, CI scripts, fixtures or earlier tarballs', () => {
    const stray = files.filter((f) => /^(__tests__|src|bin|bench|dist\/bench|\.ci|coverage|node_modules)\//.test(f) || /\.(tgz|ts)$/.test(f.replace(/\.d\.ts$/, '')) || /\.(pkl|npz|npy)$/.test(f));
    expect(stray).toEqual([]);
  });

  it('installs into a fresh prefix and runs from another folder', () => {
    const prefix = path.join(tmp, 'prefix');
    const r = npm(['install', '--global', '--prefix', prefix, '--no-audit', '--no-fund', '--prefer-offline', tarball], tmp);
    expect(r.stderr).not.toMatch(/ERR!/);
    expect(r.status).toBe(0);
    const bin = path.join(prefix, 'bin', 'mnist-loss');
    const elsewhere = fs.mkdtempSync(path.join(tmp, 'cwd-'));
    const run = (args: string[]) => spawnSync(bin, args, { cwd: elsewhere, encoding: 'utf8', env: cliEnv() });
    const info = run(['info', '--json']);
    expect(info.stderr).toBe('');
    expect(info.status).toBe(0);
    expect(JSON.parse(info.stdout).splits.test.count).toBe(10000);
    // the bundled model and the embedded data, from the installed package alone
    const ev = run(['eval', '--size', '20', '--json']);
    expect(ev.stderr).toBe('');
    expect(ev.status).toBe(0);
    expect(JSON.parse(ev.stdout).n).toBe(20);
    // --model bundled names the bundled model from anywhere, as the --help examples do
    expect(JSON.parse(run(['eval', '--model', 'bundled', '--size', '20', '--json']).stdout)).toEqual(JSON.parse(ev.stdout));
    const gc = run(['gradcheck', '--model', 'bundled', '--size', '2', '--json']);
    expect([gc.status, gc.stderr]).toEqual([0, '']);
    // no --help example points into the repository (tests, fixtures, data/): the installed package has none of it
    for (const command of ['info', 'batch', 'loss', 'eval', 'train', 'gradcheck', 'sweep', 'probe', 'demo']) {
      const help = run([command, '--help']);
      expect(help.status).toBe(0);
      const examples = help.stdout.slice(help.stdout.indexOf('Example')).split('\n').filter((l) => l.includes('$ '));
      expect(examples.length).toBeGreaterThan(0);
      expect([command, examples.filter((l) => /__tests__|fixtures\/|\bdata\/|\.pkl\b/.test(l))]).toEqual([command, []]);
    }
  }, 300_000);
});
