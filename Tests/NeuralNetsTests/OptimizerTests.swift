import Foundation
import Testing
import Tensors
@testable import NeuralNets

@Suite("Optimizers")
struct OptimizerTests {
    @Test("SGD with momentum: two hand-computed steps")
    func sgdMomentum() {
        let p = Parameter(name: "w", value: FloatTensor(shape: [2], scalars: [1, -2]))
        let sgd = SGD(learningRate: 0.1, momentum: 0.9)
        p.grad = FloatTensor(shape: [2], scalars: [0.5, 1])
        sgd.step([p])
        // v = g = (0.5, 1); θ = (1 − 0.05, −2 − 0.1)
        #expect(abs(p.value.scalars[0] - 0.95) < 1e-6 && abs(p.value.scalars[1] + 2.1) < 1e-6)
        p.grad = FloatTensor(shape: [2], scalars: [0.5, 1])
        sgd.step([p])
        // v = 0.9 v + g = (0.95, 1.9); θ = (0.95 − 0.095, −2.1 − 0.19)
        #expect(abs(p.value.scalars[0] - 0.855) < 1e-6 && abs(p.value.scalars[1] + 2.29) < 1e-6)
    }

    @Test("SGD with weight decay and Nesterov: one hand-computed step")
    func sgdNesterovDecay() {
        let p = Parameter(name: "w", value: FloatTensor(shape: [1], scalars: [2]))
        let sgd = SGD(learningRate: 0.1, momentum: 0.5, nesterov: true, weightDecay: 0.1)
        p.grad = FloatTensor(shape: [1], scalars: [1])
        sgd.step([p])
        // g = 1 + 0.1·2 = 1.2; v = 1.2; step = g + μ v = 1.8; θ = 2 − 0.18
        #expect(abs(p.value.scalars[0] - 1.82) < 1e-6)
    }

