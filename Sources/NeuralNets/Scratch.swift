/// A grow-only, 64-byte-aligned buffer that a layer or model reuses from step to step.
///
/// `reserve(n)` returns storage for at least `n` elements, reallocating only when `n` exceeds every
/// earlier request, so memory is bounded by the largest batch seen and steady-state steps allocate
/// nothing. Contents are not preserved across a reallocation.
final class Scratch<Element> {
    private(set) var pointer: UnsafeMutablePointer<Element>
    private(set) var capacity: Int

    init(capacity: Int = 0) {
        self.capacity = max(capacity, 0)
        pointer = Scratch.allocate(max(capacity, 1))
    }

    deinit { pointer.deallocate() }

    private static func allocate(_ count: Int) -> UnsafeMutablePointer<Element> {
        UnsafeMutableRawPointer.allocate(byteCount: count * MemoryLayout<Element>.stride, alignment: 64)
            .bindMemory(to: Element.self, capacity: count)
    }

    var bytes: Int { capacity * MemoryLayout<Element>.stride }

    /// Storage for `count` elements.
    @inline(__always)
    func reserve(_ count: Int) -> UnsafeMutablePointer<Element> {
        if count > capacity {
            pointer.deallocate()
            pointer = Scratch.allocate(count)
            capacity = count
        }
        return pointer
    }
}

/// Something that keeps ``Scratch`` buffers: reports their total size, so tests can check that
/// training reaches a steady state where nothing more is allocated.
protocol ScratchOwner: AnyObject {
    var reservedBytes: Int { get }
}
