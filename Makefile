# Accordion — the two commands of the README are `make quickstart` and `make test`.
SWIFT ?= swift

.PHONY: deps quickstart test build release clean bench-scheduler reproduce reproduction-doc

## Install the system packages (OpenBLAS, LAPACKE, zlib, Fashion-MNIST) if any is missing.
deps:
	@scripts/install-deps.sh

## Train the quickstart experiment and print its layer × PR table. The debug build, whose engine
## modules are optimized (Package.swift): the same numbers as a release build, a shorter first
## build, and the build `make test` uses.
quickstart: deps
	$(SWIFT) run accordion run Experiments/quickstart.yaml

## Build and run the test suite (also installs Slurm and munge for the cluster integration test, and
## pandas for the documented notebook snippet).
test: deps
	@scripts/install-deps.sh slurmctld slurmd slurm-client munge python3-pandas
	$(SWIFT) test

## The paper reproduction (docs/reproduction.md): every experiment of the suite into Results/, each
## bundle slimmed and verified, with the wall time of each. REPRODUCE_ARGS go to every run, e.g.
## REPRODUCE_ARGS="replicates=10" or "--executor slurm".
reproduce: release
	scripts/reproduce.sh run "$$($(SWIFT) build -c release --show-bin-path)/accordion" $(REPRODUCE_ARGS)

## Regenerate the generated part of docs/reproduction.md from the latest bundles under Results/.
reproduction-doc: release
	scripts/reproduce.sh doc "$$($(SWIFT) build -c release --show-bin-path)/accordion"

build: deps
	$(SWIFT) build

release: deps
	$(SWIFT) build -c release

clean:
	rm -rf .build

## The Python peers for side-by-side benchmarks (PyTorch, scikit-dimension, dadapy), from PyPI.
.venv-bench/bin/python:
	python3 -m venv .venv-bench
	.venv-bench/bin/pip install -q torch safetensors numpy scikit-dimension dadapy

## Time the intrinsic-dimension estimators against scikit-dimension and dadapy.
.PHONY: bench-estimators
bench-estimators: deps .venv-bench/bin/python
	$(SWIFT) build -c release --product accordion
	.venv-bench/bin/python scripts/bench-estimators.py --accordion "$$($(SWIFT) build -c release --show-bin-path)/accordion"

## Train mlp, cnn, resnet8 and a CIFAR-shaped resnet20 in Accordion and in PyTorch (.venv-bench) at 1 and
## 2 threads, side by side, with the fraction of the single-core SGEMM peak measured in the same run.
.PHONY: bench
bench: deps .venv-bench/bin/python
	$(SWIFT) build -c release --product accordion
	"$$($(SWIFT) build -c release --show-bin-path)/accordion" bench

## What probe.layers: all costs against probe.layers: main: the 6×256 DeepNet on all of Fashion-MNIST,
## 5 epochs, probed at epochs 0–5, both runs in one invocation, side by side (a few minutes).
## BENCH_PROBES_ARGS adds options, e.g. BENCH_PROBES_ARGS="--train-size 6000" for a quick run.
.PHONY: bench-probes
bench-probes: deps
	$(SWIFT) build -c release --product accordion
	"$$($(SWIFT) build -c release --show-bin-path)/accordion" bench-probes $(BENCH_PROBES_ARGS)

## Scheduler overhead: plan a 1,000-point sweep; re-run a fully cached ~100-stage experiment.
bench-scheduler: release
	scripts/bench-scheduler.sh .build/release/accordion
