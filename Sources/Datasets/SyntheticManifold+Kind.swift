import Foundation
import Tensors

extension SyntheticManifold {
    /// A point set with a known intrinsic dimension, drawn in its own coordinate space `R^k`
    /// before a random isometry places it in the ambient space.
    ///
    /// Uniform measures are meant literally: the torus is sampled uniformly by surface area and
    /// the sphere uniformly on `S^d`. The participation ratio
    /// `PR = (Σλ)² / Σλ²` of the covariance eigenvalues `λ` is given where it is known in
    /// closed form; it is invariant under the isometry and the noise-free limit.
    public enum Kind: Sendable, Hashable, Codable, CustomStringConvertible {
        /// Uniform in the unit cube `[0, 1]^d`. ID = d, k = d; equal variances 1/12, so PR = d.
        case hypercube(dimension: Int)
        /// Uniform on the unit sphere `S^d = {x ∈ R^{d+1} : ‖x‖ = 1}` (normalised Gaussians,
        /// Muller 1959). ID = d, k = d + 1; covariance `I/(d+1)`, so PR = d + 1.
        case hypersphere(dimension: Int)
        /// The Swiss roll of Tenenbaum et al. (Science 2000), in the convention of scikit-learn:
        /// `t = 1.5π(1 + 2u)`, `(t cos t, height·v, t sin t)`, `u, v ~ U[0, 1]`. ID = 2, k = 3.
        case swissRoll(height: Double = 21)
        /// The ring torus in R^3, uniform by area: `((R + r cos θ) cos φ, (R + r cos θ) sin φ, r sin θ)`,
        /// with θ accepted with probability `(R + r cos θ)/(R + r)`. Needs `R > r > 0`. ID = 2, k = 3.
        case torus(majorRadius: Double = 2, minorRadius: Double = 1)
        /// The flat torus `T^d = (S^1)^d ⊂ R^{2d}`: `(cos θ₁, sin θ₁, …, cos θ_d, sin θ_d)`,
        /// `θ_i ~ U[0, 2π)`. ID = d, k = 2d; all variances 1/2, so PR = 2d.
        case flatTorus(dimension: Int = 2)
        /// Isotropic Gaussian `N(0, I_d)`. ID = d, k = d, PR = d.
        case gaussian(dimension: Int)
        /// A linear subspace with a chosen spectrum: `z_i ~ N(0, s_i²)`, `d = scales.count`.
        /// ID = d, k = d, numerical rank d, `PR = (Σ s_i²)² / Σ s_i⁴`.
        case linearSubspace(scales: [Double])
        /// The moment curve `(t, t², …, t^m)`, `t ~ U[0, 1]`: a curve (ID = 1) that bends into
        /// all `k = m` coordinates, so linear methods see up to m dimensions.
        case momentCurve(degree: Int)

        /// The manifold's dimension d.
        public var intrinsicDimension: Int {
            switch self {
            case .hypercube(let d), .hypersphere(let d), .flatTorus(let d), .gaussian(let d): return d
            case .swissRoll, .torus: return 2
            case .linearSubspace(let scales): return scales.count
            case .momentCurve: return 1
            }
        }

        /// The dimension k of the space the points are drawn in, before embedding.
        public var coordinateDimension: Int {
            switch self {
            case .hypercube(let d), .gaussian(let d): return d
            case .hypersphere(let d): return d + 1
            case .swissRoll, .torus: return 3
            case .flatTorus(let d): return 2 * d
            case .linearSubspace(let scales): return scales.count
            case .momentCurve(let m): return m
            }
        }

        /// A canonical name with the parameters, e.g. `hypersphere(d=9)`; enters fingerprints.
        public var description: String {
            switch self {
            case .hypercube(let d): return "hypercube(d=\(d))"
            case .hypersphere(let d): return "hypersphere(d=\(d))"
            case .swissRoll(let h): return "swiss-roll(height=\(h))"
            case .torus(let R, let r): return "torus(R=\(R),r=\(r))"
            case .flatTorus(let d): return "flat-torus(d=\(d))"
            case .gaussian(let d): return "gaussian(d=\(d))"
            case .linearSubspace(let s): return "linear-subspace(scales=\(s.map { "\($0)" }.joined(separator: ",")))"
            case .momentCurve(let m): return "moment-curve(degree=\(m))"
            }
        }

        /// Checks the parameters; the error names the manifold and the bad value.
        public func validate() throws {
            func positive(_ value: Int, _ name: String) throws {
                guard value >= 1 else { throw DatasetError.invalid("\(self): \(name) is \(value); it must be at least 1") }
            }
            switch self {
            case .hypercube(let d), .hypersphere(let d), .flatTorus(let d), .gaussian(let d):
                try positive(d, "dimension")
            case .momentCurve(let m):
                try positive(m, "degree")
            case .swissRoll(let h):
                guard h > 0, h.isFinite else { throw DatasetError.invalid("\(self): height must be positive and finite") }
            case .torus(let R, let r):
                guard r > 0, R > r, R.isFinite else {
                    throw DatasetError.invalid("\(self): a ring torus needs majorRadius > minorRadius > 0")
                }
            case .linearSubspace(let scales):
                guard !scales.isEmpty else { throw DatasetError.invalid("\(self): give at least one scale") }
                guard scales.allSatisfy({ $0 > 0 && $0.isFinite }) else {
                    throw DatasetError.invalid("\(self): every scale must be positive and finite")
                }
            }
        }

        /// `count` points in `R^k`, row-major `[count, k]`, drawn from `rng`.
        func draw(count: Int, rng: inout RandomStream) -> DoubleTensor {
            let k = coordinateDimension
            var x = [Double](repeating: 0, count: count * k)
            for i in 0..<count {
                let row = i * k
                switch self {
                case .hypercube:
                    for a in 0..<k { x[row + a] = rng.uniform() }
                case .hypersphere:
                    var norm = 0.0
                    repeat {
                        norm = 0
                        for a in 0..<k { x[row + a] = rng.normal(); norm += x[row + a] * x[row + a] }
                    } while norm == 0
                    norm = norm.squareRoot()
                    for a in 0..<k { x[row + a] /= norm }
                case .swissRoll(let h):
                    let t = 1.5 * Double.pi * (1 + 2 * rng.uniform())
                    x[row] = t * cos(t)
                    x[row + 1] = h * rng.uniform()
                    x[row + 2] = t * sin(t)
                case .torus(let R, let r):
                    var theta: Double
                    repeat { theta = 2 * Double.pi * rng.uniform() } while rng.uniform() * (R + r) > R + r * cos(theta)
                    let phi = 2 * Double.pi * rng.uniform()
                    x[row] = (R + r * cos(theta)) * cos(phi)
                    x[row + 1] = (R + r * cos(theta)) * sin(phi)
                    x[row + 2] = r * sin(theta)
                case .flatTorus(let d):
                    for a in 0..<d {
                        let theta = 2 * Double.pi * rng.uniform()
                        x[row + 2 * a] = cos(theta)
                        x[row + 2 * a + 1] = sin(theta)
                    }
                case .gaussian:
                    for a in 0..<k { x[row + a] = rng.normal() }
                case .linearSubspace(let scales):
                    for a in 0..<k { x[row + a] = scales[a] * rng.normal() }
                case .momentCurve:
                    let t = rng.uniform()
                    var power = 1.0
                    for a in 0..<k { power *= t; x[row + a] = power }
                }
            }
            return DoubleTensor(shape: [count, k], scalars: x)
        }
    }
}
