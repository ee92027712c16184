#!/usr/bin/env python3
"""numpy peer of `mnist-loss eval` on the book's convolutional networks: the inference code of "Deep Learning
from Scratch" (oreilly-japan/deep-learning-from-scratch, MIT licence, (c) 2016 Koki Saitoh), rewritten here
with the same arithmetic: common/util.py's im2col, common/layers.py's Convolution, Pooling, Affine, Relu and
Dropout (test time: x * (1 - ratio)), common/functions.py's softmax, and the networks of ch07/simple_convnet.py
(SimpleConvNet) and ch08/deep_convnet.py (DeepConvNet). Only numpy and the standard library.

As the book's accuracy() does, it evaluates in batches of 100 images (pixels / 255 as float32, the book's
load_mnist(normalize=True, flatten=False)); im2col's float64 buffer makes every layer after the first float64.
It prints the tool's eval JSON keys on its last line; sse and cee are means per image
(SSE = 1/2 sum_k (y_k - t_k)^2, CEE = -log(y_t + 1e-7)).

usage: book_convnet_peer.py IMAGES LABELS PICKLE --arch simple-convnet|deep-convnet [--size N --seed S]
       book_convnet_peer.py --about     (numpy version, the OpenBLAS kernel it runs and its thread count)

The pickle is read with pickle.load: it is a trusted fixture (the book's params.pkl), never user input.
"""
import json
import pickle
import sys

import numpy as np

from eval_peer import about, read_idx


# --- common/util.py ---------------------------------------------------------------------------------------
def im2col(input_data, filter_h, filter_w, stride=1, pad=0):
    N, C, H, W = input_data.shape
    out_h = (H + 2 * pad - filter_h) // stride + 1
    out_w = (W + 2 * pad - filter_w) // stride + 1

    img = np.pad(input_data, [(0, 0), (0, 0), (pad, pad), (pad, pad)], "constant")
    col = np.zeros((N, C, filter_h, filter_w, out_h, out_w))

    for y in range(filter_h):
        y_max = y + stride * out_h
        for x in range(filter_w):
            x_max = x + stride * out_w
            col[:, :, y, x, :, :] = img[:, :, y:y_max:stride, x:x_max:stride]

    col = col.transpose(0, 4, 5, 1, 2, 3).reshape(N * out_h * out_w, -1)
    return col


# --- common/functions.py ----------------------------------------------------------------------------------
def softmax(x):
    x = x - np.max(x, axis=-1, keepdims=True)
    return np.exp(x) / np.sum(np.exp(x), axis=-1, keepdims=True)


# --- common/layers.py (forward passes, test time) ---------------------------------------------------------
class Relu:
    def forward(self, x):
        mask = x <= 0
        out = x.copy()
        out[mask] = 0
        return out


class Affine:
    def __init__(self, W, b):
        self.W, self.b = W, b

    def forward(self, x):
        x = x.reshape(x.shape[0], -1)
        return np.dot(x, self.W) + self.b


class Dropout:
    def __init__(self, dropout_ratio=0.5):
        self.dropout_ratio = dropout_ratio

    def forward(self, x):  # train_flg=False
        return x * (1.0 - self.dropout_ratio)


class Convolution:
    def __init__(self, W, b, stride=1, pad=0):
        self.W, self.b, self.stride, self.pad = W, b, stride, pad

    def forward(self, x):
        FN, C, FH, FW = self.W.shape
        N, C, H, W = x.shape
        out_h = 1 + int((H + 2 * self.pad - FH) / self.stride)
        out_w = 1 + int((W + 2 * self.pad - FW) / self.stride)

        col = im2col(x, FH, FW, self.stride, self.pad)
        col_W = self.W.reshape(FN, -1).T

        out = np.dot(col, col_W) + self.b
        return out.reshape(N, out_h, out_w, -1).transpose(0, 3, 1, 2)


class Pooling:
    def __init__(self, pool_h, pool_w, stride=2, pad=0):
        self.pool_h, self.pool_w, self.stride, self.pad = pool_h, pool_w, stride, pad

    def forward(self, x):
        N, C, H, W = x.shape
        out_h = int(1 + (H - self.pool_h) / self.stride)
        out_w = int(1 + (W - self.pool_w) / self.stride)

        col = im2col(x, self.pool_h, self.pool_w, self.stride, self.pad)
        col = col.reshape(-1, self.pool_h * self.pool_w)

        out = np.max(col, axis=1)
        return out.reshape(N, out_h, out_w, C).transpose(0, 3, 1, 2)


# --- ch07/simple_convnet.py and ch08/deep_convnet.py: the layer lists -------------------------------------
def simple_convnet(p):
    """conv 30x5x5 (stride 1, pad 0) - relu - pool 2x2 - affine 100 - relu - affine 10."""
    return [Convolution(p["W1"], p["b1"], 1, 0), Relu(), Pooling(2, 2, stride=2),
            Affine(p["W2"], p["b2"]), Relu(), Affine(p["W3"], p["b3"])]


def deep_convnet(p):
    """six 3x3 convolutions (pads 1,1,1,2,1,1) with relu, pool after every second; affine 50 - relu - dropout
    - affine 10 - dropout."""
    layers = []
    for i, pad in enumerate((1, 1, 1, 2, 1, 1), start=1):
        layers += [Convolution(p[f"W{i}"], p[f"b{i}"], 1, pad), Relu()]
        if i % 2 == 0:
            layers.append(Pooling(2, 2, stride=2))
    return layers + [Affine(p["W7"], p["b7"]), Relu(), Dropout(0.5), Affine(p["W8"], p["b8"]), Dropout(0.5)]


ARCHS = {"simple-convnet": simple_convnet, "deep-convnet": deep_convnet}


def predict(layers, x):
    for layer in layers:
        x = layer.forward(x)
    return x


def main(argv):
    if argv[:1] == ["--about"]:
        return about()
    images, labels, model = argv[:3]
    opts = dict(zip(argv[3::2], argv[4::2]))
    if opts.get("--arch") not in ARCHS:
        sys.exit(f"--arch must be one of {', '.join(ARCHS)}")
    with open(model, "rb") as f:
        params = pickle.load(f)  # trusted fixture
    layers = ARCHS[opts["--arch"]](params)

    pixels, t = read_idx(images), read_idx(labels)
    seed = None
    if "--size" in opts:
        seed = int(opts.get("--seed", "42"))
        np.random.seed(seed)
        idx = np.random.choice(len(pixels), int(opts["--size"]))
        pixels, t = pixels[idx], t[idx]
    n = len(t)
    x = pixels.reshape(n, 1, 28, 28)

    batch_size = 100  # the book's accuracy(); a last partial batch is evaluated too
    correct, sse, cee = 0, 0.0, 0.0
    for i in range(0, n, batch_size):
        tx = x[i : i + batch_size].astype(np.float32) / np.float32(255.0)  # normalize=True
        tt = t[i : i + batch_size]
        y = softmax(predict(layers, tx))
        m = len(tt)
        correct += int(np.sum(np.argmax(y, axis=1) == tt))
        onehot = np.zeros_like(y)
        onehot[np.arange(m), tt] = 1
        sse += 0.5 * float(np.sum((y - onehot) ** 2))
        cee += -float(np.sum(np.log(y[np.arange(m), tt] + 1e-7)))
    print(json.dumps({"model": model, "split": None, "n": n, "seed": seed, "sse": sse / n, "cee": cee / n,
                      "accuracy": correct / n, "correct": correct}))


if __name__ == "__main__":
    main(sys.argv[1:])
