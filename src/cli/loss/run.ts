// The work of `mnist-loss loss` (flags in ./spec.ts): read y and t, check them, compute SSE, CEE and
// accuracy (and the other libraries' CEE with --compare), render. Loaded only when loss runs.
import { evaluatePredictions, resolvePredictions, resolveTeacher, validatePredictions } from '../../experiments/predictionLoss';
import { lossJson, renderLossReport } from '../../report/lossReport';
import { createStyle } from '../../report/style';
import type { Io } from '../io';
import { terminalWidth } from '../terminal';
import { dataOptions } from '../options';
import type { LossOptions } from './spec';

export function runLoss(opts: LossOptions, io: Io): void {
  const pred = resolvePredictions(opts.y);
  validatePredictions(pred, opts.fromLogits);
  const teacher = resolveTeacher(opts.t, pred.y, dataOptions(opts, io.env));
  const result = evaluatePredictions(pred, teacher, opts);
  const inputs = { ySource: pred.source, yDtype: pred.dtype, teacher: teacher.kind, tSource: teacher.source, tForm: teacher.form };
  io.out(opts.json ? lossJson(result, inputs) : renderLossReport(result, inputs, createStyle(io.color && opts.color), terminalWidth(io)));
}
