import Dispatch
import Synchronization
import Testing
@testable import Tensors

@Suite("Parallelism")
struct ParallelismTests {
    @Test("Ranges cover 0..<count in order, with the minimum size and aligned boundaries")
    func ranges() {
        for count in [0, 1, 2, 7, 63, 64, 65, 1000, 16_385, 100_003] {
            for workers in 1...5 {
                for (minimum, alignment) in [(1, 1), (8, 1), (1, 64), (1 << 14, 64)] {
                    let rs = Parallelism.ranges(count, workers: workers, minimum: minimum, alignment: alignment)
                    let what = "count \(count), workers \(workers), minimum \(minimum), alignment \(alignment): \(rs)"
                    #expect(rs.first?.lowerBound == 0 && rs.last?.upperBound == count, "\(what)")
                    #expect(zip(rs, rs.dropFirst()).allSatisfy { $0.upperBound == $1.lowerBound }, "\(what)")
                    #expect(rs.count <= max(1, workers), "\(what)")
                    if rs.count > 1 {
                        #expect(rs.allSatisfy { $0.count >= minimum / 2 && !$0.isEmpty }, "\(what)")
                        #expect(rs.dropLast().allSatisfy { $0.upperBound % alignment == 0 }, "\(what)")
                    } else {
                        #expect(count == 0 || workers == 1 || count / minimum < 2 || count <= alignment, "\(what)")
                    }
                }
            }
        }
    }

    @Test("Every range runs exactly once per job, also with several callers at once")
    func everyRangeOnce() {
        // Two callers side by side: one holds the pool, the other runs its jobs another way.
        let failures = Mutex(0)
        DispatchQueue.concurrentPerform(iterations: 2) { caller in
            var hits = [Int](repeating: 0, count: 4 * 1024)
            for job in 0..<3_000 {
                let parts = 2 + (job + caller) % 3
                let rs = Parallelism.ranges(hits.count, workers: parts)
                hits.withUnsafeMutableBufferPointer { h in
                    Parallelism.run(rs) { worker, range in
                        for i in range { h[i] += worker + 1 }
                    }
                }
                // Range w adds w + 1 to each of its items, once.
                for (w, r) in rs.enumerated() where r.contains(where: { hits[$0] != w + 1 }) {
                    failures.withLock { $0 += 1 }
                }
                hits = [Int](repeating: 0, count: hits.count)
            }
        }
        #expect(failures.withLock { $0 } == 0)
    }

    @Test("A scoped worker count applies to this thread only, within its scope")
    func scopedWorkers() {
        let outside = Parallelism.workers
        Parallelism.withWorkers(3) {
            #expect(Parallelism.workers == 3)
            Parallelism.withWorkers(0) { #expect(Parallelism.workers == 1) }
        }
        #expect(Parallelism.workers == outside)
    }
}
