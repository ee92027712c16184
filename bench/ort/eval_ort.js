#!/usr/bin/env node
// Benchmark-only peer of `mnist-loss eval` on an ONNX model: onnxruntime-node, as a whole process (start-up,
// reading the IDX files and the model, evaluating, printing). Prints the tool's eval JSON keys on its last line,
// sse and cee as means per image (SSE = 1/2 sum_k (y_k - t_k)^2, CEE = -log(y_t + 1e-7)), summed in float64 over
// the images in order. The model takes x [N, 1, 28, 28] float32 (pixels / 255, as the book's normalize=True)
// and outputs probabilities [N, 10] (bench/peers/make_onnx_models.py makes such models).
//
// usage: node bench/ort/eval_ort.js IMAGES LABELS MODEL.onnx [--threads T] [--batch B]
//   --threads  onnxruntime's intraOpNumThreads (default 2); interOpNumThreads is 1, execution sequential
//   --batch    images per session.run (default 250: 250, 500 and 1000 ran equally fast here on the book's
//              ch07/ch08 networks, 100 slower with two threads; 250 peaks lowest of those, see bench/README.md)
'use strict';
const fs = require('node:fs');
const ort = require('onnxruntime-node');

const CEE_DELTA = 1e-7;

function readIdx(path) {
  const bytes = fs.readFileSync(path);
  const ndim = bytes[3];
  const dims = [];
  for (let i = 0; i < ndim; i++) dims.push(bytes.readUInt32BE(4 + 4 * i));
  return { dims, data: bytes.subarray(4 + 4 * ndim) };
}

async function main(argv) {
  const [images, labels, model] = argv;
  const opt = (flag, fallback) => { const i = argv.indexOf(flag); return i >= 0 ? Number(argv[i + 1]) : fallback; };
  const threads = opt('--threads', 2);
  const batch = opt('--batch', 250);
  const x = readIdx(images), t = readIdx(labels);
  const n = t.dims[0];
  const D = x.dims[1] * x.dims[2];
  if (x.dims[0] !== n || D !== 784) throw new Error(`images ${x.dims} and labels ${t.dims} do not match`);

  const session = await ort.InferenceSession.create(model, {
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
  });
  const [inputName] = session.inputNames, [outputName] = session.outputNames;

  let correct = 0, sse = 0, cee = 0;
  for (let start = 0; start < n; start += batch) {
    const B = Math.min(batch, n - start);
    const xb = new Float32Array(B * D);
    for (let i = 0; i < B * D; i++) xb[i] = x.data[start * D + i] / 255; // float32(p / 255), as numpy's float32 division
    const out = await session.run({ [inputName]: new ort.Tensor('float32', xb, [B, 1, 28, 28]) });
    const y = out[outputName].data;
    for (let i = 0; i < B; i++) {
      const label = t.data[start + i];
      let best = 0, s = 0;
      for (let k = 0; k < 10; k++) {
        const v = y[i * 10 + k];
        if (v > y[i * 10 + best]) best = k;
        s += (v - (k === label ? 1 : 0)) ** 2;
      }
      sse += 0.5 * s;
      cee -= Math.log(y[i * 10 + label] + CEE_DELTA);
      if (best === label) correct++;
    }
  }
  console.log(JSON.stringify({ model, split: null, n, seed: null, sse: sse / n, cee: cee / n, accuracy: correct / n, correct, threads, batch }));
}

main(process.argv.slice(2)).catch((e) => { console.error(`eval_ort.js: ${e.message}`); process.exit(1); });
