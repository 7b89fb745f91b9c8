#!/usr/bin/env python3
"""Writes the PyTorch MLP fixture that NeuralNetsTests loads into `Architectures.mlp`.

A tiny `nn.Sequential(Linear, ReLU, Linear, ReLU, Linear)` is built with a fixed seed and its
`state_dict` saved with safetensors, so the keys are PyTorch's own (`0.weight`, `0.bias`,
`2.weight`, …, weights shaped (out, in)). Inputs and the expected logits go to `.npy` files.

Run from the repository root (needs torch, safetensors, numpy):
    .venv-bench/bin/python Tests/Fixtures/torch/make_mlp.py
Outputs, beside this script:
    mlp.safetensors      the state_dict (F32)
    mlp_inputs.npy       (8, 20) float32
    mlp_logits.npy       (8, 5) float32, model(inputs) in eval mode
"""
import os

import numpy as np
import torch
import torch.nn as nn
from safetensors.torch import save_file

HERE = os.path.dirname(os.path.abspath(__file__))


def main():
    torch.manual_seed(20240607)
    model = nn.Sequential(nn.Linear(20, 32), nn.ReLU(), nn.Linear(32, 16), nn.ReLU(), nn.Linear(16, 5))
    model.eval()
    inputs = torch.randn(8, 20)
    with torch.no_grad():
        logits = model(inputs)
    state = {k: v.detach().contiguous() for k, v in model.state_dict().items()}
    save_file(state, os.path.join(HERE, "mlp.safetensors"), metadata={"source": "make_mlp.py"})
    np.save(os.path.join(HERE, "mlp_inputs.npy"), inputs.numpy().astype(np.float32))
    np.save(os.path.join(HERE, "mlp_logits.npy"), logits.numpy().astype(np.float32))
    print("wrote", sorted(state), "logits", tuple(logits.shape))


if __name__ == "__main__":
    main()
