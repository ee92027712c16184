// `loss` output: the human table (SSE and CEE per image, the book's whole-batch SSE sum, accuracy, what y
// and t were) and the JSON record. Values are computed elsewhere; this only formats them.
import type { PredictionLoss, TeacherKind } from '../experiments/predictionLoss';
import type { Style } from './style';
import { renderPairs, renderTable } from './table';
import { fitLine } from './width';

/** What the report says about the inputs. */
export interface LossInputs {
  readonly ySource: string;
  readonly yDtype: string;
  readonly teacher: TeacherKind;
  readonly tSource: string;
  readonly tForm: string;
}

/** x with up to `digits` significant digits, trailing zeros dropped: 0.09750000000000003 -> 0.0975. */
export function sig(x: number, digits = 10): string {
  if (Number.isNaN(x)) return 'nan';
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
  if (x === 0) return '0';
  const [mantissa, exponent] = x.toPrecision(digits).split('e');
  const trimmed = mantissa.includes('.') ? mantissa.replace(/0+$/, '').replace(/\.$/, '') : mantissa;
  return exponent === undefined ? trimmed : `${trimmed}e${exponent}`;
}

/** The human report, fitted to `width` columns (the terminal's). */
export function renderLossReport(r: PredictionLoss, inputs: LossInputs, style: Style, width = Infinity): string {
  const rows = `${r.n} row${r.n === 1 ? '' : 's'} × K = ${r.k}`;
  const head = renderPairs(
    [
      ['y', `${inputs.ySource} (${rows}, ${inputs.yDtype}), ${r.fromLogits ? 'logits: softmax applied first' : 'probabilities'}`],
      ['t', `${inputs.tSource}: ${inputs.tForm}`],
    ],
    style,
    width,
  );
  const table = renderTable(
    [{ header: 'n' }, { header: 'SSE (mean/img)' }, { header: 'SSE (sum over n)' }, { header: 'CEE (mean/img)' }, { header: 'accuracy' }],
    [[String(r.n), sig(r.sse), sig(r.sseSum), sig(r.cee), `${r.accuracy.toFixed(4)} (${r.correct}/${r.n})`]],
    style,
    width,
  );
  let out = `${head}\n${table}`;
  if (r.compare) {
    out += `\n${fitLine('CEE (mean/img) of the same y and t under other conventions:', width)}\n`;
    out += renderTable(
      [{ header: 'convention', align: 'left' }, { header: 'CEE (mean/img)' }, { header: 'what differs', align: 'left' }],
      r.compare.map((c) => [c.call, sig(c.cee), c.note]),
      style,
      width,
    );
  }
  return out;
}

/** The JSON record: {"n", "sse", "cee", "accuracy"} first, then the details. Infinity becomes null (JSON has no inf). */
export function lossJson(r: PredictionLoss, inputs: LossInputs): string {
  const finite = (x: number) => (Number.isFinite(x) ? x : null);
  return JSON.stringify({
    n: r.n,
    sse: r.sse,
    cee: r.cee,
    accuracy: r.accuracy,
    k: r.k,
    sseSum: r.sseSum,
    correct: r.correct,
    teacher: inputs.teacher,
    fromLogits: r.fromLogits,
    y: { source: inputs.ySource, dtype: inputs.yDtype },
    t: { source: inputs.tSource, form: inputs.tForm },
    ...(r.compare ? { compare: r.compare.map((c) => ({ id: c.id, call: c.call, cee: finite(c.cee), note: c.note })) } : {}),
  }) + '\n';
}
