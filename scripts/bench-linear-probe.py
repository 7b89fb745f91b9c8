#!/usr/bin/env python3
"""Cost of the task-relevance measures on a 1000 × 256 probe set, Accordion beside scikit-learn.

The probe set imitates a hidden layer: 10 Gaussian classes (100 points each) in 256-D, passed
through a ReLU, stored as float32. Accordion runs through `accordion estimate --json` (release
build, one OpenBLAS thread); the time is the estimate's own `seconds` (reading the file and
starting the process excluded), median of 5 runs. scikit-learn runs the same computation in
Float64, single-threaded: `make_pipeline(StandardScaler(), RidgeClassifier(alpha))` under
`StratifiedKFold(5)`, and for `alpha=cv` a `GridSearchCV` over 1e-3 … 1e3 with `StratifiedKFold(5)`
inside each training fold. `shuffle=false` on Accordion's side makes both see the same folds, so
the accuracies must agree exactly.

    /tmp/venv/bin/python scripts/bench-linear-probe.py --accordion .build/release/accordion
"""
import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse
import json
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

import numpy as np
from sklearn.linear_model import RidgeClassifier
from sklearn.model_selection import GridSearchCV, StratifiedKFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

GRID = [1e-3, 1e-2, 1e-1, 1.0, 10.0, 100.0, 1000.0]
RUNS = 5


def probe_set():
    rng = np.random.default_rng(3)
    means = rng.normal(size=(10, 256)) * 0.35
    y = np.repeat(np.arange(10), 100)
    x = np.maximum(means[y] + rng.normal(size=(1000, 256)), 0).astype(np.float32)
    order = rng.permutation(1000)
    return x[order], y[order]


def sklearn_probe(x, y, alpha):
    accuracies = []
    for train, test in StratifiedKFold(5).split(x, y):
        model = make_pipeline(StandardScaler(), RidgeClassifier(alpha=alpha if alpha != "cv" else 1.0))
        if alpha == "cv":
            model = GridSearchCV(model, {"ridgeclassifier__alpha": GRID}, cv=StratifiedKFold(5))
        accuracies.append(model.fit(x[train], y[train]).score(x[test], y[test]))
    return float(np.mean(accuracies))


def sklearn_geometry(x, y):
    mu = x.mean(axis=0)
    between = sum((y == c).sum() * np.sum((x[y == c].mean(axis=0) - mu) ** 2) for c in np.unique(y))
    return float(between / np.sum((x - mu) ** 2))


def timed(f):
    times, value = [], None
    for _ in range(RUNS):
        start = time.perf_counter()
        value = f()
        times.append(time.perf_counter() - start)
    return statistics.median(times), value


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--accordion", default="../.build/release/accordion")
    args = parser.parse_args()
    x, y = probe_set()
    x64 = x.astype(np.float64)
    with tempfile.TemporaryDirectory() as tmp:
        points, labels = Path(tmp) / "x.npy", Path(tmp) / "y.json"
        np.save(points, x)
        labels.write_text(json.dumps([int(v) for v in y]))
        print("| measure | settings | Accordion s | scikit-learn s | ratio | Accordion value | scikit-learn value |")
        print("|---|---|---:|---:|---:|---:|---:|")
        cases = [("linear_probe", "alpha=cv,shuffle=false", lambda: sklearn_probe(x64, y, "cv")),
                 ("linear_probe", "alpha=1,shuffle=false", lambda: sklearn_probe(x64, y, 1.0)),
                 ("linear_probe", "alpha=cv (default, seeded shuffle)", None),
                 ("class_geometry", "", lambda: sklearn_geometry(x64, y))]
        for name, settings, peer in cases:
            spec = name + (":" + settings if settings and "default" not in settings else "")
            seconds, value = [], None
            for _ in range(RUNS):
                out = subprocess.run([args.accordion, "estimate", str(points), "--labels", str(labels),
                                      "--estimator", spec, "--json"], check=True, capture_output=True, text=True)
                estimate = json.loads(out.stdout)["estimates"][0]
                seconds.append(estimate["seconds"])
                value = estimate["value"]
            ours = statistics.median(seconds)
            if peer is None:
                print(f"| {name} | {settings} | {ours:.3f} | | | {value:.6f} | |")
                continue
            theirs, peer_value = timed(peer)
            print(f"| {name} | {settings} | {ours:.3f} | {theirs:.3f} | {theirs / ours:.1f}× | {value:.6f} | {peer_value:.6f} |")


if __name__ == "__main__":
    main()
