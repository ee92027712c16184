// The two ends of the pipe as the commands see them: text out, text err, and what the terminal allows.
// bin/ builds the real one from process; tests pass a fake that collects strings.

export interface Io {
  /** Data: tables, JSON, CSV. */
  out(text: string): void;
  /** Progress, diagnostics and errors. */
  err(text: string): void;
  /** stdout is a TTY and NO_COLOR is unset; commands also turn colour off for --no-color and --json. */
  readonly color: boolean;
  /** stderr is a TTY: progress bars are allowed. */
  readonly errIsTty: boolean;
  /** The terminal's own width when stdout is a TTY (process.stdout.columns), else undefined. */
  readonly columns?: number;
  /** The same for stderr, where the progress bar is drawn. */
  readonly errColumns?: number;
  /** Environment variables (MNIST_DATA_DIR, NO_COLOR, ...). */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Milliseconds since some fixed point, for timings in reports (Date.now/performance.now live here). */
  now(): number;
  /** Registers a Ctrl-C handler for long runs; returns a function that removes it. */
  onInterrupt(handler: () => void): () => void;
}

/** An Io that records everything, for in-process tests. */
export function memoryIo(env: Record<string, string | undefined> = {}): Io & { stdout: string; stderr: string } {
  const io = {
    stdout: '',
    stderr: '',
    out(text: string) { io.stdout += text; },
    err(text: string) { io.stderr += text; },
    color: false,
    errIsTty: false,
    env,
    now: () => performance.now(),
    onInterrupt: () => () => undefined,
  };
  return io;
}
