#!/usr/bin/env node
// Entry point: wires process to the CLI and sets the exit code; never calls process.exit(),
// so piped output is flushed. A closed pipe (`| head -1`) ends the run quietly; any other failure to
// write stdout (ENOSPC, EIO) is one line on stderr and exit 3, whether write() throws it or emits it.
import { main, stdoutFailure } from '../src/cli/main';
import type { Io } from '../src/cli/io';

/** Set once stdout cannot take more: nothing is written to it after that. */
let stdoutClosed = false;
/** The exit code a failed stdout imposes (3), once it has failed. */
let stdoutExitCode: number | undefined;

function onStdoutError(e: NodeJS.ErrnoException): void {
  if (stdoutClosed) return;
  stdoutClosed = true;
  if (e.code === 'EPIPE') return;
  const failure = stdoutFailure(e);
  process.stderr.write(failure.text);
  stdoutExitCode = failure.exitCode;
  process.exitCode = failure.exitCode; // main may have finished already
}
process.stdout.on('error', onStdoutError);

// mnist-loss writes through io only; a dependency's console output (jsfive warns about HDF5 attribute types it
// skips) would break the one-line error and clean-stdout promises, so it goes nowhere.
for (const method of ['log', 'info', 'warn', 'error', 'debug', 'trace'] as const) console[method] = () => undefined;

const io: Io = {
  out: (text) => {
    if (stdoutClosed) return;
    try { process.stdout.write(text); } catch (e) { onStdoutError(e as NodeJS.ErrnoException); }
  },
  err: (text) => { process.stderr.write(text); },
  color: Boolean(process.stdout.isTTY) && !('NO_COLOR' in process.env) && process.env.TERM !== 'dumb',
  errIsTty: Boolean(process.stderr.isTTY) && process.env.CI === undefined,
  columns: process.stdout.isTTY ? process.stdout.columns : undefined,
  errColumns: process.stderr.isTTY ? process.stderr.columns : undefined,
  env: process.env,
  now: () => performance.now(),
  onInterrupt: (handler) => {
    process.on('SIGINT', handler);
    return () => process.off('SIGINT', handler);
  },
};

main(process.argv.slice(2), io).then(
  (code) => { process.exitCode = stdoutExitCode ?? code; },
  (e: unknown) => { process.stderr.write(`mnist-loss: internal error, please report\n${String(e)}\n`); process.exitCode = 1; },
);
