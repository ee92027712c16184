// The probe's default step, apart from probe.ts so that the CLI can show it in --help without loading
// the probe and sweep machinery at start-up. Re-exported by probe.ts.

/** The book's h for numerical differentiation (ch04 numerical_diff uses 1e-4). */
export const DEFAULT_PROBE_H = 1e-4;
