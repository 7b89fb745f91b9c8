# Accordion — the two commands of the README are `make quickstart` and `make test`.
SWIFT ?= swift

.PHONY: deps quickstart test build release clean

## Install the system packages (OpenBLAS, LAPACKE, zlib, Fashion-MNIST) if any is missing.
deps:
	@scripts/install-deps.sh

## Train the quickstart experiment and print its layer × PR table.
quickstart: deps
	$(SWIFT) run -c release accordion run Experiments/quickstart.yaml

## Build and run the test suite.
test: deps
	$(SWIFT) test

build: deps
	$(SWIFT) build

release: deps
	$(SWIFT) build -c release

clean:
	rm -rf .build
