// The sweep and probe renderers on hand-made results: the verdict line comes from the summary, JSON has
// the fields, CSV starts with value,sse,cee,accuracy,correct, the table subsamples and says so,
// the SVG has the three series. Numbers here are made up; the point is where each one lands.
import { summarizeSweep, type SweepResult, type SweepRow } from '../../../src/experiments/sweep';
import { createStyle } from '../../../src/report/style';
import { displayWidth } from '../../../src/report/width';
import {
  fmtSlope, fmtValue, probeJson, probeVerdict, renderProbeReport, renderSweepReport, sweepCsv, sweepJson, sweepSvg,
  tableRowIndices, verdictLine, type ProbeContext, type SweepContext,
} from '../../../src/report/sweepReport';
import type { ProbeResult, UnitMaps } from '../../../src/experiments/probe';
import { checkXml } from '../../helpers/xmlCheck';

function makeResult(count: number): SweepResult {
  // value v_i = -1 + 2i/(count-1); CEE a parabola; 50 of 100 correct until v > 0.5, then 51
  const rows: SweepRow[] = Array.from({ length: count }, (_, i) => {
    const value = -1 + (2 * i) / (count - 1);
    const correct = value > 0.5 ? 51 : 50;
    return { value, weight: 0.25 + value, sse: 0.1 + value * value / 10, cee: 0.3 + value * value / 5, accuracy: correct / 100, correct, dSse: value / 5, dCee: (2 * value) / 5, dAccuracy: 0 };
  });
  return { param: 'W1[409,18]', base: 0.25, mode: 'add', n: 100, rows, summary: summarizeSweep(rows) };
}

const ctx: SweepContext = { model: 'model.safetensors', modelLabel: 'model.safetensors', architecture: '784-50-10 sigmoid', split: 'test', splitCount: 10000, size: 100, seed: 42, from: -1, to: 1, steps: 5, defaultRange: false };

describe('verdictLine', () => {
  it('says how many steps changed, from the summary alone', () => {
    // values -1, -0.5, 0, 0.5, 1: accuracy 0.50 0.50 0.50 0.50 0.51 (1 change of 4);
    // CEE 0.5, 0.35, 0.3, 0.35, 0.5 (every neighbour differs: 4 of 4)
    const r = makeResult(5);
    expect(r.summary.accuracyChangedSteps).toBe(1);
    expect(r.summary.ceeChangedSteps).toBe(4);
    expect(verdictLine(r.summary)).toBe('accuracy changed at 1 of 4 steps; CEE changed at 4 of 4');
  });
});

describe('sweepJson', () => {
  it('has the header fields, every row with its slopes, and the summary with the verdict', () => {
    const r = makeResult(5);
    const json = JSON.parse(sweepJson(r, ctx));
    expect(json).toMatchObject({ model: 'model.safetensors', param: 'W1[409,18]', base: 0.25, mode: 'add', split: 'test', n: 100, seed: 42, size: 100, from: -1, to: 1, steps: 5 });
    expect(json.rows).toHaveLength(5);
    expect(Object.keys(json.rows[0])).toEqual(['value', 'sse', 'cee', 'accuracy', 'correct', 'weight', 'dSse', 'dCee', 'dAccuracy']);
    expect(json.rows[4]).toMatchObject({ value: 1, correct: 51, accuracy: 0.51 });
    expect(json.summary).toMatchObject({ steps: 4, distinctAccuracies: 2, accuracyFlatSteps: 3, ceeFlatSteps: 0, verdict: 'accuracy changed at 1 of 4 steps; CEE changed at 4 of 4' });
  });
});

