#!/usr/bin/env python3
"""Loads a checkpoint that Accordion wrote into its PyTorch twin and compares the logits.

The twins are the models of make_mlp.py and make_convnets.py (the layouts of docs/pytorch.md).
The load is strict: every tensor of the twin's state_dict must be in the checkpoint with the
same shape, and nothing else, apart from BatchNorm's `num_batches_tracked`, which Accordion does
not store.

usage: check_checkpoint.py {mlp,cnn_bn,resnet8} CHECKPOINT INPUTS.npy LOGITS.npy
Prints the largest difference between the twin's eval-mode logits on INPUTS and LOGITS (those
Accordion computed); exits 0 when it is at most 1e-4, 1 otherwise, 2 on a load error.
"""
import os
import sys

import numpy as np
import torch
import torch.nn as nn
from safetensors.torch import load_file

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_convnets import ResNet  # noqa: E402


def twin(name):
    if name == "mlp":
        return nn.Sequential(nn.Linear(20, 32), nn.ReLU(), nn.Linear(32, 16), nn.ReLU(), nn.Linear(16, 5))
    if name == "cnn_bn":
        return nn.Sequential(
            nn.Conv2d(1, 4, 3, padding=1, bias=False), nn.BatchNorm2d(4), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(4, 6, 3, padding=1, bias=False), nn.BatchNorm2d(6), nn.ReLU(), nn.MaxPool2d(2),
            nn.Flatten(), nn.Linear(6 * 3 * 3, 16), nn.ReLU(), nn.Linear(16, 5))
    if name == "resnet8":
        return ResNet(8, 3, 6, 4)
    raise SystemExit(f"unknown twin {name!r}")


def main():
    name, checkpoint, inputs, logits = sys.argv[1:5]
    model = twin(name)
    result = model.load_state_dict(load_file(checkpoint), strict=False)
    missing = [k for k in result.missing_keys if not k.endswith("num_batches_tracked")]
    if missing or result.unexpected_keys:
        print(f"{name}: missing {missing}, unexpected {result.unexpected_keys}")
        sys.exit(2)
    model.eval()
    with torch.no_grad():
        ours = model(torch.from_numpy(np.load(inputs))).numpy()
    theirs = np.load(logits)
    worst = float(np.max(np.abs(ours - theirs)))
    print(f"{name}: largest logit difference {worst:.3g}")
    sys.exit(0 if worst <= 1e-4 else 1)


if __name__ == "__main__":
    main()
