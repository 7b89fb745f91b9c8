import Dispatch
import Foundation
import Synchronization

/// How many threads a stage splits its own work across, and the one way it does so.
///
/// A stage given `threads: n` divides its work n ways itself: training splits every batch into
/// contiguous ranges of examples (or channels), estimators split their distance tiles. OpenBLAS
/// then runs single-threaded inside each worker: two callers of a one-thread SGEMM reach about
/// 1.6× one caller on the 2-core machines this runs on, where one caller of a two-thread SGEMM
/// reaches about 1.35× on the batch-sized products of a step, and two callers of a two-thread
/// SGEMM contend (docs/benchmarks.md).
///
/// The count belongs to the thread that runs a stage, for the stage's duration
/// (``withWorkers(_:_:)``: the stage worker binds the stage's threads, the benchmark its own); it
/// is 1 elsewhere, so stages side by side in one process never see each other's count. Layers
/// read it once per call.
public enum Parallelism {
    @TaskLocal private static var scopedWorkers: Int?

    /// The workers the stage running on this thread may use (at least 1).
    public static var workers: Int { scopedWorkers ?? 1 }

    /// Runs `body` with ``workers`` set to `n` on this thread, OpenBLAS single-threaded
    /// (``BLAS/useOneThread()``).
    public static func withWorkers<R>(_ n: Int, _ body: () throws -> R) rethrows -> R {
        BLAS.useOneThread()
        return try $scopedWorkers.withValue(max(1, n), operation: body)
    }

    /// `0..<count` as contiguous ranges in order, one per worker, with at least `minimum` items
    /// in each (so small jobs stay on one thread); boundaries are multiples of `alignment`.
    public static func ranges(_ count: Int, workers: Int, minimum: Int = 1, alignment: Int = 1) -> [Range<Int>] {
        guard count > 0 else { return [0..<0] }
        let parts = max(1, min(workers, count / max(1, minimum)))
        if parts == 1 { return [0..<count] }
        let unit = max(1, alignment)
        let units = (count + unit - 1) / unit
        var bounds = (0...parts).map { min(count, units * $0 / parts * unit) }
        bounds[parts] = count
        return (0..<parts).map { bounds[$0]..<bounds[$0 + 1] }.filter { !$0.isEmpty }
    }

    /// Runs `body(worker, range)` for every range, side by side when there are several, and
    /// returns when all have finished. Workers must write disjoint memory (or their own partial
    /// results, indexed by `worker`, which is the range's index); `body` does not escape the call.
    ///
    /// The ranges go to the caller and the threads of a ``WorkerPool`` (a training step hands out
    /// dozens of jobs of 0.05–2 ms; `DispatchQueue.concurrentPerform` took ~30 µs to wake its second
    /// thread on these machines, longer than many of them). Whichever thread takes a range, it
    /// writes the same memory, so results do not depend on which thread ran what.
    public static func run(_ ranges: [Range<Int>], _ body: (Int, Range<Int>) -> Void) {
        if ranges.count == 1 {
            body(0, ranges[0])
            return
        }
        withoutActuallyEscaping(body) { body in
            let work = UncheckedWork { body($0, ranges[$0]) }
            if !WorkerPool.shared.perform(ranges.count, work) {
                // Another stage holds the pool (several multi-threaded stages side by side).
                DispatchQueue.concurrentPerform(iterations: ranges.count) { work.run($0) }
            }
        }
    }

    /// Splits `0..<count` as ``ranges(_:workers:minimum:alignment:)`` does and runs `body` on each
    /// range, side by side: for work that needs no buffer of its own per worker.
    public static func split(_ count: Int, workers: Int = workers, minimum: Int = 1, alignment: Int = 1,
                             _ body: (Range<Int>) -> Void) {
        run(ranges(count, workers: workers, minimum: minimum, alignment: alignment)) { body($1) }
    }

    /// Splits `0..<count` over ``workers`` for elementwise work (at least 16 Ki items per worker,
    /// range boundaries on 64-item multiples so vector loops see the same lanes).
    public static func elementwise(_ count: Int, _ body: (Range<Int>) -> Void) {
        split(count, minimum: 1 << 14, alignment: 64, body)
    }
}

