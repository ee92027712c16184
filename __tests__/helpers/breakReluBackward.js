// Preloaded into the built CLI with NODE_OPTIONS=--require (gradcheck.e2e.test.ts): doubles dx in the engine's
// Relu.backward, a deliberately wrong backward that `mnist-loss gradcheck` must catch (exit 4). Test-only.
const path = require('node:path');
const { Relu } = require(path.resolve(__dirname, '../../dist/src/nn/layers/activations.js'));
const backward = Relu.prototype.backward;
Relu.prototype.backward = function doubledBackward(dout) {
  const dx = backward.call(this, dout);
  for (let i = 0; i < dx.data.length; i++) dx.data[i] *= 2;
  return dx;
};
