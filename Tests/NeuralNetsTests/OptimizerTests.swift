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
}
