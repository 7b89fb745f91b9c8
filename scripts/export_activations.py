#!/usr/bin/env python3
"""Export a PyTorch model's activations in the layout `accordion` imports (docs/exported.md).

    <out>/epoch<N>/<layer>.npy   float32, one row per input, the layer's output flattened
    <out>/labels.npy             int64, one class per input (optional)

As a library (numpy and torch; torch is imported only by the functions that need it):

    import sys; sys.path.insert(0, "scripts")
    from export_activations import export_activations
    export_activations(model, loader, layers=["blocks.5", "blocks.11", "head"],
                       out="exported/seed0", epoch=10)

`loader` is a tensor of inputs, or any iterable of input batches or (inputs, labels) batches
such as a `torch.utils.data.DataLoader` (not shuffled: every epoch must see the same points in
the same order). Layers are module names as `model.named_modules()` lists them; a module whose
output is a tuple (an `nn.LSTM`, most attention blocks) is recorded by its first element.

From the shell:

    python3 scripts/export_activations.py --model mypkg.models:build --weights run/epoch10.pt \
        --inputs x.npy --labels y.npy --layers encoder.0,encoder.1,head --out exported --epoch 10
    python3 scripts/export_activations.py --self-test /tmp/exported   # a small MLP, epochs 0 and 1
"""
import argparse
import importlib
import os
import re
import sys

import numpy as np

LAYER_NAME = re.compile(r"^[A-Za-z0-9_-][A-Za-z0-9_.-]{0,199}$")


def write_epoch(out, epoch, activations, labels=None):
    """Writes one epoch: `activations` maps layer name -> array (N, ...), saved as float32 N x D.

    Checks what `accordion validate` would reject: names that cannot be file names, fewer than
    3 points, layers of different lengths, non-finite values, labels that are not one integer
    per point.
    """
    if not activations:
        raise ValueError("no layers to write")
    rows = None
    arrays = {}
    for name, values in activations.items():
        if not LAYER_NAME.match(name):
            raise ValueError(f"layer name {name!r} cannot be a file name: use letters, digits, '-', '_' and '.' (not first)")
        a = np.asarray(values, dtype=np.float32)
        a = a.reshape(a.shape[0], -1) if a.ndim != 1 else a.reshape(-1, 1)
        if rows is not None and a.shape[0] != rows:
            raise ValueError(f"layer {name!r} has {a.shape[0]} points, the others {rows}")
        if not np.isfinite(a).all():
            raise ValueError(f"layer {name!r} holds non-finite values")
        rows = a.shape[0]
        arrays[name] = np.ascontiguousarray(a)
    if rows < 3:
        raise ValueError(f"{rows} points; export at least 3")
    directory = os.path.join(out, f"epoch{int(epoch)}")
    os.makedirs(directory, exist_ok=True)
    for name, a in arrays.items():
        np.save(os.path.join(directory, name + ".npy"), a)
    if labels is not None:
        y = np.asarray(labels)
        if y.ndim != 1 or y.shape[0] != rows or not np.issubdtype(y.dtype, np.integer) or (y < 0).any():
            raise ValueError(f"labels must be {rows} non-negative integers, found shape {y.shape} dtype {y.dtype}")
        np.save(os.path.join(out, "labels.npy"), y.astype(np.int64))
    return rows


def _batches(inputs, batch_size):
    """Yields (inputs, labels or None) from a tensor or an iterable of batches."""
    import torch
    if isinstance(inputs, torch.Tensor):
        for start in range(0, inputs.shape[0], batch_size):
            yield inputs[start:start + batch_size], None
        return
    for batch in inputs:
        if isinstance(batch, (tuple, list)):
            yield batch[0], (batch[1] if len(batch) > 1 else None)
        else:
            yield batch, None


def collect(model, inputs, layers, batch_size=256, device="cpu"):
    """Runs `inputs` through `model` in eval mode without gradients and returns
    ({layer: float32 array N x D}, labels or None)."""
    import torch
    modules = dict(model.named_modules())
    missing = [name for name in layers if name not in modules]
    if missing:
        known = ", ".join(n for n in modules if n)
        raise ValueError(f"no module named {', '.join(missing)}; the model's modules are: {known}")
    captured = {name: [] for name in layers}
    calls = {name: 0 for name in layers}

    def hook(name):
        def record(_module, _inputs, output):
            if isinstance(output, (tuple, list)):
                output = output[0]
            calls[name] += 1
            captured[name].append(output.detach().float().reshape(output.shape[0], -1).cpu().numpy())
        return record

    handles = [modules[name].register_forward_hook(hook(name)) for name in layers]
    was_training = model.training
    labels = []
    try:
        model.eval()
        with torch.no_grad():
            for x, y in _batches(inputs, batch_size):
                before = dict(calls)
                model(x.to(device))
                repeated = [n for n in layers if calls[n] - before[n] != 1]
                if repeated:
                    raise ValueError(f"modules {', '.join(repeated)} ran {[calls[n] - before[n] for n in repeated]} times in one "
                                     "forward pass; export a module that runs exactly once")
                if y is not None:
                    labels.append(np.asarray(y.cpu() if hasattr(y, "cpu") else y))
    finally:
        for h in handles:
            h.remove()
        model.train(was_training)
    out = {name: np.concatenate(parts) for name, parts in captured.items()}
    return out, (np.concatenate(labels) if labels else None)


