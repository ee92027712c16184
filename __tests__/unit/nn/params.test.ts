// networkFromTensors against hostile names (issue 7 D2, D16): the layer check walks only the layer numbers
// present, so W999999999 (or a 10,000-digit layer number) is one step, not a billion, in every model format;
// names from the file reach a message escaped and capped. Expected messages are written out by hand.
import { ExitCode, MAX_QUOTED_CHARS } from '../../../src/errors';
import { parseModel } from '../../../src/io/modelFile';
import { networkFromTensors, type NamedTensor } from '../../../src/nn/params';
import { userErrorOf } from '../../helpers/cli';
import { npzOfTensors, pickleOfTensors, safetensorsOfTensors, tinyNetwork } from '../../helpers/modelBytes';

const tensors = (spec: Record<string, [number[], number[]]>) =>
  new Map<string, NamedTensor>(Object.entries(spec).map(([k, [shape, v]]) => [k, { shape, data: Float32Array.from(v) }]));
const messageOf = (m: Map<string, NamedTensor>) => userErrorOf(() => networkFromTensors(m, 'sigmoid', 'm'), ExitCode.Data).message;

describe('networkFromTensors: layer numbers from the file bound nothing', () => {
  it('W999999999 beside a valid network: named, with the gap counted, not walked', () => {
    const net = { ...tinyNetwork(), W999999999: [[10, 10], new Array(100).fill(0)] as [number[], number[]] };
    // present layers 1, 2, 999999999: layers 3 .. 999999998 are absent (999999996 layers, 2 tensors each),
    // plus b999999999: 1999999993 missing tensors; the first 10 are named, 1999999983 more are counted
    expect(messageOf(tensors(net))).toBe(
      'm: missing W3, b3, W4, b4, W5, b5, W6, b6, W7, b7 and 1999999983 more: found W1, b1, W2, b2, W999999999, ' +
        'expected W1, b1, ... up to W999999999, b999999999 with no gaps',
    );
  });

  it('W999999999 and b999999999 alone; a 10,000-digit layer number; a two-layer gap', () => {
    const lone = tensors({ W999999999: [[1], [0]], b999999999: [[1], [0]] });
    // layers 1 .. 999999998 absent: 2 × 999999998 = 1999999996 tensors, 10 named, 1999999986 more
    expect(messageOf(lone)).toMatch(/^m: missing W1, b1, W2, b2, W3, b3, W4, b4, W5, b5 and 1999999986 more: found W999999999, b999999999,/);
    const digits = '9'.repeat(10000);
    const huge = messageOf(tensors({ ...tinyNetwork(), [`W${digits}`]: [[1], [0]] }));
    expect(huge.length).toBeLessThan(2000);
    expect(huge).toMatch(/^m: missing W3, b3, .* more: found W1, b1, W2, b2, W9{199}…\(\+9801 more characters\)/);
    expect(messageOf(tensors({ W1: [[784, 1], []], b1: [[1], []], W4: [[1], []], b4: [[1], []] }))).toBe(
      'm: missing W2, b2, W3, b3: found W1, b1, W4, b4, expected W1, b1, ... up to W4, b4 with no gaps',
    );
  });

  it('100,000 unknown names: the message lists 10 and counts the rest', () => {
    const m = new Map<string, NamedTensor>();
    for (let i = 0; i < 100000; i++) m.set(`x${i}`, { shape: [1], data: new Float32Array(1) });
    expect(messageOf(m)).toBe(`m: unexpected tensors ${Array.from({ length: 10 }, (_, i) => `"x${i}"`).join(', ')} and 99990 more; expected only W1, b1, W2, b2, ...`);
  });

  it('a name with a newline, an escape sequence or 10,000 characters is escaped and capped', () => {
    const m = messageOf(tensors({ ...tinyNetwork(), 'W1\n\x1b[31mred': [[1], [0]], ['y'.repeat(10000)]: [[1], [0]] }));
    expect(m).not.toMatch(/[\n\x1b]/);
    expect(m).toContain('"W1\\n\\x1b[31mred"');
    expect(m).toContain(`"${'y'.repeat(MAX_QUOTED_CHARS)}…(+${10000 - MAX_QUOTED_CHARS} more characters)"`);
  });
});

describe('W999999999 in every model format is a data error, not a hang', () => {
  const net = { ...tinyNetwork(), W999999999: [[1], [0]] as [number[], number[]] };
  const expected = /^f: missing W3, b3, .* and 1999999983 more: found .*W999999999.*, expected .* up to W999999999, b999999999 with no gaps$/;
  it.each([
    ['safetensors', () => safetensorsOfTensors(net)],
    ['npz (stored)', () => npzOfTensors(net)],
    ['npz (deflated)', () => npzOfTensors(net, true)],
    ['pickle', () => pickleOfTensors(net)],
  ])('%s', (_, bytes) => {
    expect(userErrorOf(() => parseModel(bytes(), 'f')).message).toMatch(expected);
  });

  it('the same builders give loadable models when the names are right (the test files are real)', () => {
    for (const bytes of [safetensorsOfTensors(tinyNetwork()), npzOfTensors(tinyNetwork(), true), pickleOfTensors(tinyNetwork())])
      expect(parseModel(bytes, 'f', { activation: 'relu' }).mlp!.layers.map((l) => [l.W.rows, l.W.cols])).toEqual([[784, 1], [1, 10]]);
  });
});
