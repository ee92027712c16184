// The only chalk import: a tiny palette that is a no-op when colour is off.

export interface Style {
  readonly enabled: boolean;
  bold(s: string): string;
  dim(s: string): string;
  good(s: string): string;
  bad(s: string): string;
  accent(s: string): string;
  warn(s: string): string;
}

const identity = (s: string) => s;
const PLAIN: Style = { enabled: false, bold: identity, dim: identity, good: identity, bad: identity, accent: identity, warn: identity };

export function createStyle(enabled: boolean): Style {
  if (!enabled) return PLAIN;
  // required here, not at the top: loading chalk costs ~10 ms of start-up, and most runs (pipes, CI, --json) print no colour
  const chalk = require('chalk') as typeof import('chalk');
  const c = new chalk.Instance({ level: 1 });
  return {
    enabled,
    bold: (s) => c.bold(s),
    dim: (s) => c.dim(s),
    good: (s) => c.green(s),
    bad: (s) => c.red(s),
    accent: (s) => c.cyan(s),
    warn: (s) => c.yellow(s),
  };
}
