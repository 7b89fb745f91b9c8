import Tensors

/// The GEMM work of a layer, for FLOP counts and fractions of the BLAS peak.
protocol MultiplyAddCounting {
    /// Multiply-adds of one example's forward pass (the layer must be configured).
    var forwardMultiplyAdds: Int { get }
}

extension Dense: MultiplyAddCounting {
    var forwardMultiplyAdds: Int { inputDimensions * outputDimensions }
}

extension Conv2D: MultiplyAddCounting {
    /// `out · C·kh·kw · Ho·Wo`.
    var forwardMultiplyAdds: Int { outputChannels * inputChannels * kernelSize * kernelSize * outputPixels }
}

extension Sequential {
    /// Floating-point operations of one training example: the forward, weight-gradient and
    /// input-gradient products of every dense and convolution layer, except the input gradient
    /// of the model's first layer, which the trainer never computes.
    ///
    /// ```
    /// FLOPs = Σ_layers 2·MACs·(2 + [layer is not first])
    /// ```
    /// Batch norm, pooling, activations and the loss are left out: they are memory-bound and
    /// small beside the products, so the figure is the work a BLAS peak can be compared with.
    public var trainingFlopsPerExample: Double {
        var total = 0.0
        for (i, layer) in chain.allLayers.enumerated() {
            guard let counted = layer as? MultiplyAddCounting else { continue }
            let passes = i == 0 ? 2.0 : 3.0
            total += 2 * passes * Double(counted.forwardMultiplyAdds)
        }
        return total
    }
}