    @Test("SGD converges on a least-squares problem with a known answer")
    func converges() {
        // Minimise ½‖θ − t‖²: the gradient is θ − t, the answer t.
        let target: [Float] = [3, -1, 0.5]
        let p = Parameter(name: "w", value: FloatTensor(shape: [3]))
        let sgd = SGD(learningRate: 0.1, momentum: 0.9)
        for _ in 0..<300 {
            p.grad = FloatTensor(shape: [3], scalars: zip(p.value.scalars, target).map { $0 - $1 })
            sgd.step([p])
        }
        for (v, t) in zip(p.value.scalars, target) { #expect(abs(v - t) < 1e-4) }
    }

    /// Two steps from θ = (1, −2) with gradients (0.5, 1) then (−1, 0.25), η = 0.1, β = (0.9, 0.999).
    static func twoSteps(_ optimizer: Optimizer) -> [Float] {
        let p = Parameter(name: "w", value: FloatTensor(shape: [2], scalars: [1, -2]))
        p.grad = FloatTensor(shape: [2], scalars: [0.5, 1])
        optimizer.step([p])
        let first = p.value.scalars
        p.grad = FloatTensor(shape: [2], scalars: [-1, 0.25])
        optimizer.step([p])
        return first + p.value.scalars
    }

    @Test("Adam: two hand-computed steps with bias correction")
    func adam() {
        // Step 1: m = 0.1 g, v = 0.001 g², m̂ = g, v̂ = g²: θ moves by η·sign(g) = 0.1 (ε aside).
        // Step 2, first coordinate: m = 0.045 − 0.1 = −0.055, v = 0.00024975 + 0.001 = 0.00124975,
        // m̂ = −0.055/0.19, v̂ = 0.00124975/0.001999, θ = 0.9 + 0.1·0.2894737/0.7906877 = 0.9366104.
        let got = Self.twoSteps(Adam(learningRate: 0.1))
        let expected: [Float] = [0.9, -2.1, 0.9366104, -2.1830598]   // also what torch.optim.Adam gives
        for (a, b) in zip(got, expected) { #expect(abs(a - b) < 2e-6, "\(got) vs \(expected)") }
    }

    @Test("Adam with L2 weight decay and AdamW with decoupled decay: hand-computed steps")
    func adamWeightDecay() {
        // Adam: g ← g + λθ before the moments; with one step m̂/√v̂ = sign(g) again, so step 1 is
        // unchanged, and step 2 sees g = −1 + 0.1·0.9 = −0.91.
        let l2 = Self.twoSteps(Adam(learningRate: 0.1, weightDecay: 0.1))
        for (a, b) in zip(l2, [0.9, -2.1, 0.9252635, -2.1706400] as [Float]) { #expect(abs(a - b) < 2e-6, "\(l2)") }
        // AdamW: θ ← θ(1 − ηλ) = 0.99 θ first, then the plain Adam step: 1 → 0.99 − 0.1 = 0.89.
        let decoupled = Self.twoSteps(AdamW(learningRate: 0.1, weightDecay: 0.1))
        for (a, b) in zip(decoupled, [0.89, -2.08, 0.9177104, -2.1422598] as [Float]) {
            #expect(abs(a - b) < 2e-6, "\(decoupled)")
        }
    }

    @Test("Adam and AdamW converge on a least-squares problem with a known answer")
    func adamConverges() {
        let target: [Float] = [3, -1, 0.5]
        for optimizer in [Adam(learningRate: 0.05), AdamW(learningRate: 0.05, weightDecay: 0)] as [Optimizer] {
            let p = Parameter(name: "w", value: FloatTensor(shape: [3]))
            for _ in 0..<2000 {
                p.grad = FloatTensor(shape: [3], scalars: zip(p.value.scalars, target).map { $0 - $1 })
                optimizer.step([p])
            }
            for (v, t) in zip(p.value.scalars, target) { #expect(abs(v - t) < 1e-3, "\(type(of: optimizer)): \(v) vs \(t)") }
        }
    }

    @Test("A parameter whose gradient was zeroed and never written steps on a zero gradient")
    func zeroedGradient() {
        let p = Parameter(name: "w", value: FloatTensor(shape: [2], scalars: [1, 2]))
        p.grad = FloatTensor(shape: [2], scalars: [5, 5])
        p.zeroGradient()
        #expect(p.grad.scalars == [0, 0])
        SGD(learningRate: 0.1, momentum: 0.9, weightDecay: 0.5).step([p])
        // Only weight decay acts: θ ← θ − η λ θ.
        #expect(abs(p.value.scalars[0] - 0.95) < 1e-6 && abs(p.value.scalars[1] - 1.9) < 1e-6)
    }
}

@Suite("Learning-rate schedules")
struct ScheduleTests {
    @Test("Constant, step and cosine, with and without warm-up")
    func values() {
        let s = 10  // steps per epoch
        let constant = LearningRateSchedule(baseLearningRate: 0.1, epochs: 4)
        #expect(constant.learningRate(epoch: 3, step: 7, stepsPerEpoch: s) == 0.1)

        let step = LearningRateSchedule(baseLearningRate: 0.1, decay: .step(stepSize: 2, gamma: 0.5), epochs: 6)
        let perEpoch = (1...6).map { step.learningRate(epoch: $0, step: 9, stepsPerEpoch: s) }
        for (a, b) in zip(perEpoch, [0.1, 0.1, 0.05, 0.05, 0.025, 0.025]) { #expect(abs(a - b) < 1e-15) }

        let cosine = LearningRateSchedule(baseLearningRate: 0.2, decay: .cosine, epochs: 4)
        #expect(cosine.learningRate(epoch: 1, step: 0, stepsPerEpoch: s) == 0.2)
        #expect(abs(cosine.learningRate(epoch: 3, step: 0, stepsPerEpoch: s) - 0.1) < 1e-12)   // halfway: t = T/2
        // The last step, t = 39 of T = 40: ½(1 + cos(39π/40)) ≈ 0.00154, on its way to 0.
        #expect(abs(cosine.learningRate(epoch: 4, step: 9, stepsPerEpoch: s) - 0.2 * 0.5 * (1 + cos(Double.pi * 39 / 40))) < 1e-15)
        let rates = (1...4).flatMap { e in (0..<s).map { cosine.learningRate(epoch: e, step: $0, stepsPerEpoch: s) } }
        #expect(zip(rates, rates.dropFirst()).allSatisfy { $0 > $1 })

        let warm = LearningRateSchedule(baseLearningRate: 0.2, decay: .cosine, warmupEpochs: 1, epochs: 4)
        #expect(abs(warm.learningRate(epoch: 1, step: 0, stepsPerEpoch: s) - 0.2 * 0.1 * 1) < 1e-12)      // (t+1)/W = 1/10
        #expect(abs(warm.learningRate(epoch: 1, step: 4, stepsPerEpoch: s) - cosine.learningRate(epoch: 1, step: 4, stepsPerEpoch: s) * 0.5) < 1e-12)
        #expect(warm.learningRate(epoch: 2, step: 3, stepsPerEpoch: s) == cosine.learningRate(epoch: 2, step: 3, stepsPerEpoch: s))
        let warmStep = LearningRateSchedule(baseLearningRate: 0.1, decay: .step(stepSize: 1, gamma: 0.1), warmupEpochs: 2, epochs: 3)
        #expect(abs(warmStep.learningRate(epoch: 2, step: 4, stepsPerEpoch: s) - 0.1 * 0.1 * 15 / 20) < 1e-12)
    }
}
