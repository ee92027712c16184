#!/usr/bin/env python3
"""numpy peer of `mnist-loss sweep --json`: the naive way, a full forward pass of the book's ch03 predict()
over every image for each of the np.linspace(a, b, k) values added to one W1 element, then the book's
losses. Same IDX files and model file as the tool; prints one JSON line with the same row keys.
Only numpy and the standard library.

usage: sweep_peer.py IMAGES LABELS MODEL ROW COL FROM TO STEPS
"""
import json
import sys

import numpy as np

from eval_peer import read_idx, read_model, relu, sigmoid, softmax


def main(argv):
    images, labels, model, row, col, start, stop, steps = argv[:8]
    row, col, steps = int(row), int(col), int(steps)
    params, meta = read_model(model)
    params = {k: np.array(v) for k, v in params.items()}  # writable copies
    act = sigmoid if meta.get("activation", "sigmoid") == "sigmoid" else relu
    pixels, t = read_idx(images), read_idx(labels)
    x = pixels.reshape(len(pixels), -1).astype(np.float32) / np.float32(255.0)  # the book's normalize=True
    n = len(t)
    onehot = np.eye(10, dtype=np.float32)[t]
    layers = sum(1 for k in params if k.startswith("W"))
    base = params["W1"][row, col]
    rows = []
    for v in np.linspace(float(start), float(stop), steps):
        params["W1"][row, col] = np.float32(float(base) + v)  # the float32 weight base + value
        z = x
        for l in range(1, layers + 1):
            a = np.dot(z, params[f"W{l}"]) + params[f"b{l}"]
            z = act(a) if l < layers else softmax(a)
        y = z
        sse = 0.5 * np.sum((y - onehot) ** 2, dtype=np.float64) / n
        cee = -np.sum(np.log(y[np.arange(n), t].astype(np.float64) + 1e-7)) / n
        correct = int(np.sum(np.argmax(y, axis=1) == t))
        rows.append({"value": float(v), "sse": float(sse), "cee": float(cee), "accuracy": correct / n, "correct": correct})
    print(json.dumps({"param": f"W1[{row},{col}]", "base": float(base), "n": n, "rows": rows}))


if __name__ == "__main__":
    main(sys.argv[1:])
