#!/usr/bin/env python3
"""Reference values for the task-relevance measures `class_geometry` and `linear_probe`.

Writes two labelled point sets to Tests/Fixtures/reference/readout_<name>.npy (float64) and
scikit-learn's answers on them to Tests/Fixtures/reference/readout.json:

- the between-class / total variance fraction (NumPy, Float64);
- the test fold of every point under StratifiedKFold(n_splits=5) (no shuffle);
- per fold, the accuracy of make_pipeline(StandardScaler(), RidgeClassifier(alpha=1)) fitted on
  the other folds, and its decision values on fold 0;
- per fold, the alpha GridSearchCV picks over 1e-3 … 1e3 with StratifiedKFold(5) on the training
  folds (refitted on all of them), that model's accuracy, and fold 0's mean inner accuracies.

One set has n > d (primal normal equations), the other d > n (dual kernel form), unequal class
sizes, labels that are not 0..C-1, a constant column and a column with a large offset.

Run with a Python that has scikit-learn (tested with scikit-learn 1.9.1, NumPy 2.4.6):

    python3 -m venv /tmp/venv && /tmp/venv/bin/pip install scikit-learn numpy
    /tmp/venv/bin/python scripts/make-readout-reference.py
"""
import json
from pathlib import Path

import numpy as np
import sklearn
from sklearn.linear_model import RidgeClassifier
from sklearn.model_selection import GridSearchCV, StratifiedKFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

OUT = Path(__file__).resolve().parent.parent / "Tests" / "Fixtures" / "reference"
GRID = [1e-3, 1e-2, 1e-1, 1.0, 10.0, 100.0, 1000.0]
FOLDS = 5


def blobs(rng, sizes, labels, d, spread):
    means = rng.normal(size=(len(sizes), d)) * spread
    x = np.concatenate([means[i] + rng.normal(size=(n, d)) for i, n in enumerate(sizes)])
    y = np.concatenate([[labels[i]] * n for i, n in enumerate(sizes)])
    order = rng.permutation(len(y))
    return x[order], y[order]


def class_geometry(x, y):
    mu = x.mean(axis=0)
    between = sum((y == c).sum() * np.sum((x[y == c].mean(axis=0) - mu) ** 2) for c in np.unique(y))
    total = np.sum((x - mu) ** 2)
    return float(between / total)


def reference(x, y):
    outer = StratifiedKFold(n_splits=FOLDS)
    test_fold = np.empty(len(y), dtype=int)
    fixed, chosen, cv_accuracy = [], [], []
    decision0, inner_means0 = None, None
    for f, (train, test) in enumerate(outer.split(x, y)):
        test_fold[test] = f
        model = make_pipeline(StandardScaler(), RidgeClassifier(alpha=1.0)).fit(x[train], y[train])
        fixed.append(float(model.score(x[test], y[test])))
        if f == 0:
            decision0 = model.decision_function(x[test]).tolist()
        search = GridSearchCV(make_pipeline(StandardScaler(), RidgeClassifier()),
                              {"ridgeclassifier__alpha": GRID}, cv=StratifiedKFold(n_splits=FOLDS))
        search.fit(x[train], y[train])
        chosen.append(float(search.best_params_["ridgeclassifier__alpha"]))
        cv_accuracy.append(float(search.score(x[test], y[test])))
        if f == 0:
            inner_means0 = search.cv_results_["mean_test_score"].tolist()
    return {
        "labels": [int(v) for v in y],
        "class_geometry": class_geometry(x, y),
        "test_fold": test_fold.tolist(),
        "fixed_alpha": 1.0,
        "fixed_accuracies": fixed,
        "fixed_decision_fold0": decision0,
        "cv_alphas": chosen,
        "cv_accuracies": cv_accuracy,
        "cv_inner_mean_accuracies_fold0": inner_means0,
    }


def main():
    rng = np.random.default_rng(20240611)
    sets = {}
    x, y = blobs(rng, [50, 50, 50], [0, 1, 2], 20, 0.45)
    sets["blobs3_150x20"] = (x, y)
    x, y = blobs(rng, [10, 14, 17, 19], [3, 7, 11, 20], 100, 0.25)
    x[:, 5] = 0.0            # a dead unit: StandardScaler keeps its scale at 1
    x[:, 9] += 1000.0        # a large offset
    sets["blobs4_60x100"] = (x, y)
    out = {
        "about": f"Task-relevance references: scikit-learn {sklearn.__version__}, NumPy {np.__version__}, float64; "
                 "written by scripts/make-readout-reference.py. Pipelines are make_pipeline(StandardScaler(), "
                 "RidgeClassifier(alpha)); folds StratifiedKFold(5) without shuffle; alpha grid " + str(GRID) + ".",
        "alpha_grid": GRID,
        "folds": FOLDS,
        "datasets": {},
    }
    for name, (x, y) in sets.items():
        np.save(OUT / f"readout_{name}.npy", x.astype(np.float64))
        out["datasets"][name] = reference(x, y)
        r = out["datasets"][name]
        print(name, x.shape, "class_geometry", round(r["class_geometry"], 4), "fixed", r["fixed_accuracies"],
              "cv", r["cv_accuracies"], "alphas", r["cv_alphas"])
    (OUT / "readout.json").write_text(json.dumps(out, indent=1) + "\n")


if __name__ == "__main__":
    main()
