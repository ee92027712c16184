// `eval --model` on the files PyTorch, ONNX, Keras and TF.js write, through the built CLI: the framework's own
// test-split numbers (correct count exact, CEE and SSE within 1e-4) from the fixtures' committed scripts
// (__tests__/fixtures/pytorch/make_pytorch_fixtures.py -> reference.json, onnx/make_onnx_fixtures.py ->
// expected.json, keras/make_keras_fixtures.py -> keras_expected.json, which also writes the TF.js folders), the
// format line naming what was applied, and every hostile or unmappable file refused with one line and a hint.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { expectUserError, requireBuiltCli, runCli } from '../helpers/cli';

const F = path.join(__dirname, '..', 'fixtures');
const json = (file: string) => JSON.parse(fs.readFileSync(path.join(F, file), 'utf8'));
const torch = json('pytorch/reference.json');
const onnx = json('onnx/expected.json');
const keras = json('keras/keras_expected.json');

beforeAll(requireBuiltCli);

function evalJson(args: string[]) {
  const r = runCli(['eval', ...args, '--json']);
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  return JSON.parse(r.stdout);
}

describe("each framework's own test-split numbers", () => {
  it.each([
    ['PyTorch state_dict (zip)', ['--model', path.join(F, 'pytorch/mlp.pt'), '--activation', 'relu'], torch.mlp, 'pytorch-zip'],
    ['PyTorch safetensors, nn.Sequential of 11', ['--model', path.join(F, 'pytorch/seq11.safetensors'), '--activation', 'relu'], torch.seq11, 'pytorch-safetensors'],
    ['PyTorch with BatchNorm1d', ['--model', path.join(F, 'pytorch/bn.pt'), '--activation', 'relu'], torch.bn, 'pytorch-zip'],
    ['ONNX CNN with external data', ['--model', path.join(F, 'onnx/cnn.onnx')], onnx.cnnTest, 'onnx'],
    ['Keras .keras CNN', ['--model', path.join(F, 'keras/cnn.keras')], keras.models.cnn.test, 'keras'],
    ['Keras legacy .h5 CNN', ['--model', path.join(F, 'keras/cnn.h5')], keras.models.cnn.test, 'keras-h5'],
    ['Keras with BatchNormalization and Dropout', ['--model', path.join(F, 'keras/bn.keras')], keras.models.bn.test, 'keras'],
    ['TF.js layers model', ['--model', path.join(F, 'tfjs/cnn/model.json')], keras.models.cnn.test, 'tfjs'],
  ] as const)('%s', (_, args, expected, format) => {
    const r = evalJson([...args]);
    expect(r).toMatchObject({ n: 10000, correct: expected.correct, format });
    expect(Math.abs(r.cee - expected.cee)).toBeLessThan(1e-4);
    expect(Math.abs(r.sse - expected.sse)).toBeLessThan(1e-4);
    expect(typeof r.formatDescription).toBe('string');
  });

  it('the format line says what was applied', () => {
    const r = runCli(['eval', '--model', path.join(F, 'pytorch/mlp.pt'), '--activation', 'relu', '--size', '10'], { COLUMNS: '200' }); // unwrapped header
    expect(r.stdout).toMatch(/^format +PyTorch state_dict \(zip\), .*transposed from \[out, in\], activation relu as given \(a state_dict stores none\)$/m);
    expect(r.stdout).toMatch(/^layers +affine 784x64 -> relu -> affine 64x10 -> softmax$/m);
    const k = runCli(['eval', '--model', path.join(F, 'keras/cnn.keras'), '--size', '10'], { COLUMNS: '1000' }); // the Keras account is long
    expect(k.stdout).toMatch(/^format +Keras \.keras .*HWIO -> \[FN, C, FH, FW\]/m);
  });

  it('a PyTorch MLP also runs sweep and probe (it is a plain x/255 MLP once read)', () => {
    const r = runCli(['sweep', '--model', path.join(F, 'pytorch/mlp.pt'), '--activation', 'relu', '--param', 'W1[300,3]', '--size', '50', '--steps', '5', '--json']);
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout).rows).toHaveLength(5);
  });
});

describe('what cannot be evaluated says why and what to do', () => {
  it('a state_dict names no activation: exit 2 naming the choices', () => {
    expectUserError(runCli(['eval', '--model', path.join(F, 'pytorch/mlp.pt')]), 2, /activation/);
  });

  it.each([
    ['a pickled nn.Module', 'pytorch/whole-module.pt', /model/, /state_dict/],
    ['the legacy non-zip torch.save', 'pytorch/legacy.pt', /legacy/, /./],
    ['a convolutional state_dict', 'pytorch/cnn.pt', /./, /ONNX|loss/],
    ['an ONNX op outside the list', 'onnx/leaky.onnx', /LeakyRelu/, /mnist-loss loss/],
    ['a Keras LSTM', 'keras/lstm.keras', /LSTM/, /./],
    ['a Keras Lambda layer (code in its config, never run)', 'keras/lambda.keras', /Lambda/, /./],
    ['a truncated .h5', 'keras/truncated.h5', /./, /./],
  ])('%s: exit 3', (_, file, message, hint) => {
    const r = runCli(['eval', '--model', path.join(F, file), '--activation', 'relu']);
    expectUserError(r, 3, message);
    expect(r.stderr.split('\n')[1]).toMatch(hint);
  });

  it('a .pt whose data.pkl would run a command is refused at its opcode and runs nothing', () => {
    const marker = path.join(os.tmpdir(), 'mnist-loss-pytorch-pwned');
    fs.rmSync(marker, { force: true });
    expectUserError(runCli(['eval', '--model', path.join(F, 'pytorch/hostile-reduce.pt'), '--activation', 'relu']), 3, /refus/);
    expect(fs.existsSync(marker)).toBe(false);
  });

  it.each([
    ['ONNX external data ../../etc/passwd', 'onnx/hostile/passwd.onnx', /\.\./],
    ['ONNX external data at an absolute path', 'onnx/hostile/absolute.onnx', /absolute/],
    ['ONNX external data past its end', 'onnx/hostile/pastend.onnx', /./],
    ['a lying protobuf length', 'onnx/hostile/lying.onnx', /./],
    ['a truncated ONNX file', 'onnx/hostile/truncated.onnx', /./],
    ['a TF.js weight path out of the folder', 'tfjs/evil/model.json', /\.\.|outside|passwd/],
  ])('%s: exit 3, nothing read outside the folder', (_, file, message) => {
    expectUserError(runCli(['eval', '--model', path.join(F, file)]), 3, message);
  });

  it('--normalize on a model that normalises inside its graph is refused: it would normalise twice', () => {
    expectUserError(runCli(['eval', '--model', path.join(F, 'onnx/norm.onnx'), '--normalize', '0.1307,0.3081']), 2, /normalises its inputs itself/);
  });
});
