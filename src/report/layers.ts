// A network's layers in one line for report headers: "conv 30x5x5 -> relu -> max pool 2x2 -> flatten -> affine
// 4320x100 -> relu -> affine 100x10 -> softmax", from the engine's layer descriptions (nn/layers describe()).
import type { LayerDescription } from '../nn/layers';

const dims = (d: unknown) => (Array.isArray(d) ? d.join('x') : String(d));

/** One layer in a few characters: its kind and what sets it apart (filters, window, widths, ratio). */
export function layerWord(d: LayerDescription): string {
  const s = d.settings as Record<string, unknown>;
  switch (d.kind) {
    case 'convolution': {
      const extra = [s.stride !== 1 ? `stride ${s.stride}` : '', s.pad !== 0 ? `pad ${s.pad}` : ''].filter(Boolean).join(' ');
      return `conv ${s.filters}x${dims(s.kernel)}${extra ? ` ${extra}` : ''}`;
    }
    case 'pooling': {
      const window = dims(s.pool);
      const extra = [s.stride !== (s.pool as number[])[0] ? `stride ${s.stride}` : '', s.pad !== 0 ? `pad ${s.pad}` : ''].filter(Boolean).join(' ');
      return `${s.mode === 'max' ? 'max' : 'avg'} pool ${window}${extra ? ` ${extra}` : ''}`;
    }
    case 'affine': return `affine ${s.in}x${s.out}`;
    case 'dropout': return `dropout ${s.ratio} (${s.convention === 'book' ? 'x(1 - ratio) at test time' : 'inverted'})`;
    case 'batchNormalization': return `batch norm (${s.mode === 'perChannel' ? 'per channel' : 'per feature'})`;
    default: return d.kind;
  }
}

/** The layers joined by arrows, with the final softmax the engine adds when the model has none. */
export function layerChain(layers: readonly LayerDescription[], endsInSoftmax: boolean): string {
  return [...layers.map(layerWord), ...(endsInSoftmax ? [] : ['softmax'])].join(' -> ');
}
