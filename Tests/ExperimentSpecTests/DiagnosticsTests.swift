import AccordionTestSupport
import Foundation
import Testing
@testable import ExperimentSpec

/// Malformed specs and the exact first diagnostic each produces.
@Suite("Spec diagnostics")
struct DiagnosticsTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var id: String
        var yaml: String
        var overrides: [String] = []
        /// The first rendered error line, in full.
        var expected: String
        var help: String? = nil
        var testDescription: String { id }
    }

    static let cases: [Case] = [
        Case(id: "unknown top-level key", yaml: "name: a\nmodle:\n  depth: 2\n",
             expected: "spec.yaml:2:1: error: unknown key 'modle' at the top level", help: "help: did you mean 'model'?"),
        Case(id: "unknown nested key", yaml: "train:\n  learning_rat: 0.1\n",
             expected: "spec.yaml:2:3: error: unknown key 'learning_rat' in 'train'"),
        Case(id: "typo in train key", yaml: "train:\n  batchsize: 32\n",
             expected: "spec.yaml:2:3: error: unknown key 'batchsize' in 'train'", help: "help: did you mean 'batch_size'?"),
        Case(id: "wrong type for integer", yaml: "train:\n  epochs: two\n",
             expected: "spec.yaml:2:11: error: 'train.epochs' must be an integer, found 'two'"),
        Case(id: "wrong type for number", yaml: "train:\n  lr: fast\n",
             expected: "spec.yaml:2:7: error: 'train.lr' must be a number, found 'fast'"),
        Case(id: "quoted number is a string", yaml: "train:\n  lr: \"0.1\"\n",
             expected: "spec.yaml:2:7: error: 'train.lr' must be a number, found the string '0.1' (quoted or tagged !!str, so not a number)"),
        Case(id: "mapping where a scalar belongs", yaml: "train:\n  epochs: {a: 1}\n",
             expected: "spec.yaml:2:11: error: 'train.epochs' must be an integer, found a mapping"),
        Case(id: "section that is not a mapping", yaml: "train: 5\n",
             expected: "spec.yaml:1:8: error: 'train' must be a mapping of keys to values"),
        Case(id: "negative learning rate", yaml: "train:\n  lr: -0.1\n",
             expected: "spec.yaml:2:7: error: 'train.lr' is -0.1, out of range", help: "help: use a value in (0, 100]"),
        Case(id: "zero batch size", yaml: "train:\n  batch_size: 0\n",
             expected: "spec.yaml:2:15: error: 'train.batch_size' is 0, out of range",
             help: "help: use a value in 1...65536, or 'full' for the whole training split"),
        Case(id: "momentum of one", yaml: "train:\n  momentum: 1\n",
             expected: "spec.yaml:2:13: error: 'train.momentum' is 1.0, out of range"),
        Case(id: "unknown enum value", yaml: "train:\n  optimizer: sgdd\n",
             expected: "spec.yaml:2:14: error: unknown value 'sgdd' for 'train.optimizer'",
             help: "help: did you mean 'sgd'? (expected one of: sgd, adam, adamw)"),
        Case(id: "unknown activation", yaml: "model:\n  activation: relux\n",
             expected: "spec.yaml:2:15: error: unknown value 'relux' for 'model.activation'"),
        Case(id: "probe epoch beyond the last", yaml: "train:\n  epochs: 2\nprobe:\n  epochs: [0, 5]\n",
             expected: "spec.yaml:4:15: error: probe epoch 5 is beyond the last epoch (2)"),
        Case(id: "layer that does not exist", yaml: "model:\n  depth: 2\nprobe:\n  layers: [h1, h7]\n",
             expected: "spec.yaml:4:16: error: no layer named 'h7' in this model"),
        Case(id: "probe larger than the split", yaml: "data:\n  test_size: 100\nprobe:\n  size: 500\n",
             expected: "spec.yaml:4:9: error: probe size 500 exceeds the 100 test examples in use"),
        Case(id: "unknown estimator", yaml: "estimators:\n  prr: {}\n",
             expected: "spec.yaml:2:3: error: unknown key 'prr' in 'estimators'", help: "help: did you mean 'pr'?"),
        Case(id: "tab indentation", yaml: "train:\n\tepochs: 1\n",
             expected: "spec.yaml:2:1: error: tab character in indentation"),
        Case(id: "unclosed flow sequence", yaml: "probe:\n  epochs: [0, 1\n",
             expected: "spec.yaml:3:1: error: YAML syntax error: did not find expected ',' or ']' (while parsing a flow sequence)"),
        Case(id: "duplicate key", yaml: "train:\n  lr: 0.1\n  lr: 0.2\n",
             expected: "spec.yaml:3:3: error: duplicate key 'lr'"),
        Case(id: "empty file", yaml: "", expected: "spec.yaml: error: the spec is empty"),
        Case(id: "only comments", yaml: "# nothing\n", expected: "spec.yaml: error: the spec is empty"),
        Case(id: "top level is a list", yaml: "- a\n- b\n",
             expected: "spec.yaml:1:1: error: the spec must be a mapping of keys (name, data, model, train, …) to values"),
        Case(id: "empty sweep", yaml: "model:\n  width: {grid: []}\n",
             expected: "spec.yaml:2:10: error: empty sweep for 'model.width'"),
        Case(id: "sweep that is not a list", yaml: "model:\n  width: {grid: 64}\n",
             expected: "spec.yaml:2:17: error: 'grid' sweep of 'model.width' must be a list of values"),
        Case(id: "bad value inside a sweep", yaml: "model:\n  width: {grid: [64, wide]}\n",
             expected: "spec.yaml:2:22: error: 'model.width' must be an integer, found 'wide'"),
        Case(id: "zip sweeps of different lengths", yaml: "train:\n  lr: {zip: [0.1, 0.2]}\n  batch_size: {zip: [32]}\n",
             expected: "spec.yaml:2:7: error: zip sweeps must have equal lengths: 'train.lr' has 2 values"),
        Case(id: "override without =", yaml: "name: a\n", overrides: ["train.lr"],
             expected: "override 'train.lr': error: an override must look like key.path=value"),
        Case(id: "override with a bad type", yaml: "name: a\n", overrides: ["train.lr=abc"],
             expected: "override 'train.lr=abc': error: 'train.lr' must be a number, found 'abc'"),
        Case(id: "override of an unknown key", yaml: "name: a\n", overrides: ["train.lrr=0.1"],
             expected: "override 'train.lrr=0.1': error: unknown key 'lrr' in 'train'"),
        Case(id: "override sweep with an empty item", yaml: "name: a\n", overrides: ["model.width=64,,128"],
             expected: "override 'model.width=64,,128': error: cannot parse the value '64,,128'"),
        Case(id: "widths with depth", yaml: "model:\n  depth: 2\n  widths: [10, 20]\n",
             expected: "spec.yaml:3:3: error: 'model.widths' cannot be combined with 'model.depth' or 'model.width'"),
        // YAML syntax: each kind of malformed text is reported before anything is decoded.
        Case(id: "unclosed flow mapping", yaml: "train: {lr: 0.1\n",
             expected: "spec.yaml:2:1: error: YAML syntax error: did not find expected ',' or '}' (while parsing a flow mapping)"),
        Case(id: "unclosed flow sequence before more keys", yaml: "train:\n  lr: [0.1, 0.2\n  epochs: 2\n",
             expected: "spec.yaml:3:9: error: YAML syntax error: did not find expected ',' or ']' (while parsing a flow sequence)"),
        Case(id: "unclosed double quote", yaml: "train:\n  lr: \"abc\n",
             expected: "spec.yaml:3:1: error: YAML syntax error: found unexpected end of stream (while scanning a quoted scalar)"),
        Case(id: "unclosed single quote", yaml: "name: 'abc\n",
             expected: "spec.yaml:2:1: error: YAML syntax error: found unexpected end of stream (while scanning a quoted scalar)"),
        Case(id: "key indented deeper than its siblings", yaml: "train:\n  lr: 0.1\n   epochs: 2\n",
             expected: "spec.yaml:3:10: error: YAML syntax error: mapping values are not allowed in this context"),
        Case(id: "key indented less than its siblings", yaml: "train:\n    lr: 0.1\n  epochs: 2\n",
             expected: "spec.yaml:3:3: error: YAML syntax error: did not find expected key (while parsing a block mapping)"),
        Case(id: "stray colon in a value", yaml: "train:\n  lr: 0.1: 2\n",
             expected: "spec.yaml:2:10: error: YAML syntax error: mapping values are not allowed in this context"),
        Case(id: "alias with no anchor", yaml: "train:\n  lr: *rate\n",
             expected: "spec.yaml:2:7: error: YAML syntax error: found undefined alias"),
        Case(id: "alias used before its anchor", yaml: "train:\n  lr: *rate\nname: &rate a\n",
             expected: "spec.yaml:2:7: error: YAML syntax error: found undefined alias"),
        Case(id: "anchor without a name", yaml: "train:\n  lr: & 0.1\n",
             expected: "spec.yaml:2:8: error: YAML syntax error: did not find expected alphabetic or numeric character (while scanning an anchor)"),
        Case(id: "tab after spaces in indentation", yaml: "train:\n  \tepochs: 1\n",
             expected: "spec.yaml:2:3: error: tab character in indentation",
             help: "help: YAML indentation must use spaces; replace the tab with spaces"),
        Case(id: "tab indentation after a valid line", yaml: "model:\n  depth: 2\n\twidth: 3\n",
             expected: "spec.yaml:3:1: error: tab character in indentation",
             help: "help: YAML indentation must use spaces; replace the tab with spaces"),

        // Duplicate keys point at the second occurrence and name the line of the first.
        Case(id: "duplicate top-level key", yaml: "name: a\nname: b\n",
             expected: "spec.yaml:2:1: error: duplicate key 'name'", help: "help: the first 'name' is on line 1; keep one"),
        Case(id: "duplicate section", yaml: "train:\n  lr: 0.1\ntrain:\n  epochs: 2\n",
             expected: "spec.yaml:3:1: error: duplicate key 'train'", help: "help: the first 'train' is on line 1; keep one"),
        Case(id: "duplicate key in model", yaml: "model:\n  width: 10\n  depth: 2\n  width: 20\n",
             expected: "spec.yaml:4:3: error: duplicate key 'width'", help: "help: the first 'width' is on line 2; keep one"),
        Case(id: "duplicate key in data.manifold",
             yaml: "data:\n  dataset: manifold\n  manifold:\n    dimension: 3\n    dimension: 4\n",
             expected: "spec.yaml:5:5: error: duplicate key 'dimension'", help: "help: the first 'dimension' is on line 4; keep one"),

        // Unknown keys, in every section.
        Case(id: "unknown key in data", yaml: "data:\n  datset: cifar10\n",
             expected: "spec.yaml:2:3: error: unknown key 'datset' in 'data'", help: "help: did you mean 'dataset'?"),
        Case(id: "unknown key in data.manifold",
             yaml: "data:\n  dataset: manifold\n  manifold:\n    dim: 3\nprobe: {size: 100}\n",
             expected: "spec.yaml:4:5: error: unknown key 'dim' in 'data.manifold'",
             help: "help: known keys here: kind, dimension, ambient, noise, train_points, test_points"),
        Case(id: "unknown key in data.clusters",
             yaml: "data:\n  dataset: clusters\n  clusters:\n    counts: 10\nprobe: {size: 100}\n",
             expected: "spec.yaml:4:5: error: unknown key 'counts' in 'data.clusters'", help: "help: did you mean 'count'?"),
        Case(id: "unknown key in model", yaml: "model:\n  hidden_layers: 3\n",
             expected: "spec.yaml:2:3: error: unknown key 'hidden_layers' in 'model'"),
        Case(id: "key that lost its indentation", yaml: "train:\nlr: 0.1\n",
             expected: "spec.yaml:2:1: error: unknown key 'lr' at the top level"),
        Case(id: "unknown key in probe", yaml: "probe:\n  layer: [h1]\n",
             expected: "spec.yaml:2:3: error: unknown key 'layer' in 'probe'", help: "help: did you mean 'layers'?"),
        Case(id: "unknown setting of an estimator", yaml: "estimators:\n  pr: {kk: 10}\n",
             expected: "spec.yaml:2:8: error: unknown key 'kk' in 'estimators.pr'",
             help: "help: known keys here: resamples, resample_fraction, blocks, per_class"),
        Case(id: "unknown key in execution", yaml: "execution:\n  thread: 2\n",
             expected: "spec.yaml:2:3: error: unknown key 'thread' in 'execution'", help: "help: did you mean 'threads'?"),
        Case(id: "unknown estimator name", yaml: "estimators:\n  fractal: {}\n",
             expected: "spec.yaml:2:3: error: unknown key 'fractal' in 'estimators'"),

        // A value of the wrong type, for each kind of value.
        Case(id: "bool that is not true or false", yaml: "train:\n  nesterov: maybe\n",
             expected: "spec.yaml:2:13: error: 'train.nesterov' must be true or false, found 'maybe'"),
        Case(id: "string given a list", yaml: "name: [a, b]\n",
             expected: "spec.yaml:1:7: error: 'name' must be a string, found a list"),
        Case(id: "string given a mapping", yaml: "description: {a: 1}\n",
             expected: "spec.yaml:1:14: error: 'description' must be a string, found a mapping"),
        Case(id: "list given a scalar", yaml: "probe:\n  epochs: 3\n",
             expected: "spec.yaml:2:11: error: 'probe.epochs' must be a list of integers, found '3'"),
        Case(id: "list of layers given one name", yaml: "probe:\n  layers: h1\n",
             expected: "spec.yaml:2:11: error: 'probe.layers' must be a list of layer names, all or main, found 'h1'",
             help: "help: write [h1] for one layer"),
        Case(id: "list of layers given a mapping", yaml: "probe:\n  layers: {h1: 1}\n",
             expected: "spec.yaml:2:11: error: 'probe.layers' must be a list of strings, found a mapping"),
        Case(id: "widths given a scalar", yaml: "model:\n  widths: 64\n",
             expected: "spec.yaml:2:11: error: 'model.widths' must be a list of integers, found '64'"),
        Case(id: "integer given a decimal", yaml: "train:\n  epochs: 1.0\n",
             expected: "spec.yaml:2:11: error: 'train.epochs' must be an integer, found '1.0'"),
        Case(id: "number given a list", yaml: "train:\n  lr: [0.1]\n",
             expected: "spec.yaml:2:7: error: 'train.lr' must be a number, found a list"),
        Case(id: "seed that is negative", yaml: "train:\n  seed: -1\n",
             expected: "spec.yaml:2:9: error: 'train.seed' must be a non-negative integer, found '-1'"),
        Case(id: "seed that does not fit 64 bits", yaml: "data:\n  seed: 18446744073709551616\n",
             expected: "spec.yaml:2:9: error: 'data.seed' must be a non-negative integer, found '18446744073709551616'"),
        Case(id: "choice given a list", yaml: "probe:\n  split: [test]\n",
             expected: "spec.yaml:2:10: error: 'probe.split' must be one of 'train', 'test', found a list"),
        Case(id: "data section given a list", yaml: "data: [mnist]\n",
             expected: "spec.yaml:1:7: error: 'data' must be a mapping of keys to values"),
        Case(id: "manifold section given a scalar",
             yaml: "data:\n  dataset: manifold\n  manifold: hypercube\nprobe: {size: 100}\n",
             expected: "spec.yaml:3:13: error: 'data.manifold' must be a mapping of keys to values"),
        Case(id: "section given a list of keys", yaml: "train:\n  - lr: 0.1\n",
             expected: "spec.yaml:2:3: error: 'train' must be a mapping of keys to values"),
        Case(id: "estimators given a list", yaml: "estimators: [pr]\n",
             expected: "spec.yaml:1:13: error: 'estimators' must be a mapping of keys to values"),
        Case(id: "estimator settings given a scalar", yaml: "estimators:\n  pr: 1\n",
             expected: "spec.yaml:2:7: error: 'estimators.pr' must be a mapping of keys to values"),

        // Values outside their range name the range.
        Case(id: "learning rate too large", yaml: "train:\n  lr: 1000\n",
             expected: "spec.yaml:2:7: error: 'train.lr' is 1000.0, out of range", help: "help: use a value in (0, 100]"),
        Case(id: "negative momentum", yaml: "train:\n  momentum: -0.5\n",
             expected: "spec.yaml:2:13: error: 'train.momentum' is -0.5, out of range", help: "help: use a value in [0, 1)"),
        Case(id: "weight decay above one", yaml: "train:\n  weight_decay: 2\n",
             expected: "spec.yaml:2:17: error: 'train.weight_decay' is 2.0, out of range"),
        Case(id: "batch size too large", yaml: "train:\n  batch_size: 100000\n",
             expected: "spec.yaml:2:15: error: 'train.batch_size' is 100000, out of range", help: "help: use a value in 1...65536, or 'full' for the whole training split"),
        Case(id: "too many epochs", yaml: "train:\n  epochs: 20000\n",
             expected: "spec.yaml:2:11: error: 'train.epochs' is 20000, out of range", help: "help: use a value in 0...10000"),
        Case(id: "zero depth", yaml: "model:\n  depth: 0\n",
             expected: "spec.yaml:2:10: error: 'model.depth' is 0, out of range", help: "help: use a value in 1...1000"),
        Case(id: "zero width", yaml: "model:\n  width: 0\n",
             expected: "spec.yaml:2:10: error: 'model.width' is 0, out of range", help: "help: use a value in 1...65536"),
        Case(id: "empty widths", yaml: "model:\n  widths: []\n",
             expected: "spec.yaml:2:11: error: 'model.widths' is empty", help: "help: give at least one hidden width"),
        Case(id: "probe set too small", yaml: "probe:\n  size: 2\n",
             expected: "spec.yaml:2:9: error: 'probe.size' is 2, out of range", help: "help: use a value in 3...1000000"),
        Case(id: "zero training examples", yaml: "data:\n  train_size: 0\n",
             expected: "spec.yaml:2:15: error: 'data.train_size' is 0, out of range",
             help: "help: use a positive count, or omit it to use the whole split"),
        Case(id: "shuffle fraction above one", yaml: "data:\n  shuffle_fraction: 1.5\n",
             expected: "spec.yaml:2:21: error: 'data.shuffle_fraction' is 1.5, out of range"),
        Case(id: "too many jobs", yaml: "execution:\n  jobs: 2000\n",
             expected: "spec.yaml:2:9: error: 'execution.jobs' is 2000, out of range", help: "help: use a value in 0...1024"),
        Case(id: "zero threads", yaml: "execution:\n  threads: 0\n",
             expected: "spec.yaml:2:12: error: 'execution.threads' is 0, out of range", help: "help: use a value in 1...256"),
        Case(id: "manifold of dimension zero",
             yaml: "data:\n  dataset: manifold\n  manifold:\n    dimension: 0\nprobe: {size: 100}\n",
             expected: "spec.yaml:4:16: error: 'data.manifold.dimension' is 0, out of range", help: "help: use a value in 1...10000"),
        Case(id: "manifold with too few training points",
             yaml: "data:\n  dataset: manifold\n  manifold:\n    train_points: 2\nprobe: {size: 100}\n",
             expected: "spec.yaml:4:19: error: 'data.manifold.train_points' is 2, out of range",
             help: "help: use a value in 3...10000000"),
        Case(id: "a single cluster", yaml: "data:\n  dataset: clusters\n  clusters:\n    count: 1\nprobe: {size: 100}\n",
             expected: "spec.yaml:4:12: error: 'data.clusters.count' is 1, out of range", help: "help: use a value in 2...1000000"),

        // Unknown choices list the allowed values, and suggest the closest one when it is a plausible typo.
        Case(id: "dataset with an underscore", yaml: "data:\n  dataset: fashion_mnist\n",
             expected: "spec.yaml:2:12: error: unknown value 'fashion_mnist' for 'data.dataset'",
             help: "help: did you mean 'fashion-mnist'? (expected one of: fashion-mnist, cifar10, cifar100, manifold, clusters, arrays)"),
        Case(id: "dataset far from any known", yaml: "data:\n  dataset: imagenet\n",
             expected: "spec.yaml:2:12: error: unknown value 'imagenet' for 'data.dataset'",
             help: "help: expected one of: fashion-mnist, cifar10, cifar100, manifold, clusters, arrays"),
        Case(id: "unknown subset method", yaml: "data:\n  subset: stratify\n",
             expected: "spec.yaml:2:11: error: unknown value 'stratify' for 'data.subset'",
             help: "help: did you mean 'stratified'? (expected one of: first, stratified, random)"),
        Case(id: "British spelling of standardize", yaml: "data:\n  scaling: standardise\n",
             expected: "spec.yaml:2:12: error: unknown value 'standardise' for 'data.scaling'",
             help: "help: did you mean 'standardize'? (expected one of: unit, standardize)"),
        Case(id: "unknown label kind", yaml: "data:\n  labels: medium\n",
             expected: "spec.yaml:2:11: error: unknown value 'medium' for 'data.labels'", help: "help: expected one of: fine, coarse"),
        Case(id: "unknown shuffle target", yaml: "data:\n  shuffle_labels: all\n",
             expected: "spec.yaml:2:19: error: unknown value 'all' for 'data.shuffle_labels'",
             help: "help: expected one of: none, train, test, both"),
        Case(id: "unknown manifold kind", yaml: "data:\n  dataset: manifold\n  manifold:\n    kind: swissroll\nprobe: {size: 100}\n",
             expected: "spec.yaml:4:11: error: unknown value 'swissroll' for 'data.manifold.kind'",
             help: "help: did you mean 'swiss_roll'? (expected one of: hypercube, hypersphere, swiss_roll, torus, flat_torus, gaussian, linear, moment_curve)"),
        Case(id: "capitalised activation", yaml: "model:\n  activation: ReLU\n",
             expected: "spec.yaml:2:15: error: unknown value 'ReLU' for 'model.activation'"),
        Case(id: "misspelt initialiser", yaml: "model:\n  init: glorrot\n",
             expected: "spec.yaml:2:9: error: unknown value 'glorrot' for 'model.init'"),
        Case(id: "unknown architecture", yaml: "model:\n  architecture: transformer\n",
             expected: "spec.yaml:2:17: error: unknown value 'transformer' for 'model.architecture'"),
        Case(id: "unknown probe split", yaml: "probe:\n  split: val\n",
             expected: "spec.yaml:2:10: error: unknown value 'val' for 'probe.split'", help: "help: expected one of: train, test"),
        Case(id: "misspelt executor", yaml: "execution:\n  executor: slrum\n",
             expected: "spec.yaml:2:13: error: unknown value 'slrum' for 'execution.executor'",
             help: "help: did you mean 'slurm'? (expected one of: local, slurm)"),

        // Sweeps.
        Case(id: "empty zip sweep", yaml: "model:\n  width: {zip: []}\n",
             expected: "spec.yaml:2:10: error: empty sweep for 'model.width'",
             help: "help: list at least one value, or write the value itself"),
        Case(id: "zip sweep of a scalar", yaml: "train:\n  lr: {zip: 0.1}\n",
             expected: "spec.yaml:2:13: error: 'zip' sweep of 'train.lr' must be a list of values",
             help: "help: write e.g. {zip: [64, 128, 256]}"),
        Case(id: "grid sweep of a mapping", yaml: "train:\n  lr: {grid: {a: 1}}\n",
             expected: "spec.yaml:2:14: error: 'grid' sweep of 'train.lr' must be a list of values"),
        Case(id: "sweep inside a sweep", yaml: "model:\n  width: {grid: [64, {grid: [1, 2]}]}\n",
             expected: "spec.yaml:2:22: error: nested sweep inside the sweep of 'model.width'", help: "help: list plain values"),
        Case(id: "out-of-range value inside a sweep", yaml: "model:\n  width: {grid: [64, 0]}\n",
             expected: "spec.yaml:2:22: error: 'model.width' is 0, out of range", help: "help: use a value in 1...65536"),
        Case(id: "zip sweep lengths named together",
             yaml: "model:\n  width: {zip: [64, 128, 256]}\n  depth: {zip: [2, 3]}\n",
             expected: "spec.yaml:2:10: error: zip sweeps must have equal lengths: 'model.width' has 3 values",
             help: "help: lengths here: model.width=3, model.depth=2"),
        Case(id: "one sweep point makes a probe epoch invalid",
             yaml: "train:\n  epochs: {grid: [1, 5]}\nprobe:\n  epochs: [0, 5]\n",
             expected: "spec.yaml:4:15: error: probe epoch 5 is beyond the last epoch (1)"),

        // Overrides are named as typed.
        Case(id: "override with an empty key", yaml: "name: a\n", overrides: ["=5"],
             expected: "override '=5': error: an override must look like key.path=value",
             help: "help: e.g. train.lr=0.05 or model.width=64,128,256"),
        Case(id: "override with an empty key segment", yaml: "name: a\n", overrides: ["train..lr=0.1"],
             expected: "override 'train..lr=0.1': error: 'train..lr' is not a key path",
             help: "help: write dotted keys, e.g. train.lr=0.05"),
        Case(id: "override with a trailing dot", yaml: "name: a\n", overrides: ["train.=0.1"],
             expected: "override 'train.=0.1': error: 'train.' is not a key path"),
        Case(id: "override with a space in the key", yaml: "name: a\n", overrides: ["train lr=0.1"],
             expected: "override 'train lr=0.1': error: 'train lr' is not a key path"),
        Case(id: "override with an empty value", yaml: "name: a\n", overrides: ["train.lr="],
             expected: "override 'train.lr=': error: cannot parse the value ''",
             help: "help: write a YAML scalar, a list [a, b], or a comma list a,b,c to sweep"),
        Case(id: "override with an unclosed list", yaml: "name: a\n", overrides: ["probe.epochs=[0,1"],
             expected: "override 'probe.epochs=[0,1': error: cannot parse the value '[0,1'"),
        Case(id: "override sweep with a trailing comma", yaml: "name: a\n", overrides: ["model.width=64,"],
             expected: "override 'model.width=64,': error: cannot parse the value '64,'"),
        Case(id: "override sweep with a bad item", yaml: "name: a\n", overrides: ["model.width=64,wide"],
             expected: "override 'model.width=64,wide': error: 'model.width' must be an integer, found 'wide'"),
        Case(id: "override with a quoted number", yaml: "name: a\n", overrides: ["train.lr=\"0.1\""],
             expected: "override 'train.lr=\"0.1\"': error: 'train.lr' must be a number, found the string '0.1' (quoted or tagged !!str, so not a number)"),
        Case(id: "override out of range", yaml: "name: a\n", overrides: ["model.width=0"],
             expected: "override 'model.width=0': error: 'model.width' is 0, out of range",
             help: "help: use a value in 1...65536"),
        Case(id: "override with an unknown choice", yaml: "name: a\n", overrides: ["execution.executor=slrum"],
             expected: "override 'execution.executor=slrum': error: unknown value 'slrum' for 'execution.executor'",
             help: "help: did you mean 'slurm'? (expected one of: local, slurm)"),
        Case(id: "override replacing a section by a scalar", yaml: "name: a\n", overrides: ["model=5"],
             expected: "override 'model=5': error: 'model' must be a mapping of keys to values"),
        Case(id: "override list beyond the last epoch", yaml: "name: a\n", overrides: ["probe.epochs=[0,5]"],
             expected: "override 'probe.epochs=[0,5]': error: probe epoch 5 is beyond the last epoch (1)"),
        Case(id: "override naming a missing layer", yaml: "model:\n  depth: 2\n", overrides: ["probe.layers=[h9]"],
             expected: "override 'probe.layers=[h9]': error: no layer named 'h9' in this model"),
        Case(id: "override with a misspelt group word", yaml: "name: a\n", overrides: ["probe.layers=al"],
             expected: "override 'probe.layers=al': error: 'probe.layers' must be a list of layer names, all or main, found 'al'",
             help: "help: did you mean 'all'?"),
        Case(id: "override of an unknown estimator", yaml: "name: a\n", overrides: ["estimators.fractal={}"],
             expected: "override 'estimators.fractal={}': error: unknown key 'fractal' in 'estimators'"),

        // Architectures, optimisers and schedules.
        Case(id: "resnet depth not of the form 6k + 2", yaml: "model:\n  architecture: resnet\n  depth: 10\n",
             expected: "spec.yaml:3:10: error: resnet depth 10 is not of the form 6k + 2 with k ≥ 1",
             help: "help: use 8 or 14 (ResNet-8, -14, -20, -26, …)"),
        Case(id: "CNN key on an MLP", yaml: "model:\n  channels: [32]\n",
             expected: "spec.yaml:2:3: error: 'model.channels' applies to architecture 'cnn', not 'mlp'",
             help: "help: remove it, or set 'model.architecture: cnn'"),
        Case(id: "CNN without channels", yaml: "model:\n  architecture: cnn\n  channels: []\n",
             expected: "spec.yaml:3:13: error: 'model.channels' must list one or more channel counts in 1...4096"),
        Case(id: "kernel too large", yaml: "model:\n  architecture: cnn\n  kernel_size: 16\n",
             expected: "spec.yaml:3:16: error: 'model.kernel_size' is 16, out of range", help: "help: use a value in 1...15"),
        Case(id: "unknown pooling", yaml: "model:\n  architecture: cnn\n  pooling: avg\n",
             expected: "spec.yaml:3:12: error: unknown value 'avg' for 'model.pooling'"),
        Case(id: "dropout of one", yaml: "model:\n  architecture: cnn\n  dropout: 1\n",
             expected: "spec.yaml:3:12: error: 'model.dropout' is 1.0, out of range"),
        Case(id: "checkpoint that does not exist", yaml: "model:\n  init_from: /nonexistent/start.safetensors\n",
             expected: "spec.yaml:2:14: error: cannot read the checkpoint '/nonexistent/start.safetensors'",
             help: "help: give the path of a .safetensors file (relative paths are taken from the directory you run accordion in)"),
        Case(id: "convolutions on a point set", yaml: "data:\n  dataset: clusters\nmodel:\n  architecture: cnn\nprobe: {size: 100}\n",
             expected: "spec.yaml:4:17: error: architecture 'cnn' needs images, but data.dataset 'clusters' is a point set",
             help: "help: use architecture: mlp for manifold and clusters data"),
        Case(id: "momentum with Adam", yaml: "train:\n  optimizer: adam\n  momentum: 0.5\n",
             expected: "spec.yaml:3:3: error: 'train.momentum' applies to optimizer 'sgd', not 'adam'",
             help: "help: remove it (Adam's moment decay rates are beta1 and beta2)"),
        Case(id: "beta2 of one", yaml: "train:\n  optimizer: adam\n  beta2: 1\n",
             expected: "spec.yaml:3:10: error: 'train.beta2' is 1.0, out of range", help: "help: use a value in [0, 1)"),
        Case(id: "epsilon of zero", yaml: "train:\n  optimizer: adam\n  eps: 0\n",
             expected: "spec.yaml:3:8: error: 'train.eps' is 0.0, out of range", help: "help: use a value in (0, 1]"),
        Case(id: "misspelt schedule", yaml: "train:\n  schedule: cosin\n",
             expected: "spec.yaml:2:13: error: unknown value 'cosin' for 'train.schedule'",
             help: "help: did you mean 'cosine'? (expected one of: constant, step, cosine)"),
        Case(id: "loss without its underscore", yaml: "train:\n  loss: crossentropy\n",
             expected: "spec.yaml:2:9: error: unknown value 'crossentropy' for 'train.loss'",
             help: "help: did you mean 'cross_entropy'? (expected one of: cross_entropy, mse)"),
        Case(id: "noise scale from one minibatch", yaml: "train:\n  noise_batches: 1\n",
             expected: "spec.yaml:2:18: error: 'train.noise_batches' is 1; a covariance needs at least 2 minibatches",
             help: "help: use 0 to skip the noise scale, or 2 or more"),
        Case(id: "key named as in another tool", yaml: "train:\n  learning_rate: 0.1\n",
             expected: "spec.yaml:2:3: error: unknown key 'learning_rate' in 'train'",
             help: "help: did you mean 'lr'? ('learning_rate' is spelled 'lr' here)"),
        Case(id: "CNN layer that does not exist", yaml: "model:\n  architecture: cnn\nprobe:\n  layers: [conv3]\n",
             expected: "spec.yaml:4:12: error: no layer named 'conv3' in this model",
             help: "help: did you mean 'conv1'? (this model's layers are: input, conv1.pre, conv1.act, conv1, conv2.pre, conv2.act, conv2, h1.pre, h1, logits; or all, main)"),
        Case(id: "batch-norm point of a CNN without batch norm", yaml: "model:\n  architecture: cnn\nprobe:\n  layers: [conv1.bn]\n",
             expected: "spec.yaml:4:12: error: no layer named 'conv1.bn' in this model",
             help: "help: did you mean 'conv1.pre'? (this model's layers are: input, conv1.pre, conv1.act, conv1, conv2.pre, conv2.act, conv2, h1.pre, h1, logits; or all, main)"),
        Case(id: "activation point of a CNN that does not pool", yaml: "model:\n  architecture: cnn\n  channels: [4]\n  widths: []\n  pooling: none\n  batch_norm: true\nprobe:\n  layers: [conv1.act]\n",
             expected: "spec.yaml:8:12: error: no layer named 'conv1.act' in this model",
             help: "help: did you mean 'conv1.pre'? (this model's layers are: input, conv1.pre, conv1.bn, conv1, logits; or all, main)"),
        Case(id: "misspelt inner point", yaml: "model:\n  depth: 2\nprobe:\n  layers: [h1.pree]\n",
             expected: "spec.yaml:4:12: error: no layer named 'h1.pree' in this model",
             help: "help: did you mean 'h1.pre'? (this model's layers are: input, h1.pre, h1, h2.pre, h2, logits; or all, main)"),
        Case(id: "misspelt group word in a list", yaml: "model:\n  depth: 1\nprobe:\n  layers: [alll]\n",
             expected: "spec.yaml:4:12: error: no layer named 'alll' in this model",
             help: "help: did you mean 'all'? (this model's layers are: input, h1.pre, h1, logits; or all, main)"),
        Case(id: "misspelt group word alone", yaml: "probe:\n  layers: mian\n",
             expected: "spec.yaml:2:11: error: 'probe.layers' must be a list of layer names, all or main, found 'mian'",
             help: "help: did you mean 'main'?"),
        Case(id: "ResNet sum point beyond the last block", yaml: "model:\n  architecture: resnet\nprobe:\n  layers: [block3.sum, block4.sum]\n",
             expected: "spec.yaml:4:24: error: no layer named 'block4.sum' in this model",
             help: "help: did you mean 'block1.sum'? (this model's layers are: input, conv1.pre, conv1.bn, conv1, block1.sum, block1, block2.sum, block2, block3.sum, block3, pool, logits; or all, main)"),
        Case(id: "ResNet block that does not exist", yaml: "model:\n  architecture: resnet\nprobe:\n  layers: [block4]\n",
             expected: "spec.yaml:4:12: error: no layer named 'block4' in this model"),

        // Checks across sections, made before anything runs.
        Case(id: "layer name not in any model", yaml: "probe:\n  layers: [output]\n",
             expected: "spec.yaml:2:12: error: no layer named 'output' in this model"),
        Case(id: "layer beyond a widths list", yaml: "model:\n  widths: [64, 32]\nprobe:\n  layers: [input, h3]\n",
             expected: "spec.yaml:4:19: error: no layer named 'h3' in this model"),
        Case(id: "probe epoch of an untrained run", yaml: "train:\n  epochs: 0\nprobe:\n  epochs: [0, 1]\n",
             expected: "spec.yaml:4:15: error: probe epoch 1 is beyond the last epoch (0)"),
        Case(id: "probe set larger than the CIFAR training split",
             yaml: "data:\n  dataset: cifar10\nprobe:\n  split: train\n  size: 60000\n",
             expected: "spec.yaml:5:9: error: probe size 60000 exceeds the 50000 train examples in use",
             help: "help: use probe.size ≤ 50000"),
        Case(id: "probe set larger than the clusters' test split",
             yaml: "data:\n  dataset: clusters\n  clusters:\n    count: 10\n    test_per_cluster: 5\nprobe:\n  size: 100\n",
             expected: "spec.yaml:7:9: error: probe size 100 exceeds the 50 test examples in use",
             help: "help: use probe.size ≤ 50"),
        Case(id: "manifold section for an image dataset", yaml: "data:\n  dataset: fashion-mnist\n  manifold:\n    dimension: 3\n",
             expected: "spec.yaml:3:3: error: 'data.manifold' is set but 'data.dataset' is 'fashion-mnist'",
             help: "help: set 'data.dataset: manifold' or remove 'data.manifold'"),
        Case(id: "clusters section for a manifold", yaml: "data:\n  dataset: manifold\n  clusters:\n    count: 3\nprobe: {size: 100}\n",
             expected: "spec.yaml:3:3: error: 'data.clusters' is set but 'data.dataset' is 'manifold'",
             help: "help: set 'data.dataset: clusters' or remove 'data.clusters'"),
        Case(id: "clusters section without a dataset", yaml: "data:\n  clusters: {}\n",
             expected: "spec.yaml:2:3: error: 'data.clusters' is set but 'data.dataset' is 'fashion-mnist'",
             help: "help: set 'data.dataset: clusters' or remove 'data.clusters'"),
        Case(id: "estimators section that names none", yaml: "estimators: {}\n",
             expected: "spec.yaml:1:13: error: 'estimators' names no estimator",
             help: "help: add one or more of: pr, pca, twonn, mle, local_pca, corrdim, class_geometry, linear_probe"),
        Case(id: "more neighbours than probe points", yaml: "estimators:\n  mle: {k: 5000}\n",
             expected: "spec.yaml:2:12: error: 'estimators.mle.k' is 5000 but the probe set has only 1000 points",
             help: "help: use k < 999, or raise probe.size"),
        Case(id: "local neighbourhood larger than a small probe set", yaml: "probe:\n  size: 50\nestimators:\n  local_pca: {k: 100}\n",
             expected: "spec.yaml:4:18: error: 'estimators.local_pca.k' is 100 but the probe set has only 50 points",
             help: "help: use k < 49, or raise probe.size"),
        Case(id: "ridge strength out of range", yaml: "estimators:\n  linear_probe: {alpha: -1}\n",
             expected: "spec.yaml:2:25: error: 'estimators.linear_probe.alpha' is -1, out of range",
             help: "help: use a ridge strength in (0, 1e12], or cv to choose it from 1e-3 … 1e3 by inner cross-validation"),
        Case(id: "ridge strength neither a number nor cv", yaml: "estimators:\n  linear_probe: {alpha: auto}\n",
             expected: "spec.yaml:2:25: error: 'estimators.linear_probe.alpha' must be a number in (0, 1e12] or 'cv', found 'auto'"),
        Case(id: "more folds than a small probe set allows", yaml: "probe:\n  size: 50\nestimators:\n  linear_probe: {folds: 30}\n",
             expected: "spec.yaml:4:25: error: linear_probe with 30 folds needs at least 60 probe points, but the probe set has 50",
             help: "help: use folds ≤ 25, or raise probe.size"),
        Case(id: "resampling asked of the linear probe", yaml: "estimators:\n  linear_probe: {resamples: 5}\n",
             expected: "spec.yaml:2:18: error: unknown key 'resamples' in 'estimators.linear_probe'",
             help: "help: known keys here: folds, alpha, shuffle"),
        Case(id: "correlation scales in the wrong order", yaml: "estimators:\n  corrdim: {k1: 20, k2: 10}\n",
             expected: "spec.yaml:2:25: error: 'estimators.corrdim.k2' (10) must be larger than k1 (20)",
             help: "help: the two scales are the k1-th and k2-th neighbour distances; e.g. k1: 10, k2: 20"),

        // Estimator settings are typed and range-checked like every other value.
        Case(id: "misspelt estimator", yaml: "estimators:\n  localpca: {}\n",
             expected: "spec.yaml:2:3: error: unknown key 'localpca' in 'estimators'", help: "help: did you mean 'local_pca'?"),
        Case(id: "unknown setting of mle", yaml: "estimators:\n  mle: {k: 10, kk: 3}\n",
             expected: "spec.yaml:2:16: error: unknown key 'kk' in 'estimators.mle'", help: "help: did you mean 'k'?"),
        Case(id: "unknown TwoNN method", yaml: "estimators:\n  twonn: {method: mle_al}\n",
             expected: "spec.yaml:2:19: error: unknown value 'mle_al' for 'estimators.twonn.method'",
             help: "help: did you mean 'mle_all'? (expected one of: linear, mle, mle_all)"),
        Case(id: "unknown MLE average", yaml: "estimators:\n  mle: {average: geometric}\n",
             expected: "spec.yaml:2:18: error: unknown value 'geometric' for 'estimators.mle.average'",
             help: "help: expected one of: harmonic, mean"),
        Case(id: "too few neighbours", yaml: "estimators:\n  mle: {k: 1}\n",
             expected: "spec.yaml:2:12: error: 'estimators.mle.k' is 1, out of range", help: "help: use a value in 2...10000"),
        Case(id: "neighbours given a decimal", yaml: "estimators:\n  mle: {k: 20.5}\n",
             expected: "spec.yaml:2:12: error: 'estimators.mle.k' must be an integer, found '20.5'"),
        Case(id: "TwoNN discarding too much", yaml: "estimators:\n  twonn: {discard_fraction: 0.95}\n",
             expected: "spec.yaml:2:29: error: 'estimators.twonn.discard_fraction' is 0.95, out of range"),
        Case(id: "PCA variance of zero", yaml: "estimators:\n  pca: {variance: 0}\n",
             expected: "spec.yaml:2:19: error: 'estimators.pca.variance' is 0.0, out of range", help: "help: use a value in (0, 1]"),
        Case(id: "PCA standardize that is not a bool", yaml: "estimators:\n  pca: {standardize: maybe}\n",
             expected: "spec.yaml:2:22: error: 'estimators.pca.standardize' must be true or false, found 'maybe'"),
        Case(id: "negative resamples", yaml: "estimators:\n  twonn: {resamples: -1}\n",
             expected: "spec.yaml:2:22: error: 'estimators.twonn.resamples' is -1, out of range", help: "help: use a value in 0...1000"),
        // Values the engine would reject later are caught here, before the first epoch.
        Case(id: "step schedule with gamma 0", yaml: "train: {schedule: step, gamma: 0}\n",
             expected: "spec.yaml:1:32: error: 'train.gamma' is 0.0, out of range", help: "help: use a value in (0, 1]"),
        Case(id: "test size larger than the clusters' test split",
             yaml: "data:\n  dataset: clusters\n  clusters: {count: 20, test_per_cluster: 20}\n  test_size: 500\nprobe: {size: 100}\n",
             expected: "spec.yaml:4:14: error: 'data.test_size' is 500 but the test split has 400 examples"),
        Case(id: "even CNN kernel", yaml: "model: {architecture: cnn, kernel_size: 4}\n",
             expected: "spec.yaml:1:41: error: 'model.kernel_size' is 4; 'same' padding needs an odd size", help: "help: use 3 or 5"),
        Case(id: "more pooled stages than the image allows", yaml: "model: {architecture: cnn, channels: [8,8,8,8,8,8]}\n",
             expected: "spec.yaml:1:38: error: 6 pooled convolution stages halve a 28×28 image to nothing"),
        Case(id: "torus in too few ambient dimensions",
             yaml: "data:\n  dataset: manifold\n  manifold: {kind: torus, ambient: 2}\nprobe: {size: 100}\n",
             expected: "spec.yaml:3:36: error: 'data.manifold.ambient' is 2, but a torus of dimension 2 needs 3 coordinates"),
        Case(id: "resnet with MLP widths", yaml: "model: {architecture: resnet, widths: [3]}\n",
             expected: "spec.yaml:1:31: error: 'model.widths' has no effect on architecture 'resnet'"),
        Case(id: "Adam setting with SGD", yaml: "train: {beta1: 0.9}\n",
             expected: "spec.yaml:1:9: error: 'train.beta1' applies to optimizers 'adam' and 'adamw', not 'sgd'"),
        Case(id: "step-schedule setting without the step schedule", yaml: "train: {gamma: 0.5}\n",
             expected: "spec.yaml:1:9: error: 'train.gamma' applies to 'schedule: step', not 'constant'"),
        Case(id: "name that leaves the results directory", yaml: "name: ../../x\n",
             expected: "spec.yaml:1:7: error: 'name' must not start with '.': bundles go to Results/<name>/"),
        Case(id: "override whose first key is unknown", yaml: "name: a\n", overrides: ["trian.lr=0.1"],
             expected: "override 'trian.lr=0.1': error: unknown key 'trian' at the top level", help: "help: did you mean 'train'?"),
        Case(id: "negative probe epoch", yaml: "probe:\n  epochs: [-1, 1]\n",
             expected: "spec.yaml:2:12: error: probe epoch -1 is negative",
             help: "help: 0 is the untrained network; list epochs in 0...1"),
        Case(id: "a list item of the wrong type is named by its index", yaml: "probe:\n  epochs: [0, one]\n",
             expected: "spec.yaml:2:15: error: 'probe.epochs[1]' must be an integer, found 'one'"),
        Case(id: "batch size neither a count nor full", yaml: "train:\n  batch_size: fulll\n",
             expected: "spec.yaml:2:15: error: 'train.batch_size' must be an integer or 'full', found 'fulll'"),
        Case(id: "steps together with epochs", yaml: "train:\n  epochs: 3\n  steps: 100\n",
             expected: "spec.yaml:3:3: error: 'train.steps' cannot be combined with 'train.epochs'",
             help: "help: give either steps (optimizer steps) or epochs (passes over the training split); the epoch count follows from steps"),
        Case(id: "steps out of range", yaml: "train:\n  steps: 0\n",
             expected: "spec.yaml:2:10: error: 'train.steps' is 0, out of range", help: "help: use a value in 1...100000000"),
        Case(id: "steps beyond 10000 epochs", yaml: "data: {train_size: 640}\ntrain:\n  steps: 100001\n",
             expected: "spec.yaml:3:10: error: 'train.steps' is 100001, which at 10 step(s) per epoch is 10001 epochs",
             help: "help: use at most 100000 steps (10000 epochs), or a larger batch"),
        Case(id: "target loss together with steps", yaml: "train:\n  steps: 10\n  target_loss: 0.1\n",
             expected: "spec.yaml:3:3: error: 'train.target_loss' cannot be combined with 'train.steps'",
             help: "help: train.epochs is the longest a run with a target loss trains; remove steps"),
        Case(id: "negative target loss", yaml: "train:\n  target_loss: -1\n",
             expected: "spec.yaml:2:16: error: 'train.target_loss' is -1, out of range", help: "help: use a value in 0...1000000"),
        Case(id: "target loss without training", yaml: "train:\n  epochs: 0\n  target_loss: 0.1\n",
             expected: "spec.yaml:3:16: error: 'train.target_loss' needs training, but 'train.epochs' is 0",
             help: "help: set train.epochs to the most epochs the run may take"),
        Case(id: "centre std with uniform centres",
             yaml: "data:\n  dataset: clusters\n  clusters: {centers: uniform, center_std: 2}\nprobe: {size: 100}\n",
             expected: "spec.yaml:3:32: error: 'data.clusters.center_std' applies to 'centers: gaussian', not 'uniform'",
             help: "help: remove it, or set 'centers: gaussian'"),
        Case(id: "hypercube side with Gaussian centres",
             yaml: "data:\n  dataset: clusters\n  clusters: {side: 4}\nprobe: {size: 100}\n",
             expected: "spec.yaml:3:14: error: 'data.clusters.side' applies to 'centers: uniform', not 'gaussian'",
             help: "help: remove it, or set 'centers: uniform'"),
        Case(id: "unknown centre distribution",
             yaml: "data:\n  dataset: clusters\n  clusters: {centers: cube}\nprobe: {size: 100}\n",
             expected: "spec.yaml:3:23: error: unknown value 'cube' for 'data.clusters.centers'",
             help: "help: expected one of: gaussian, uniform"),
        Case(id: "more classes than clusters",
             yaml: "data:\n  dataset: clusters\n  clusters: {count: 4, classes: 5}\nprobe: {size: 40}\n",
             expected: "spec.yaml:3:33: error: 'data.clusters.classes' is 5 but there are only 4 clusters",
             help: "help: use classes ≤ count, so that every class has a cluster"),
        Case(id: "per_class on a task-relevance measure", yaml: "estimators:\n  linear_probe: {per_class: true}\n",
             expected: "spec.yaml:2:29: error: 'estimators.linear_probe.per_class' is not supported: linear_probe measures how classes differ, which one class alone cannot show",
             help: "help: per_class applies to the intrinsic-dimension estimators: pr, pca, twonn, mle, local_pca, corrdim"),
        Case(id: "per_class with classes too small for k", yaml: "probe: {size: 100}\nestimators:\n  mle: {k: 20, resamples: 0, per_class: true}\n",
             expected: "spec.yaml:3:41: error: 'estimators.mle.per_class' needs 21 points in every class, but with 100 probe points in 10 classes the smallest class has at most 10",
             help: "help: raise probe.size to at least 210, or lower the neighbour count"),
        Case(id: "per_class with classes too small for the resamples", yaml: "probe: {size: 220}\nestimators:\n  mle: {k: 20, per_class: true}\n",
             expected: "spec.yaml:3:27: error: 'estimators.mle.per_class' needs 24 points in every class (so that each resample, 0.9 of them, keeps 21), but with 220 probe points in 10 classes the smallest class has at most 22",
             help: "help: raise probe.size to at least 240, or lower the neighbour count, or set resamples: 0"),
        Case(id: "resample fraction of zero", yaml: "estimators:\n  pr: {resample_fraction: 0}\n",
             expected: "spec.yaml:2:27: error: 'estimators.pr.resample_fraction' is 0.0, out of range", help: "help: use a value in (0, 1)"),
        Case(id: "Fukunaga–Olsen threshold of one", yaml: "estimators:\n  local_pca: {rule: fo, alpha: 1}\n",
             expected: "spec.yaml:2:32: error: 'estimators.local_pca.alpha' is 1.0, out of range", help: "help: use a value in (0, 1)"),
        Case(id: "spectrum rule misspelt", yaml: "estimators:\n  pca: {rule: FO}\n",
             expected: "spec.yaml:2:15: error: unknown value 'FO' for 'estimators.pca.rule'",
             help: "help: did you mean 'fo'? (expected one of: variance, fo)"),
        Case(id: "variance given to the Fukunaga–Olsen rule", yaml: "estimators:\n  pca: {rule: fo, variance: 0.8}\n",
             expected: "spec.yaml:2:29: error: 'estimators.pca.variance' does not apply to rule 'fo'",
             help: "help: rule variance reads variance, rule fo reads alpha; remove variance or change the rule"),
        Case(id: "alpha given to the variance rule", yaml: "estimators:\n  local_pca: {alpha: 0.1}\n",
             expected: "spec.yaml:2:22: error: 'estimators.local_pca.alpha' does not apply to rule 'variance'",
             help: "help: rule variance reads variance, rule fo reads alpha; remove alpha or change the rule"),
        Case(id: "correlation scale k1 above the default k2", yaml: "estimators:\n  corrdim: {k1: 30}\n",
             expected: "spec.yaml:2:17: error: 'estimators.corrdim.k2' (20) must be larger than k1 (30)",
             help: "help: the two scales are the k1-th and k2-th neighbour distances; e.g. k1: 10, k2: 20"),
        Case(id: "resample fraction of one", yaml: "estimators:\n  twonn: {resample_fraction: 1}\n",
             expected: "spec.yaml:2:30: error: 'estimators.twonn.resample_fraction' is 1.0, out of range", help: "help: use a value in (0, 1)"),
    ]

    @Test("each malformed spec gives its located message", arguments: cases)
    func diagnostic(_ c: Case) {
        do {
            _ = try SpecLoader.load(data: Data(c.yaml.utf8), file: "spec.yaml", defaultName: "spec", overrides: c.overrides)
            Issue.record("\(c.id): expected errors")
        } catch let errors as SpecErrors {
            let lines = errors.render().split(separator: "\n").map(String.init)
            #expect(lines.first == c.expected, "\(c.id)")
            if let help = c.help { #expect(lines.contains(help), "\(c.id): \(lines)") }
        } catch {
            Issue.record("\(c.id): unexpected \(error)")
        }
    }

    @Test("all errors in a file are reported together, in source order")
    func collected() throws {
        let yaml = "modle: {}\ntrain:\n  lr: fast\n  epochs: -1\n"
        do {
            _ = try SpecLoader.load(data: Data(yaml.utf8), file: "s.yaml", defaultName: "s")
            Issue.record("expected errors")
        } catch let errors as SpecErrors {
            #expect(errors.diagnostics.count == 3)
            let text = errors.render()
            #expect(text.contains("s.yaml:1:1: error: unknown key 'modle'"))
            #expect(text.contains("s.yaml:3:7: error: 'train.lr' must be a number"))
            #expect(text.contains("s.yaml:4:11: error: 'train.epochs' is -1, out of range"))
            #expect(text.hasSuffix("3 errors in s.yaml"))
        }
    }

    @Test("accordion validate prints every error of each bad file together and exits 2")
    func validateCommand() throws {
        let dir = TestSupport.temporaryDirectory("validate")
        defer { try? FileManager.default.removeItem(at: dir) }
        let files = [
            "several.yaml": "modle: {}\ntrain:\n  lr: fast\n  epochs: -1\n",
            "syntax.yaml": "probe:\n  epochs: [0, 1\n",
            "good.yaml": "name: good\nmodel: {depth: 2, width: 8}\n",
        ]
        for (name, text) in files {
            try text.write(to: dir.appendingPathComponent(name), atomically: true, encoding: .utf8)
        }
        let (status, output) = try TestSupport.runAccordion(
            ["validate", "several.yaml", "good.yaml", "syntax.yaml", "missing.yaml"], directory: dir)
        #expect(status == 2, "\(output)")
        let lines = output.split(separator: "\n").map(String.init)

        // The three mistakes of several.yaml form one block, in source order, closed by its count.
        let first = try #require(lines.firstIndex(of: "several.yaml:1:1: error: unknown key 'modle' at the top level"), "\(output)")
        let total = try #require(lines.firstIndex(of: "3 errors in several.yaml"), "\(output)")
        let block = Array(lines[first...total])
        #expect(block.filter { $0.contains(": error: ") }.map { $0.components(separatedBy: ": error: ")[0] }
                == ["several.yaml:1:1", "several.yaml:3:7", "several.yaml:4:11"], "\(block)")
        #expect(block.contains("several.yaml:3:7: error: 'train.lr' must be a number, found 'fast'"))
        #expect(block.contains("several.yaml:4:11: error: 'train.epochs' is -1, out of range"))
        #expect(!block.contains { $0.hasPrefix("good.yaml") || $0.hasPrefix("syntax.yaml") })

        #expect(lines.contains("good.yaml: ok, 1 run point"))
        #expect(lines.contains("syntax.yaml:3:1: error: YAML syntax error: did not find expected ',' or ']' (while parsing a flow sequence)"))
        #expect(lines.contains("1 error in syntax.yaml"))
        #expect(lines.contains("missing.yaml: error: cannot read the spec: no such file or it is unreadable"))

        // A good file alone exits 0, so the status above comes from the bad ones.
        let alone = try TestSupport.runAccordion(["validate", "good.yaml"], directory: dir)
        #expect(alone.status == 0, "\(alone.output)")
    }

    @Test("the source line is quoted with a caret under the offending token")
    func caret() {
        do {
            _ = try SpecLoader.load(data: Data("train:\n  learning_rat: 0.01\n".utf8), file: "e.yaml", defaultName: "e")
        } catch let errors as SpecErrors {
            let lines = errors.render().split(separator: "\n").map(String.init)
            #expect(lines[1] == " 2 |   learning_rat: 0.01")
            #expect(lines[2] == "   |   ^~~~~~~~~~~~")
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test("on a very long line the quoted source is a window around the error, the caret still under it")
    func longLine() {
        let widths = (1...2_000).map(String.init).joined(separator: ", ")
        let yaml = "model:\n  width: {grid: [\(widths), 70000, \(widths)]}\n"
        do {
            _ = try SpecLoader.load(data: Data(yaml.utf8), file: "long.yaml", defaultName: "long")
            Issue.record("expected an error")
        } catch let errors as SpecErrors {
            let lines = errors.render().split(separator: "\n").map(String.init)
            #expect(lines[0].hasPrefix("long.yaml:2:") && lines[0].hasSuffix("error: 'model.width' is 70000, out of range"))
            #expect(lines[1].count < 140 && lines[1].hasPrefix(" 2 | …") && lines[1].hasSuffix("…"), "\(lines[1])")
            // The caret sits under the 7 of 70000, the underline covers the value.
            let caret = lines[2].firstIndex(of: "^").map { lines[2].distance(from: lines[2].startIndex, to: $0) } ?? -1
            let quoted = Array(lines[1])
            #expect(caret >= 0 && caret + 5 <= quoted.count && String(quoted[caret..<(caret + 5)]) == "70000", "\(lines[1])\n\(lines[2])")
            #expect(lines[2].hasSuffix("^~~~~"))
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test("a non-UTF-8 file and a 10 MB file are rejected without crashing")
    func hostileFiles() {
        for (id, data, expected) in [
            ("latin-1", Data([0x6E, 0x61, 0x6D, 0x65, 0x3A, 0x20, 0xE9, 0x0A]), "x.yaml:1:7: error: the spec is not valid UTF-8: byte 0xE9 cannot start or continue a character here"),
            ("10 MB", Data(repeating: 0x61, count: 10 << 20), "specs are limited to"),
        ] {
            do {
                _ = try SpecLoader.load(data: data, file: "x.yaml", defaultName: "x")
                Issue.record("\(id): expected an error")
            } catch let errors as SpecErrors {
                #expect(errors.render().contains(expected), "\(id)")
            } catch {
                Issue.record("\(id): unexpected \(error)")
            }
        }
    }
}
