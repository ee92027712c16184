// The one user-facing error class and the documented exit codes.
// Library code throws MnistLossError for anything a user can fix; cli/main.ts turns it into
// "mnist-loss: <message>" + "hint: <next step>" on stderr and the matching exit code.

/** Documented process exit codes: scripts in CI depend on these numbers. */
export const ExitCode = {
  Ok: 0,
  /** A bug in mnist-loss (anything that is not a MnistLossError). */
  Internal: 1,
  /** Bad flag, bad flag value, or flags that contradict each other. */
  Usage: 2,
  /** Input data: missing, truncated, corrupt or inconsistent data, model or prediction file. */
  Data: 3,
  /** A check the user asked for failed (--min-accuracy, --max-cee, --max-sse). */
  Check: 4,
  /** Interrupted by a signal (Ctrl-C): 128 + SIGINT. */
  Interrupted: 130,
} as const;
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

export class MnistLossError extends Error {
  /**
   * What cli/main.ts prints, one "mnist-loss: <line>" each: the message, or several lines given as an array
   * (one per failed CI gate). `message` joins them with "; ". main escapes and caps each line (printable).
   */
  readonly lines: readonly string[];

  constructor(
    message: string | readonly string[],
    readonly exitCode: number,
    readonly hint?: string,
  ) {
    const lines = typeof message === 'string' ? [message] : message.length > 0 ? [...message] : [''];
    super(lines.join('; '));
    this.lines = Object.freeze(lines);
    this.name = 'MnistLossError';
  }
}

/** A usage error (exit 2): a flag value or a combination of flags the tool cannot accept. */
export function usageError(message: string | readonly string[], hint?: string): MnistLossError {
  return new MnistLossError(message, ExitCode.Usage, hint);
}

/** An input-data error (exit 3): a file or value the user supplied is missing, corrupt or inconsistent. */
export function dataError(message: string | readonly string[], hint?: string): MnistLossError {
  return new MnistLossError(message, ExitCode.Data, hint);
}

/** A failed user-requested check (exit 4), for CI gates: several lines when several gates failed. */
export function checkError(message: string | readonly string[], hint?: string): MnistLossError {
  return new MnistLossError(message, ExitCode.Check, hint);
}

/** How many characters of one untrusted value (a path, a pickle name, a CSV cell) a message quotes at most. */
export const MAX_QUOTED_CHARS = 200;

// C0 controls, DEL, C1 controls, the Unicode line/paragraph separators and the bidirectional overrides:
// each could split the one-line message, move the cursor or recolour the terminal.
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/**
 * An untrusted string made safe for a one-line message: control characters escaped (\n, \t, \r, \xHH,
 * \uHHHH) and at most `max` characters kept, the rest counted ("…(+N more characters)").
 * Adds no quotes: callers quote where the message needs them.
 */
export function printable(value: string, max = MAX_QUOTED_CHARS): string {
  const chars = Array.from(value);
  const kept = chars.length > max ? chars.slice(0, max).join('') : value;
  const escaped = kept.replace(UNPRINTABLE, (c) => {
    if (c === '\n') return '\\n';
    if (c === '\t') return '\\t';
    if (c === '\r') return '\\r';
    const code = c.charCodeAt(0);
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
  return chars.length > max ? `${escaped}…(+${chars.length - max} more characters)` : escaped;
}
