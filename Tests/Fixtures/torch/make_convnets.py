#!/usr/bin/env python3
"""Writes PyTorch fixtures for Accordion's convolutional architectures.

Each model is the PyTorch twin of an `Architectures` builder with the same `state_dict` names:

  cnn_bn     Architectures.cnn(inputShape: [1, 12, 12], channels: [4, 6], hiddenWidths: [16],
             classes: 5, pooling: .max, batchNorm: true)
  cnn_avg    Architectures.cnn(inputShape: [2, 8, 8], channels: [3], hiddenWidths: [],
             classes: 4, pooling: .average, batchNorm: false)
  resnet8    Architectures.resnet(depth: 8, inputShape: [3, 12, 12], classes: 6, baseWidth: 4)
             (CIFAR basic blocks, 1×1-conv + BN projection shortcuts)

Batch-norm affine parameters and running statistics are randomised so that eval mode is not the
identity. `num_batches_tracked` (int64) is dropped: Accordion stores F32 tensors only.

Run from the repository root (needs torch, safetensors, numpy):
    .venv-bench/bin/python Tests/Fixtures/torch/make_convnets.py
Outputs, per model `<m>`, beside this script:
    <m>.safetensors              state_dict before the training-mode pass
    <m>_inputs.npy               a batch of inputs, NCHW float32
    <m>_logits_eval.npy          model.eval()(inputs)
    <m>_logits_train.npy         model.train()(inputs): batch statistics
    <m>_after_train.safetensors  state_dict after that pass (running statistics updated)
"""
import os

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from safetensors.torch import save_file

HERE = os.path.dirname(os.path.abspath(__file__))


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


def randomise_batch_norm(model):
    for m in model.modules():
        if isinstance(m, nn.BatchNorm2d):
            with torch.no_grad():
                m.weight.uniform_(0.5, 1.5)
                m.bias.normal_(0, 0.1)
                m.running_mean.normal_(0, 0.1)
                m.running_var.uniform_(0.5, 1.5)


def state(model):
    return {k: v.detach().clone().contiguous().float() for k, v in model.state_dict().items()
            if not k.endswith("num_batches_tracked")}


def write(name, model, inputs):
    save_file(state(model), os.path.join(HERE, f"{name}.safetensors"), metadata={"source": "make_convnets.py"})
    np.save(os.path.join(HERE, f"{name}_inputs.npy"), inputs.numpy().astype(np.float32))
    with torch.no_grad():
        model.eval()
        np.save(os.path.join(HERE, f"{name}_logits_eval.npy"), model(inputs).numpy().astype(np.float32))
        model.train()
        np.save(os.path.join(HERE, f"{name}_logits_train.npy"), model(inputs).numpy().astype(np.float32))
    save_file(state(model), os.path.join(HERE, f"{name}_after_train.safetensors"), metadata={"source": "make_convnets.py"})
    print("wrote", name, tuple(inputs.shape))


def main():
    torch.manual_seed(7)
    cnn_bn = nn.Sequential(
        nn.Conv2d(1, 4, 3, padding=1, bias=False), nn.BatchNorm2d(4), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(4, 6, 3, padding=1, bias=False), nn.BatchNorm2d(6), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(6 * 3 * 3, 16), nn.ReLU(), nn.Linear(16, 5))
    randomise_batch_norm(cnn_bn)
    write("cnn_bn", cnn_bn, torch.randn(6, 1, 12, 12))

    cnn_avg = nn.Sequential(
        nn.Conv2d(2, 3, 3, padding=1), nn.ReLU(), nn.AvgPool2d(2), nn.Flatten(), nn.Linear(3 * 4 * 4, 4))
    write("cnn_avg", cnn_avg, torch.randn(5, 2, 8, 8))

    resnet = ResNet(8, 3, 6, 4)
    randomise_batch_norm(resnet)
    write("resnet8", resnet, torch.randn(4, 3, 12, 12))


if __name__ == "__main__":
    main()
