// What every framework reader (PyTorch, ONNX, Keras, TF.js) returns: the engine's plain layer list and the
// tensors it names, already in the engine's layout, with a description of what was recognised and applied.
// modelFile.ts dispatches by content and builds the network (nn/buildNetwork.ts) from this.
import type { Architecture, HiddenActivation } from '../../nn/architecture';
import type { FileTensor } from '../../nn/buildNetwork';

/** What the caller gives a reader besides the bytes. */
export interface ReadContext {
  /** --activation, for formats that carry none (a state_dict of Linear layers). */
  readonly activation?: HiddenActivation;
  /**
   * Reads a file beside the model (ONNX external data, TF.js weight shards). `name` is relative to the model's
   * folder; io/files.ts readSiblingFile refuses absolute names, '..' and anything resolving outside the folder.
   */
  readonly readSibling: (name: string, what: string, maxBytes: number) => Uint8Array;
}

/** Input preprocessing found inside a model (ONNX Sub/Div on the input, Keras Rescaling/Normalization). */
export interface FoundPreprocessing {
  /** x = p · scale: 1/255 when the model takes [0, 1] inputs (the tool's default), 1 for raw 0..255 inputs. */
  readonly scale: number;
  readonly mean?: number;
  readonly std?: number;
}

export interface FrameworkModel {
  /** Short machine name for --json "format", e.g. "pytorch-zip", "onnx", "keras", "keras-h5", "tfjs". */
  readonly format: string;
  /**
   * The report's format line: the framework and every convention applied, e.g. "PyTorch state_dict (zip),
   * fc1/fc2 transposed from [out, in], activation relu from --activation".
   */
  readonly description: string;
  readonly architecture: Architecture;
  readonly tensors: ReadonlyMap<string, FileTensor>;
  /** Normalisation inside the model; undefined: the book's x / 255 (and --normalize may add mean/std). */
  readonly preprocessing?: FoundPreprocessing;
}
