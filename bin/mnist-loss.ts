#!/usr/bin/env node
// Entry point: wires process to the CLI and sets the exit code; never calls process.exit(),
// so piped output is flushed. A closed pipe (`| head -1`) ends the run quietly.
import { main } from '../src/cli/main';
import type { Io } from '../src/cli/io';

let stdoutClosed = false;
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') { stdoutClosed = true; return; }
  throw e;
});

const io: Io = {
  out: (text) => { if (!stdoutClosed) process.stdout.write(text); },
  err: (text) => { process.stderr.write(text); },
  color: Boolean(process.stdout.isTTY) && !('NO_COLOR' in process.env) && process.env.TERM !== 'dumb',
  errIsTty: Boolean(process.stderr.isTTY) && process.env.CI === undefined,
  env: process.env,
  now: () => performance.now(),
  onInterrupt: (handler) => {
    process.on('SIGINT', handler);
    return () => process.off('SIGINT', handler);
  },
};

main(process.argv.slice(2), io).then(
  (code) => { process.exitCode = code; },
  (e: unknown) => { process.stderr.write(`mnist-loss: internal error, please report\n${String(e)}\n`); process.exitCode = 1; },
);