def export_activations(model, inputs, layers, out, epoch=0, labels=None, batch_size=256, device="cpu"):
    """Records `layers` of `model` on `inputs` and writes them as epoch `epoch` under `out`.
    Labels: `labels` if given, else those the batches carry, else none. Returns the point count."""
    acts, seen = collect(model, inputs, layers, batch_size=batch_size, device=device)
    return write_epoch(out, epoch, acts, labels if labels is not None else seen)


def self_test(out):
    """Exports a small MLP before and after a few steps of training and checks the files."""
    import torch
    from torch import nn
    torch.manual_seed(0)
    model = nn.Sequential()
    for name, module in [("fc1", nn.Linear(10, 32)), ("act1", nn.ReLU()), ("fc2", nn.Linear(32, 16)),
                         ("act2", nn.ReLU()), ("head", nn.Linear(16, 3))]:
        model.add_module(name, module)
    x = torch.randn(300, 10)
    y = x[:, :3].argmax(dim=1)
    layers = ["act1", "act2", "head"]
    loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(x, y), batch_size=64, shuffle=False)
    export_activations(model, loader, layers, out, epoch=0)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    for _ in range(200):
        optimizer.zero_grad()
        nn.functional.cross_entropy(model(x), y).backward()
        optimizer.step()
    export_activations(model, x, layers, out, epoch=1, labels=y.numpy())
    for epoch in (0, 1):
        for name, width in zip(layers, (32, 16, 3)):
            a = np.load(os.path.join(out, f"epoch{epoch}", name + ".npy"))
            assert a.shape == (300, width) and a.dtype == np.float32, (name, a.shape, a.dtype)
    assert np.load(os.path.join(out, "labels.npy")).tolist() == y.tolist()
    print(f"self-test passed: {out}/epoch0 and epoch1 hold {', '.join(layers)} for 300 points; labels.npy beside them")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--self-test", metavar="OUT", help="export a small MLP to OUT and check the files")
    parser.add_argument("--model", help="module:callable returning the nn.Module, e.g. mypkg.models:build")
    parser.add_argument("--weights", help="a state_dict saved with torch.save, loaded into the model")
    parser.add_argument("--inputs", help="an .npy file of inputs, one per row (as the model takes them)")
    parser.add_argument("--labels", help="an .npy file of integer labels, one per input")
    parser.add_argument("--layers", help="comma-separated module names, in depth order")
    parser.add_argument("--out", help="the export directory")
    parser.add_argument("--epoch", type=int, default=0, help="the epoch these weights are from (0: untrained)")
    parser.add_argument("--batch-size", type=int, default=256)
    args = parser.parse_args(argv)
    if args.self_test:
        try:
            import torch  # noqa: F401
        except ImportError:
            print("self-test skipped: torch is not importable (pip install torch)", file=sys.stderr)
            return 3
        self_test(args.self_test)
        return 0
    if not (args.model and args.inputs and args.layers and args.out):
        parser.error("give --model, --inputs, --layers and --out (or --self-test OUT)")
    import torch
    module_name, _, factory = args.model.partition(":")
    sys.path.insert(0, os.getcwd())
    model = getattr(importlib.import_module(module_name), factory or "model")()
    if args.weights:
        model.load_state_dict(torch.load(args.weights, map_location="cpu"))
    inputs = torch.from_numpy(np.load(args.inputs))
    if inputs.is_floating_point():
        inputs = inputs.float()
    labels = np.load(args.labels) if args.labels else None
    rows = export_activations(model, inputs, args.layers.split(","), args.out, epoch=args.epoch, labels=labels,
                              batch_size=args.batch_size)
    print(f"wrote {rows} points x {len(args.layers.split(','))} layers to {os.path.join(args.out, f'epoch{args.epoch}')}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
