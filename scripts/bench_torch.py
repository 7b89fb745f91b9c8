#!/usr/bin/env python3
"""PyTorch side of `accordion bench`: the benchmark networks trained on the CPU.

Models (the twins of Accordion's `BenchmarkModel`, same layers and initialisation scheme):
  mlp      784 → width×depth (ReLU) → 10, He-normal weights, zero biases (the reference network)
  cnn      [conv 3×3 (no bias) → BatchNorm → ReLU → max pool 2] × 2 (width, 2·width), linear 128, ReLU,
           linear 10
  resnet   CIFAR ResNet-depth (He et al. 2016), basic blocks, 1×1-conv + BN projection shortcuts
Convolutions and linear layers use He-normal weights (fan-in) like Accordion's default. SGD with
momentum 0.9; the last partial batch kept. The data sit in memory as tensors; each step gathers its
rows from a seeded permutation, as Accordion's trainer does, so neither side pays for a data loader.
`--synthetic` trains on N(0, 1) inputs of `--input-shape` with uniform labels (timing only).

With --repeats n, each thread count is timed n times from a fresh model and the fastest run is
reported (the last run's accuracy). Prints one JSON object per thread count on standard output:
    {"threads": 1, "seconds": 2.1, "samples_per_second": 28571.4, "samples_per_cpu_second": 28000.0,
     "test_accuracy": 0.85, "torch": "2.x"}
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
import torch.nn.functional as F


def read_idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    dims = data[3]
    shape = [int.from_bytes(data[4 + 4 * i: 8 + 4 * i], "big") for i in range(dims)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


def load(directory, split, shape):
    images = read_idx(os.path.join(directory, f"{split}-images-idx3-ubyte.gz"))
    labels = read_idx(os.path.join(directory, f"{split}-labels-idx1-ubyte.gz"))
    x = torch.from_numpy(images.reshape([len(images)] + shape).astype(np.float32) / 255.0)
    y = torch.from_numpy(labels.astype(np.int64))
    return x, y


def mlp(depth, width):
    layers, fan_in = [], 784
    for _ in range(depth):
        layers += [nn.Linear(fan_in, width), nn.ReLU()]
        fan_in = width
    layers.append(nn.Linear(fan_in, 10))
    return nn.Sequential(*layers)


def cnn(shape, width):
    c, h, w = shape
    return nn.Sequential(
        nn.Conv2d(c, width, 3, 1, 1, bias=False), nn.BatchNorm2d(width), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(width, 2 * width, 3, 1, 1, bias=False), nn.BatchNorm2d(2 * width), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(2 * width * (h // 4) * (w // 4), 128), nn.ReLU(), nn.Linear(128, 10))


class BasicBlock(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.shortcut = nn.Sequential()
        if stride != 1 or cin != cout:
            self.shortcut = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return F.relu(out + self.shortcut(x))


class ResNet(nn.Module):
    def __init__(self, depth, channels, classes, width):
        super().__init__()
        k = (depth - 2) // 6
        self.conv1 = nn.Conv2d(channels, width, 3, 1, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(width)
        cin = width
        for stage in range(3):
            blocks = []
            for i in range(k):
                cout = width << stage
                blocks.append(BasicBlock(cin, cout, 2 if stage > 0 and i == 0 else 1))
                cin = cout
            setattr(self, f"layer{stage + 1}", nn.Sequential(*blocks))
        self.fc = nn.Linear(cin, classes)

    def forward(self, x):
        x = F.relu(self.bn1(self.conv1(x)))
        x = self.layer3(self.layer2(self.layer1(x)))
        return self.fc(torch.flatten(F.adaptive_avg_pool2d(x, 1), 1))


def build(args):
    if args.model == "mlp":
        model = mlp(args.depth, args.width)
    elif args.model == "cnn":
        model = cnn(args.input_shape, args.width)
    else:
        model = ResNet(args.depth, args.input_shape[0], 10, args.width)
    for m in model.modules():
        if isinstance(m, (nn.Linear, nn.Conv2d)):
            nn.init.kaiming_normal_(m.weight, nonlinearity="relu")
            if m.bias is not None:
                nn.init.zeros_(m.bias)
    return model


def train_epoch(model, opt, loss_fn, x, y, batch, generator, limit=None):
    model.train()
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
    ap.add_argument("--model", choices=["mlp", "cnn", "resnet"], default="mlp")
    ap.add_argument("--depth", type=int, default=6, help="hidden layers of the mlp; depth of the resnet")
    ap.add_argument("--width", type=int, default=256, help="hidden width of the mlp; base width of the conv nets")
    ap.add_argument("--input-shape", type=int, nargs="+", default=None, help="C H W of the conv nets")
    ap.add_argument("--batch-size", type=int, default=64)
    ap.add_argument("--lr", type=float, default=0.01)
    ap.add_argument("--synthetic", action="store_true", help="random N(0, 1) inputs and uniform labels")
    ap.add_argument("--data", default="/usr/share/datasets/fashion-mnist")
    ap.add_argument("--train-size", type=int, default=60000)
    ap.add_argument("--test-size", type=int, default=10000)
    ap.add_argument("--epochs", type=int, default=1)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--repeats", type=int, default=1, help="timed runs per thread count; the fastest is reported")
    args = ap.parse_args()
    shape = [784] if args.model == "mlp" else (args.input_shape or [1, 28, 28])
    args.input_shape = shape

    if args.synthetic:
        g = torch.Generator().manual_seed(args.seed)
        x = torch.randn([args.train_size] + shape, generator=g)
        y = torch.randint(0, 10, (args.train_size,), generator=g)
        tx, ty = x[:0], y[:0]
    else:
        x, y = load(args.data, "train", shape)
        x, y = x[: args.train_size].contiguous(), y[: args.train_size].contiguous()
        tx, ty = load(args.data, "t10k", shape)
        tx, ty = tx[: args.test_size].contiguous(), ty[: args.test_size].contiguous()
    loss_fn = nn.CrossEntropyLoss()
    for threads in args.threads:
        torch.set_num_threads(threads)
        # Warm-up on a throwaway model: first-call allocations and kernel selection.
        torch.manual_seed(args.seed + 1)
        warm = build(args)
        train_epoch(warm, torch.optim.SGD(warm.parameters(), lr=args.lr, momentum=0.9), loss_fn, x, y,
                    args.batch_size, torch.Generator().manual_seed(1), limit=20)

        seconds, cpu = float("inf"), float("inf")
        for _ in range(max(1, args.repeats)):
            torch.manual_seed(args.seed)
            model = build(args)
            opt = torch.optim.SGD(model.parameters(), lr=args.lr, momentum=0.9)
            gen = torch.Generator().manual_seed(args.seed)
            start, start_cpu = time.perf_counter(), time.process_time()
            for _ in range(args.epochs):
                train_epoch(model, opt, loss_fn, x, y, args.batch_size, gen)
            elapsed, used = time.perf_counter() - start, time.process_time() - start_cpu
            if elapsed < seconds:
                seconds = elapsed
            cpu = min(cpu, used)
        accuracy = None
        if len(tx) > 0:
            model.eval()
            with torch.no_grad():
                accuracy = (model(tx).argmax(1) == ty).float().mean().item()
        print(json.dumps({
            "threads": threads, "seconds": seconds, "epochs": args.epochs,
            "samples_per_second": args.epochs * x.shape[0] / seconds,
            "samples_per_cpu_second": args.epochs * x.shape[0] / cpu,
            "test_accuracy": accuracy, "torch": torch.__version__,
        }), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
