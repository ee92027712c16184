// `mnist-loss demo` (what `npm start` runs) end to end on the embedded MNIST files and the bundled model:
// exit 0 in English, Korean and JSON, and a few numbers cross-checked against the library and the book:
// the batch is numpy's, the worked examples are the chapter's, the model's batch losses are predict() +
// losses.ts on the same images, the sweep summary is recounted from its rows.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { gatherBatch } from '../../src/data/batch';
import { loadSplit } from '../../src/data/mnist';
import { readModel } from '../../src/io/modelFile';
import { countCorrect, crossEntropyErrorMean, sumSquaredErrorMean } from '../../src/nn/losses';
import { predict } from '../../src/nn/network';
import { runCli, requireBuiltCli } from '../helpers/cli';

const run = (args: string[]) => runCli(args, {}, ROOT);

const ROOT = path.resolve(__dirname, '../..');
const MODEL = path.join(ROOT, 'data/model.safetensors');

beforeAll(() => {
  requireBuiltCli();
  if (!fs.existsSync(MODEL)) throw new Error(`${MODEL} is missing: the bundled model ships with the repository (npm run model rebuilds it)`);
});

describe('mnist-loss demo --json (numbers only)', () => {
  let json: any; // eslint-disable-line @typescript-eslint/no-explicit-any
  beforeAll(() => {
    const r = run(['demo', '--json']);
    expect(r.status).toBe(0);
    expect(r.stderr).toBe('');
    json = JSON.parse(r.stdout);
  });

  it('has one key per step', () => {
    expect(Object.keys(json)).toEqual(['model', 'data', 'batch', 'examples', 'evaluation', 'sweep', 'probe']);
  });

  it('step 1: the shapes the book prints', () => {
    expect(json.data).toMatchObject({ xTrain: [60000, 784], tTrain: [60000, 10], xTest: [10000, 784], tTest: [10000, 10] });
  });

  it('step 2: numpy’s batch: np.random.seed(42); np.random.choice(60000, 10)', () => {
    // import numpy as np; np.random.seed(42); np.random.choice(60000, 10).tolist()
    expect(json.batch.indices).toEqual([56422, 15795, 860, 38158, 54343, 44732, 11284, 54886, 6265, 16850]);
  });

  it('step 3: the chapter’s worked examples (SSE 0.0975 / CEE 0.510825457099338, SSE 0.5975 / CEE 2.302584092994546)', () => {
    expect(json.examples.right.sse).toBeCloseTo(0.0975, 12);
    expect(json.examples.right.cee).toBeCloseTo(0.510825457099338, 12);
    expect(json.examples.wrong.sse).toBeCloseTo(0.5975, 12);
    expect(json.examples.wrong.cee).toBeCloseTo(2.302584092994546, 12);
    expect([json.examples.right.predicted, json.examples.wrong.predicted]).toEqual([2, 7]);
  });

  it('step 4: the model on the batch equals predict() + losses.ts on those images', () => {
    const train = loadSplit({ source: 'idx', env: {} }, 'train');
    const { x, t } = gatherBatch(train, json.batch.indices);
    const y = predict(readModel(MODEL).mlp!, x);
    expect(json.evaluation.sse).toBeCloseTo(sumSquaredErrorMean(y, t), 12);
    expect(json.evaluation.cee).toBeCloseTo(crossEntropyErrorMean(y, t), 12);
    expect(json.evaluation.correct).toBe(countCorrect(y, t));
    expect(json.evaluation.labels).toEqual(Array.from(t));
  });

  it('step 5: a W1 sweep on 100 images where CEE moves at every step and accuracy at few', () => {
    const { sweep } = json;
    expect(sweep.param).toMatch(/^W1\[\d+,\d+\]$/);
    expect(sweep.n).toBe(100);
    expect(sweep.rows).toHaveLength(101);
    let accuracyChanged = 0, ceeChanged = 0;
    for (let i = 1; i < 101; i++) {
      if (sweep.rows[i].accuracy !== sweep.rows[i - 1].accuracy) accuracyChanged++;
      if (sweep.rows[i].cee !== sweep.rows[i - 1].cee) ceeChanged++;
    }
    expect(sweep.summary).toMatchObject({ steps: 100, accuracyChangedSteps: accuracyChanged, ceeChangedSteps: ceeChanged });
    expect(ceeChanged).toBe(100);
    expect(accuracyChanged).toBeGreaterThanOrEqual(1);
    expect(accuracyChanged).toBeLessThan(20);
  });

  it('step 6: accuracy’s derivative is 0 for most probed weights, CEE’s for few', () => {
    expect(json.probe).toMatchObject({ n: 10000, weights: 20, h: 1e-4 });
    expect(json.probe.accuracyZero).toBeGreaterThanOrEqual(15);
    expect(json.probe.ceeNonzero).toBeGreaterThanOrEqual(15);
  });
});

describe('mnist-loss demo (prose)', () => {
  it('English: every step, the same numbers as --json, no colour when piped', () => {
    const r = run(['demo']);
    const json = JSON.parse(run(['demo', '--json']).stdout);
    expect(r.status).toBe(0);
    expect(r.stderr).toBe('');
    const flat = r.stdout.replace(/\s+/g, ' ');
    for (const k of [1, 2, 3, 4, 5, 6]) expect(r.stdout).toContain(`── ${k}/6  `);
    expect(r.stdout).toContain('array([56422, 15795,   860, 38158, 54343, 44732, 11284, 54886,  6265,\n       16850])');
    expect(flat).toContain(`SSE ${json.evaluation.sse.toFixed(4)} CEE ${json.evaluation.cee.toFixed(4)}`);
    expect(flat).toContain(`Take ${json.sweep.param}`);
    expect(flat).toContain(`CEE changed at ${json.sweep.summary.ceeChangedSteps} of 100 steps; accuracy at only ${json.sweep.summary.accuracyChangedSteps} of 100`);
    expect(flat).toContain(`accuracy's derivative is exactly 0 for ${json.probe.accuracyZero} of 20`);
    expect(r.stdout).toContain('Why we train on a loss');
    expect(r.stdout).not.toMatch(/\x1b\[/); // eslint-disable-line no-control-regex
  });

  it('Korean: the chapter’s terms and the same numbers', () => {
    const r = run(['demo', '--lang', 'ko']);
    const json = JSON.parse(run(['demo', '--json']).stdout);
    expect(r.status).toBe(0);
    const flat = r.stdout.replace(/\s+/g, ' ');
    for (const term of ['손실 함수', '오차제곱합', '교차 엔트로피 오차', '정확도', '미니배치', '미분']) expect(r.stdout).toContain(term);
    expect(flat).toContain(`정확도의 미분이 정확히 0인 것: 20개 중 ${json.probe.accuracyZero}개`);
    expect(flat).toContain(`정확도 ${json.evaluation.accuracy.toFixed(2)} (10장 중 ${json.evaluation.correct}장)`);
  });

  it('--lang xx is a usage error', () => {
    const r = run(['demo', '--lang', 'fr']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^mnist-loss: /);
  });
});