describe('sweepCsv', () => {
  it('a header row, then one row per value at full precision', () => {
    const lines = sweepCsv(makeResult(5)).trimEnd().split('\n');
    expect(lines[0]).toBe('value,sse,cee,accuracy,correct,weight,dSse,dCee,dAccuracy');
    expect(lines).toHaveLength(6);
    // row for value -0.5: sse 0.1 + 0.25/10, cee 0.3 + 0.25/5, 50 correct, weight 0.25 - 0.5, slopes -0.1, -0.2, 0
    expect(lines[2]).toBe(`-0.5,${0.1 + 0.025},${0.3 + 0.05},0.5,50,-0.25,-0.1,-0.2,0`);
  });
});

describe('renderSweepReport', () => {
  it('shows all rows up to 21; beyond that about 21, and says so', () => {
    expect(tableRowIndices(21)).toHaveLength(21);
    // 101 rows -> every 5th: 0, 5, ..., 100
    expect(tableRowIndices(101)).toEqual(Array.from({ length: 21 }, (_, k) => 5 * k));
    const text = renderSweepReport(makeResult(101), { ...ctx, steps: 101 }, { style: createStyle(false), charset: 'ascii', width: 200 });
    expect(text).toContain('(showing 21 of 101 rows, evenly spaced; --json or --csv for all)');
    expect(text).toContain('verdict  accuracy changed at 1 of 100 steps; CEE changed at 100 of 100 (2 distinct accuracies)');
    expect(text).toContain('100 test images: np.random.seed(42); np.random.choice(10000, 100)');
    expect(text).toContain('W1[409,18] = 0.25 in the model');
    expect(text).not.toMatch(/\x1b\[/); // eslint-disable-line no-control-regex
  });

  it('formats slopes and values without float noise', () => {
    expect(fmtSlope(0)).toBe('0');
    expect(fmtSlope(-0.000123456)).toBe('-1.23e-4');
    expect(fmtSlope(0.125)).toBe('0.125');
    expect(fmtValue(0.1 + 0.2)).toBe('0.3');
  });
});

describe('sweepSvg', () => {
  it('is well-formed with CEE, SSE and accuracy series and the verdict', () => {
    const svg = sweepSvg(makeResult(11), { ...ctx, steps: 11 });
    checkXml(svg);
    expect([...svg.matchAll(/data-series="([^"]+)"/g)].map((m) => m[1])).toEqual(['CEE', 'SSE', 'accuracy']);
    expect(svg).toContain('Sweep of W1[409,18] — model.safetensors');
    expect(svg).toContain(verdictLine(makeResult(11).summary));
  });
});

describe('probe rendering', () => {
  const probe: ProbeResult = {
    weights: 3, h: 1e-4, n: 100, accuracyZero: 3, ceeNonzero: 2, sseNonzero: 2, ceeZeroInputBlank: 1, ceeZeroUnitOff: 0,
    rows: [
      { param: 'W1[0,3]', value: 0.01, dSse: 0, dCee: 0, dAccuracy: 0, inputAlwaysZero: true, unitAlwaysOff: false },
      { param: 'W2[1,2]', value: -0.2, dSse: 1e-3, dCee: 2e-3, dAccuracy: 0, inputAlwaysZero: false, unitAlwaysOff: false },
      { param: 'b1[7]', value: 0.05, dSse: -1e-4, dCee: -3e-4, dAccuracy: 0, inputAlwaysZero: false, unitAlwaysOff: false },
    ],
  };
  const maps: UnitMaps = { unit: 7, h: 1e-4, cee: Float64Array.from({ length: 16 }, (_, i) => (i % 5 === 0 ? 0 : i / 100)), accuracy: new Float64Array(16), accuracyNonzero: 0, ceeNonzero: 12 };
  const pctx: ProbeContext = { model: 'm.safetensors', modelLabel: 'm.safetensors', architecture: '784-50-10 sigmoid', split: 'test', splitCount: 10000, size: null, seed: 42, parameterCount: 39760, rows: 4, cols: 4, unitGiven: false };

  it('the verdict counts come from the result', () => {
    expect(probeVerdict(probe)).toBe("accuracy's slope is exactly 0 for 3 of 3 weights; CEE's is not 0 for 2 of 3 (of the other 1: 1 reads an input that is 0 on every image)");
  });

  it('JSON has the issue’s keys and both maps', () => {
    const json = JSON.parse(probeJson(probe, maps, pctx));
    expect(json).toMatchObject({ weights: 3, h: 1e-4, accuracyZero: 3, ceeNonzero: 2, sseNonzero: 2, n: 100, seed: 42 });
    expect(json.rows).toHaveLength(3);
    expect(json.map.unit).toBe(7);
    expect(json.map.cee).toHaveLength(16);
    expect(json.map.accuracy.every((v: number) => v === 0)).toBe(true);
  });

  it('at 80 columns no line of the report is wider: the header and the verdict wrap under themselves', () => {
    const text = renderProbeReport(probe, maps, pctx, { style: createStyle(false), charset: 'unicode', width: 80 });
    for (const line of text.split('\n')) expect([line, displayWidth(line)]).toEqual([line, Math.min(80, displayWidth(line))]);
    expect(text).toMatch(/^verdict  accuracy's slope is exactly 0 for 3 of 3 weights;.*\n {9}\S/m);
  });

  it('human output: the choice as numpy code, the table, the maps side by side', () => {
    const text = renderProbeReport(probe, maps, pctx, { style: createStyle(false), charset: 'unicode', width: 200 });
    expect(text).toContain('np.random.seed(42); np.random.choice(39760, 3, replace=False)');
    expect(text).toMatch(/W1\[0,3\] +0\.01 +0 +0 +0\n/);
    expect(text).toContain('∂CEE/∂W1[:, 7] (backprop)');
    expect(text).toContain('12 of 16 not 0');
    expect(text).toContain('0 of 16 not 0');
    expect(text).toContain('····'); // the blank accuracy map: two lines of 4 dots
  });

  it('without maps (a CNN): the table and verdict, then one line saying why; JSON map null with the reason', () => {
    const why = 'skipped: they draw an MLP\'s first layer';
    const text = renderProbeReport(probe, null, { ...pctx, mapsSkipped: why }, { style: createStyle(false), charset: 'unicode', width: 200 });
    expect(text).toContain('np.random.choice(39760, 3, replace=False)');
    expect(text).toContain(`verdict  ${probeVerdict(probe)}`);
    expect(text.trimEnd().split('\n').pop()).toBe(`maps: ${why}`);
    expect(text).not.toContain('∂CEE/∂W1[:,');
    const json = JSON.parse(probeJson(probe, null, { ...pctx, mapsSkipped: why }));
    expect(json).toMatchObject({ map: null, mapSkipped: why, weights: 3 });
  });
});

describe('sweep and probe reports fit the width they are given', () => {
  it('at 80 columns no line is wider: prose wraps under itself and optional table columns go', () => {
    const sweep80 = renderSweepReport(makeResult(101), { ...ctx, steps: 101 }, { style: createStyle(false), charset: 'ascii', width: 80 });
    for (const text of [sweep80]) for (const line of text.split('\n')) expect([line, displayWidth(line)]).toEqual([line, Math.min(80, displayWidth(line))]);
    // wide enough, every sweep column is shown; at 60 the optional ones (weight, correct, slopes) go first
    const wide = renderSweepReport(makeResult(101), { ...ctx, steps: 101 }, { style: createStyle(false), charset: 'ascii', width: 200 });
    expect(wide).toMatch(/weight .*correct .*dCEE\/dw .*dAcc\/dw/);
    const narrow = renderSweepReport(makeResult(101), { ...ctx, steps: 101 }, { style: createStyle(false), charset: 'ascii', width: 60 });
    expect(narrow).toMatch(/value \(\+\) +weight +SSE \(mean\/img\) +CEE \(mean\/img\) +accuracy$/m); // correct and the slopes went, last first
    expect(narrow).not.toMatch(/dAcc\/dw/);
  });
});
