// `gradcheck` output: the header (network, images, h, path), one row per parameter tensor (mean and max
// |backprop − central difference|, mean |grad|, ok/FAIL against the tolerance), and the JSON record.
// The check runs in experiments/; cli/ passes the tolerance and what the network is; this only formats.
import type { GradcheckResult, ParamDiff } from '../experiments/gradcheck';
import type { NetworkGradcheckResult, ParamCheck } from '../experiments/gradcheckNetwork';
import type { LayerDescription } from '../nn/layers';
import type { Style } from './style';
import { renderTable } from './table';
import { fitLine, joinParts } from './width';

/** How the report names the checked network. */
export interface GradcheckSubject {
  /** 'fresh net, init …, seed S', or the model's label. */
  readonly what: string;
  /** e.g. '784-50-10 sigmoid'. */
  readonly arch: string;
  readonly activation: string | null;
  /** The MLP's widths [D, H…, K], or the layer engine's per-layer descriptions. */
  readonly layers: readonly number[] | readonly LayerDescription[];
}

/** What the engine path reports beside the shared fields (null for the MLP path). */
export interface EngineRun {
  readonly result: NetworkGradcheckResult;
  readonly defaulted: boolean;
}

const isEngine = (d: ParamDiff): d is ParamCheck => 'kinks' in d;

export function gradcheckJson(r: GradcheckResult | NetworkGradcheckResult, s: GradcheckSubject, indices: Uint32Array, seed: number, run: EngineRun | null, tolerance: number): string {
  const per = <T>(f: (d: ParamDiff) => T) => Object.fromEntries(r.diffs.map((d) => [d.name, f(d)]));
  const engine = (f: (d: ParamCheck) => unknown) => per((d) => (isEngine(d) ? f(d) : null));
  return JSON.stringify({
    diffs: per((d) => d.meanAbsDiff),
    maxDiffs: per((d) => d.maxAbsDiff),
    meanAbsGrad: per((d) => d.meanAbsGrad),
    passed: r.diffs.every((d) => d.meanAbsDiff < tolerance),
    tolerance,
    h: r.h,
    loss: r.loss,
    network: s.what,
    layers: s.layers,
    activation: s.activation,
    seed,
    indices: Array.from(indices),
    path: run === null ? 'mlp' : 'engine',
    architecture: s.arch,
    sizes: per((d) => d.size),
    checked: per((d) => d.checked),
    ...(run === null ? {} : {
      elementsPerTensor: run.result.elementsPerTensor,
      elementsDefault: run.defaulted,
      mode: 'test-time forward: dropout scaled by its test factor, batch normalization on running statistics',
      kinks: engine((d) => d.kinks),
      unresolved: engine((d) => d.unresolved),
      elements: engine((d) => (d.elements === null ? null : Array.from(d.elements))),
    }),
  }) + '\n';
}

/**
 * `source` is data/mnist's describeSource of the train split, named beside the image indices. Laid out for a
 * terminal `width` wide: the header breaks between its parts, the table goes into bands of columns.
 */
export function renderGradcheck(r: GradcheckResult | NetworkGradcheckResult, s: GradcheckSubject, indices: Uint32Array, source: string, style: Style, run: EngineRun | null, tolerance: number, width = Infinity): string {
  const dim = (text: string) => text.split('\n').map((l) => style.dim(l)).join('\n');
  const head = [
    joinParts([`${style.bold('gradcheck')} ${s.arch}`, s.what], width),
    dim(joinParts([`images: train ${Array.from(indices).join(', ')} (np.random.choice, ${source})`, `mean CEE ${r.loss.toFixed(6)}`, `h = ${r.h}`, 'float64'], width)),
    ...(run === null ? [] : [
      dim(fitLine(`elements: ${run.result.elementsPerTensor} per tensor${run.defaulted ? ' (the default within the work bound; --elements K)' : ''}, np.random.choice(size, K, replace=False) per tensor after the images; smaller tensors in full`, width)),
      dim(joinParts(['layer engine, test-time forward (dropout scaled, batch norm on running statistics)', 'kinks: ±h crossed a ReLU 0 or a max-pool tie, re-measured with h/10 … 1e-8'], width, '; ')),
    ]),
    dim(fitLine(`diff: mean over the ${run === null ? 'parameter\'s' : 'checked'} elements of |backprop − central difference| (the book's gradient_check.py)`, width)),
    '',
  ];
  const rows = r.diffs.map((d) => {
    const ok = d.meanAbsDiff < tolerance;
    const counts = isEngine(d) ? [String(d.checked), d.unresolved > 0 ? `${d.kinks} (${d.unresolved} left out)` : String(d.kinks)] : [];
    return [d.name, String(d.size), ...counts, d.meanAbsDiff.toExponential(3), d.maxAbsDiff.toExponential(3), d.meanAbsGrad.toExponential(3), ok ? style.good('ok') : style.bad('FAIL')];
  });
  const table = renderTable(
    [
      { header: 'param', align: 'left' }, { header: 'size' },
      ...(run === null ? [] : [{ header: 'checked' }, { header: 'kinks' }]),
      { header: 'mean |diff|' }, { header: 'max |diff|' }, { header: 'mean |grad|' }, { header: `< ${tolerance.toExponential(0)}`, align: 'left' as const },
    ],
    rows, style, width, 'bands',
  );
  return head.join('\n') + '\n' + table;
}
