#!/usr/bin/env python3
"""PyTorch side of `accordion bench`: the reference network trained for one epoch on the CPU.

Reference network (docs/benchmarks.md): 784 → 256×6 (ReLU) → 10, He-normal weights and zero
biases, SGD lr 0.01 momentum 0.9, batch 64, Fashion-MNIST pixels/255, the last partial batch
kept. The data sit in memory as tensors; each step gathers its rows from a seeded permutation,
as Accordion's trainer does, so neither side pays for a data loader.

With --repeats n, each thread count is timed n times from a fresh model and the fastest run is
reported (the last run's accuracy). Prints one JSON object per thread count on standard output:
    {"threads": 1, "seconds": 2.1, "samples_per_second": 28571.4, "test_accuracy": 0.85, "torch": "2.x"}
"""
import argparse
import gzip
import json
import os
import sys
import time

import numpy as np
import torch
import torch.nn as nn


def read_idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    dims = data[3]
    shape = [int.from_bytes(data[4 + 4 * i: 8 + 4 * i], "big") for i in range(dims)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


def load(directory, split):
    images = read_idx(os.path.join(directory, f"{split}-images-idx3-ubyte.gz"))
    labels = read_idx(os.path.join(directory, f"{split}-labels-idx1-ubyte.gz"))
    x = torch.from_numpy(images.reshape(len(images), -1).astype(np.float32) / 255.0)
    y = torch.from_numpy(labels.astype(np.int64))
    return x, y


def reference_network(depth, width):
    layers, fan_in = [], 784
    for _ in range(depth):
        layers += [nn.Linear(fan_in, width), nn.ReLU()]
        fan_in = width
    layers.append(nn.Linear(fan_in, 10))
    model = nn.Sequential(*layers)
    for m in model:
        if isinstance(m, nn.Linear):
            nn.init.kaiming_normal_(m.weight, nonlinearity="relu")
            nn.init.zeros_(m.bias)
    return model


def train_epoch(model, opt, loss_fn, x, y, batch, generator, limit=None):
    n = x.shape[0]
    order = torch.randperm(n, generator=generator)
    steps = (n + batch - 1) // batch
    if limit is not None:
        steps = min(steps, limit)
    for s in range(steps):
        idx = order[s * batch:(s + 1) * batch]
        xb, yb = x.index_select(0, idx), y.index_select(0, idx)
        opt.zero_grad(set_to_none=True)
        loss = loss_fn(model(xb), yb)
        loss.backward()
        opt.step()
    return steps


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--data", default="/usr/share/datasets/fashion-mnist")
    ap.add_argument("--train-size", type=int, default=60000)
    ap.add_argument("--epochs", type=int, default=1)
    ap.add_argument("--depth", type=int, default=6)
    ap.add_argument("--width", type=int, default=256)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--repeats", type=int, default=1, help="timed runs per thread count; the fastest is reported")
    args = ap.parse_args()

    x, y = load(args.data, "train")
    x, y = x[: args.train_size].contiguous(), y[: args.train_size].contiguous()
    tx, ty = load(args.data, "t10k")
    loss_fn = nn.CrossEntropyLoss()
    for threads in args.threads:
        torch.set_num_threads(threads)
        # Warm-up on a throwaway model: first-call allocations and kernel selection.
        torch.manual_seed(args.seed + 1)
        warm = reference_network(args.depth, args.width)
        train_epoch(warm, torch.optim.SGD(warm.parameters(), lr=0.01, momentum=0.9), loss_fn, x, y, 64,
                    torch.Generator().manual_seed(1), limit=20)

        seconds = float("inf")
        for _ in range(max(1, args.repeats)):
            torch.manual_seed(args.seed)
            model = reference_network(args.depth, args.width)
            opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
            gen = torch.Generator().manual_seed(args.seed)
            start = time.perf_counter()
            for _ in range(args.epochs):
                train_epoch(model, opt, loss_fn, x, y, 64, gen)
            seconds = min(seconds, time.perf_counter() - start)
        with torch.no_grad():
            accuracy = (model(tx).argmax(1) == ty).float().mean().item()
        print(json.dumps({
            "threads": threads, "seconds": seconds, "epochs": args.epochs,
            "samples_per_second": args.epochs * x.shape[0] / seconds,
            "test_accuracy": accuracy, "torch": torch.__version__,
        }), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
