// Spawning the built CLI (dist/bin/mnist-loss.js, built by `pretest`) the way a user's shell would, with
// an environment cleaned of what would change its output, and the shape every user error must have.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { ExitCode, MnistLossError } from '../../src/errors';

export const BIN = path.resolve(__dirname, '../../dist/bin/mnist-loss.js');

export interface CliResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** The test process's environment without MNIST_DATA_DIR, NO_COLOR and COLUMNS, with FORCE_COLOR=0. */
export function cliEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, FORCE_COLOR: '0' };
  delete env.MNIST_DATA_DIR;
  delete env.NO_COLOR;
  delete env.COLUMNS;
  return { ...env, ...extra };
}

/** Runs `mnist-loss ...args` to completion. */
export function runCli(args: readonly string[], env: Record<string, string> = {}, cwd?: string): CliResult {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env: cliEnv(env), cwd });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/**
 * A user error: the exit code, nothing on stdout, and on stderr exactly one "mnist-loss: ..." line naming the
 * problem (matching `message`, when given) and one "hint: ..." line, with no stack trace.
 */
export function expectUserError(r: CliResult, status: number, message?: RegExp): void {
  expect(r.status).toBe(status);
  expect(r.stdout).toBe('');
  expect(r.stderr).toMatch(/^mnist-loss: [^\n]+\nhint: [^\n]+\n$/);
  expect(r.stderr).not.toMatch(/\n\s+at /);
  if (message) expect(r.stderr.split('\n')[0]).toMatch(message);
}

/** Runs f, which must throw a MnistLossError with the given exit code and a hint; returns the error. */
export function userErrorOf(f: () => unknown, exitCode: number = ExitCode.Data): MnistLossError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(MnistLossError);
    expect((e as MnistLossError).exitCode).toBe(exitCode);
    expect((e as MnistLossError).hint).toBeTruthy();
    return e as MnistLossError;
  }
  throw new Error(`expected a MnistLossError with exit code ${exitCode}`);
}

/** Fails fast with the fix when dist/ has not been built (npm test builds it in pretest). */
export function requireBuiltCli(): void {
  if (!existsSync(BIN)) throw new Error(`${BIN} is missing: run npm run build (npm test does it in pretest)`);
}
