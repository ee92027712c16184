#!/usr/bin/env python3
"""numpy peer of `mnist-loss eval`: the book's ch03 forward pass (common/functions.py) on the same
IDX files and model file, printing the same JSON keys. Only numpy and the standard library.

usage: eval_peer.py IMAGES LABELS MODEL [--size N --seed S] [--activation sigmoid|relu]
       eval_peer.py --about     (numpy version, the OpenBLAS kernel it runs and its thread count)
"""
import json
import struct
import sys

import numpy as np


def read_idx(path):
    with open(path, "rb") as f:
        data = f.read()
    ndim = data[3]
    dims = struct.unpack(">" + "I" * ndim, data[4 : 4 + 4 * ndim])
    return np.frombuffer(data, np.uint8, offset=4 + 4 * ndim).reshape(dims)


def read_safetensors(path):
    """{name: array} and the metadata dict, from the 8-byte length + JSON header + raw little-endian data."""
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8 : 8 + n])
    meta = header.pop("__metadata__", {}) or {}
    dtypes = {"F32": "<f4", "F64": "<f8"}
    params = {}
    for name, t in header.items():
        start, end = t["data_offsets"]
        params[name] = np.frombuffer(data, dtypes[t["dtype"]], count=(end - start) // np.dtype(dtypes[t["dtype"]]).itemsize, offset=8 + n + start).reshape(t["shape"])
    return params, meta


def read_model(path):
    if path.endswith(".npz"):
        with np.load(path) as z:
            return {k: z[k] for k in z.files}, {}
    return read_safetensors(path)


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


def relu(x):
    return np.maximum(0, x)


def softmax(a):
    a = a - np.max(a, axis=-1, keepdims=True)
    return np.exp(a) / np.sum(np.exp(a), axis=-1, keepdims=True)


def about():
    """numpy's version and, from numpy's bundled OpenBLAS, the kernel it picked and its threads."""
    import ctypes
    import glob
    import os

    info = {"python": sys.version.split()[0], "numpy": np.__version__, "openblasCore": None, "openblasThreads": None,
            "OPENBLAS_CORETYPE": os.environ.get("OPENBLAS_CORETYPE"), "OPENBLAS_L2_SIZE": os.environ.get("OPENBLAS_L2_SIZE")}
    libs = glob.glob(os.path.join(os.path.dirname(np.__file__), "..", "numpy.libs", "*openblas*"))
    for lib in libs[:1]:
        dll = ctypes.CDLL(lib)
        for prefix in ("scipy_openblas", "openblas"):
            for suffix in ("64_", ""):
                core = getattr(dll, f"{prefix}_get_corename{suffix}", None)
                threads = getattr(dll, f"{prefix}_get_num_threads{suffix}", None)
                if core is not None and info["openblasCore"] is None:
                    core.restype = ctypes.c_char_p
                    info["openblasCore"] = core().decode()
                if threads is not None and info["openblasThreads"] is None:
                    info["openblasThreads"] = threads()
    print(json.dumps(info))


def main(argv):
    if argv[:1] == ["--about"]:
        return about()
    images, labels, model = argv[:3]
    opts = dict(zip(argv[3::2], argv[4::2]))
    params, meta = read_model(model)
    act = sigmoid if opts.get("--activation", meta.get("activation", "sigmoid")) == "sigmoid" else relu
    pixels, t = read_idx(images), read_idx(labels)
    pixels = pixels.reshape(len(pixels), -1)
    seed = None
    if "--size" in opts:
        seed = int(opts.get("--seed", "42"))
        np.random.seed(seed)
        idx = np.random.choice(len(pixels), int(opts["--size"]))
        pixels, t = pixels[idx], t[idx]
    x = pixels.astype(np.float32) / np.float32(255.0)  # the book's normalize=True
    z = x
    layers = sum(1 for k in params if k.startswith("W"))
    for l in range(1, layers + 1):
        a = np.dot(z, params[f"W{l}"]) + params[f"b{l}"]
        z = act(a) if l < layers else softmax(a)
    y = z
    n = len(t)
    y_t = y[np.arange(n), t]
    sse = 0.5 * np.sum((y - np.eye(10, dtype=np.float32)[t]) ** 2, dtype=np.float64) / n
    cee = -np.sum(np.log(y_t.astype(np.float64) + 1e-7)) / n
    correct = int(np.sum(np.argmax(y, axis=1) == t))
    print(json.dumps({"model": model, "split": None, "n": n, "seed": seed, "sse": float(sse), "cee": float(cee), "accuracy": correct / n, "correct": correct}))


if __name__ == "__main__":
    main(sys.argv[1:])