/// A closure over raw buffers handed to worker threads that touch disjoint parts of them.
struct UncheckedWork: @unchecked Sendable {
    let run: (Int) -> Void
}

/// Persistent threads for ``Parallelism/run(_:_:)``: after a job they spin for a short while
/// before sleeping, so the next job of a training step starts on them at once.
///
/// One job at a time: a caller that finds the pool busy is told so and runs its job another way.
/// Items are claimed from a shared counter by the caller and the threads alike, so a thread that
/// wakes late costs nothing but its share.
final class WorkerPool: @unchecked Sendable {
    static let shared = WorkerPool()

    private let busy = Atomic<Bool>(false)
    /// Bumped once per job; threads spin on it, then sleep on `state`.
    private let generation = Atomic<Int>(0)
    private let nextItem = Atomic<Int>(0)
    private let finishedItems = Atomic<Int>(0)
    /// Threads that took the current job under `state` and have not yet left it.
    private let holders = Atomic<Int>(0)
    /// Guards `job`, `items` and `sleepers`.
    private let state = NSCondition()
    private var job: UncheckedWork?
    private var items = 0
    private var sleepers = 0
    /// Pool threads started so far (only the holder of `busy` starts them).
    private var threads = 0
    /// Checks of `generation` a thread makes before it sleeps (about 0.1–0.3 ms).
    private static let spins = 1 << 17

    /// Runs `work.run(i)` for `i` in `0..<count` on the caller and up to `count − 1` pool threads;
    /// false (nothing run) when another caller holds the pool.
    func perform(_ count: Int, _ work: UncheckedWork) -> Bool {
        guard busy.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged else { return false }
        defer { busy.store(false, ordering: .releasing) }
        while threads < count - 1 {
            threads += 1
            let start = generation.load(ordering: .relaxed)
            Thread.detachNewThread { [self] in loop(seen: start) }
        }
        state.lock()
        job = work
        items = count
        nextItem.store(0, ordering: .relaxed)
        finishedItems.store(0, ordering: .relaxed)
        generation.add(1, ordering: .releasing)
        if sleepers > 0 { state.broadcast() }
        state.unlock()
        drain(work, count)
        // Another thread is finishing its item: spin, yielding the core if that takes long (when
        // more threads than cores are running, the one we wait for may need it).
        var spun = 0
        while finishedItems.load(ordering: .acquiring) < count {
            spun += 1
            if spun > Self.spins { sched_yield() }
        }
        // Retire the job once no thread holds it; a thread that takes the lock later finds none.
        while true {
            state.lock()
            if holders.load(ordering: .acquiring) == 0 {
                job = nil
                state.unlock()
                return true
            }
            state.unlock()
        }
    }

    /// Claims and runs items until none is left.
    private func drain(_ work: UncheckedWork, _ count: Int) {
        while true {
            let i = nextItem.add(1, ordering: .relaxed).oldValue
            guard i < count else { return }
            work.run(i)
            finishedItems.add(1, ordering: .releasing)
        }
    }

    private func loop(seen start: Int) {
        var seen = start
        while true {
            var spun = 0
            while generation.load(ordering: .acquiring) == seen && spun < Self.spins { spun += 1 }
            state.lock()
            while generation.load(ordering: .acquiring) == seen {
                sleepers += 1
                state.wait()
                sleepers -= 1
            }
            state.unlock()
            if take(&seen) { holders.subtract(1, ordering: .releasing) }
        }
    }

    /// Takes the current job, if any, and works on it; true if it took one. Every reference to
    /// the job's closure is gone when this returns (the caller's `withoutActuallyEscaping` checks).
    @inline(never)
    private func take(_ seen: inout Int) -> Bool {
        state.lock()
        seen = generation.load(ordering: .acquiring)
        let work = job, count = items
        if work != nil { holders.add(1, ordering: .relaxed) }
        state.unlock()
        guard let work else { return false }
        drain(work, count)
        return true
    }
}
