import Claims
import ExperimentSpec
import Foundation
import ResultBundles

// Hand-written canonical encodings of the stage parameters that a large sweep has one or more of
// per run point (train, probe, estimate) or that grow with the sweep (aggregate, claims, report).
// Each writes exactly the bytes `StageKeys.canonicalJSON` writes, so no stage key moves; members
// appear in `JSONEncoder`'s sorted-key order and nil optionals are left out. `StageParamsEncodingTests`
// compares every one with `JSONEncoder` over generated values: a member added to one of these
// types without being added here fails there.

extension TrainParams {
    func canonicalJSON() throws -> Data {
        var w = CanonicalJSONWriter(capacity: 768)
        w.beginObject()
        if let checkpointSteps { w.key("checkpoint_steps"); w.ints(checkpointSteps) }
        w.key("checkpoints"); w.ints(checkpoints)
        if let initFromSHA256 { w.key("init_from_sha256"); w.string(initFromSHA256) }
        w.key("model"); try w.model(model)
        if let threads { w.key("threads"); w.int(threads) }
        w.key("train"); try w.train(train)
        w.endObject()
        return w.data
    }
}

extension ProbeParams {
    func canonicalJSON() -> Data {
        var w = CanonicalJSONWriter()
        w.beginObject()
        w.key("epoch"); w.int(epoch)
        w.key("layers"); w.strings(layers)
        w.key("seed"); w.uint64(seed)
        w.key("size"); w.int(size)
        w.key("split"); w.string(split.rawValue)
        if let step { w.key("step"); w.int(step) }
        if let threads { w.key("threads"); w.int(threads) }
        w.endObject()
        return w.data
    }
}

extension AggregateParams {
    func canonicalJSON() throws -> Data {
        var w = CanonicalJSONWriter(capacity: 128 * (cells.count + points.count) + 1024)
        w.beginObject()
        w.key("cells")
        w.beginArray()
        for c in cells {
            w.beginObject()
            w.key("epoch"); w.int(c.epoch)
            w.key("estimator"); w.string(c.estimator)
            w.key("input"); w.int(c.input)
            w.key("layer"); w.string(c.layer)
            w.key("layer_index"); w.int(c.layerIndex)
            w.key("point"); w.int(c.point)
            if let step = c.step { w.key("step"); w.int(step) }
            w.endObject()
        }
        w.endArray()
        w.key("configuration_paths"); w.strings(configurationPaths)
        w.key("configurations"); w.configurations(configurations)
        w.key("data")
        w.beginArray()
        for d in data {
            w.beginObject()
            w.key("input"); w.int(d.input)
            w.key("name"); w.string(d.name)
            w.endObject()
        }
        w.endArray()
        if let missing { w.key("missing"); try w.encoded(missing) }
        w.key("points")
        w.beginArray()
        for p in points {
            w.beginObject()
            w.key("configuration"); w.int(p.configuration)
            w.key("index"); w.int(p.index)
            w.key("label"); w.string(p.label)
            w.key("replicate"); w.int(p.replicate)
            if let settings = p.settings { w.key("settings"); w.strings(settings) }
            w.key("stages"); w.ints(p.stages)
            if let train = p.train { w.key("train"); w.int(train) }
            w.key("values"); w.strings(p.values)
            w.endObject()
        }
        w.endArray()
        if let settingsPaths { w.key("settings_paths"); w.strings(settingsPaths) }
        w.key("swept_paths"); w.strings(sweptPaths)
        w.endObject()
        return w.data
    }
}

extension ClaimsParams {
    func canonicalJSON() throws -> Data {
        var w = CanonicalJSONWriter(capacity: 256 * configurations.count + 1024)
        w.beginObject()
        // A spec has a handful of claims: JSONEncoder writes them (their encoding is custom).
        w.key("claims"); try w.encoded(claims)
        w.key("configurations"); w.configurations(configurations)
        if let missing { w.key("missing"); try w.encoded(missing) }
        w.key("options")
        w.beginObject()
        w.key("alpha"); try w.double(options.alpha)
        w.key("level"); try w.double(options.level)
        w.key("resamples"); w.int(options.resamples)
        w.key("seed"); w.uint64(options.seed)
        w.endObject()
        w.endObject()
        return w.data
    }
}

extension ReportParams {
    func canonicalJSON() throws -> Data {
        var w = CanonicalJSONWriter(capacity: resolvedSpec.utf8.count + resolvedSpec.utf8.count / 4 + 4096)
        w.beginObject()
        w.key("description"); w.string(description)
        if let missing { w.key("missing"); try w.encoded(missing) }
        w.key("name"); w.string(name)
        w.key("provenance")
        w.beginArray()
        for row in provenance { w.strings(row) }
        w.endArray()
        w.key("resolved_spec"); w.string(resolvedSpec)
        w.endObject()
        return w.data
    }
}

extension CanonicalJSONWriter {
    mutating func model(_ m: ModelSpec) throws {
        beginObject()
        key("activation"); string(m.activation.rawValue)
        key("architecture"); string(m.architecture.rawValue)
        key("base_width"); int(m.baseWidth)
        key("batch_norm"); bool(m.batchNorm)
        key("channels"); ints(m.channels)
        key("dropout"); try double(m.dropout)
        key("init"); string(m.initializer.rawValue)
        if let initFrom = m.initFrom { key("init_from"); string(initFrom) }
        key("kernel_size"); int(m.kernelSize)
        key("pooling"); string(m.pooling.rawValue)
        key("resnet_depth"); int(m.resnetDepth)
        key("widths"); ints(m.widths)
        endObject()
    }

    mutating func train(_ t: TrainSpec) throws {
        beginObject()
        key("batch_size"); int(t.batchSize)
        key("beta1"); try double(t.beta1)
        key("beta2"); try double(t.beta2)
        key("epochs"); int(t.epochs)
        key("eps"); try double(t.eps)
        if let fullBatch = t.fullBatch { key("full_batch"); bool(fullBatch) }
        key("gamma"); try double(t.gamma)
        key("loss"); string(t.loss.rawValue)
        key("lr"); try double(t.lr)
        key("momentum"); try double(t.momentum)
        key("nesterov"); bool(t.nesterov)
        key("noise_batches"); int(t.noiseBatches)
        key("optimizer"); string(t.optimizer.rawValue)
        key("schedule"); string(t.schedule.rawValue)
        key("seed"); uint64(t.seed)
        key("step_size"); int(t.stepSize)
        if let steps = t.steps { key("steps"); int(steps) }
        if let targetLoss = t.targetLoss { key("target_loss"); try double(targetLoss) }
        key("warmup_epochs"); int(t.warmupEpochs)
        key("weight_decay"); try double(t.weightDecay)
        endObject()
    }

    mutating func configurations(_ cs: [ClaimConfiguration]) {
        beginArray()
        for c in cs {
            beginObject()
            key("assignments"); stringMap(c.assignments)
            key("index"); int(c.index)
            key("label"); string(c.label)
            key("lastEpoch"); int(c.lastEpoch)
            key("layerNames"); strings(c.layerNames)
            key("probedLayers"); strings(c.probedLayers)
            endObject()
        }
        endArray()
    }
}
