import Foundation

/// Recycles the byte arrays of a stream's video frames.
///
/// Why: without it a 720p stream mallocs and frees three frame-sized (2.8 MB) arrays per frame
/// (the decoded copy, the copy the paste writes into, the encoder's buffer). glibc serves those
/// from its heap once its mmap threshold has adapted, and after a reconnect the session's
/// long-lived allocations land between them: the heap keeps tens of MB of frame-sized holes
/// resident (measured with `malloc_info`: 35 MB free in the main arena after a reconnect,
/// 6.5 MB before). Reusing a few arrays keeps the layout of the first session for the life of
/// the process, and spares the allocator and the page faults in steady state.
///
/// Safe by value semantics: an array handed back while someone else still holds it (the last
/// frame kept for an outage, a frame passed through untouched) is shared, so the next writer's
/// mutation copies it instead of changing what the other holder sees. It costs an allocation,
/// never correctness. Arrays are handed out oldest first so that such a holder has usually let
/// go by the time its array comes round again.
public final class FrameStoragePool: @unchecked Sendable {
    public struct Counters: Sendable, Equatable {
        public var reused = 0
        public var allocated = 0
        /// Given back while the pool was full, or of a size nobody asks for any more.
        public var released = 0
    }

    /// Arrays kept at most: the frames in flight in one session (queues of 2–8, a 5-frame window,
    /// the output's frame) are recycled, and a burst beyond that goes back to the allocator.
    public let limit: Int
    private let lock = NSLock()
    private var spare: [[UInt8]] = []
    private var counts = Counters()

    public init(limit: Int = 12) {
        precondition(limit > 0, "a frame pool needs room for at least one array")
        self.limit = limit
    }

    /// An array of `count` bytes whose contents are unspecified (a recycled frame's): the caller
    /// overwrites all of it.
    public func take(count: Int) -> [UInt8] {
        let recycled: [UInt8]? = lock.withLock {
            guard let i = spare.firstIndex(where: { $0.count == count }) else { return nil }
            counts.reused += 1
            return spare.remove(at: i)
        }
        if let recycled { return recycled }
        lock.withLock { counts.allocated += 1 }
        return [UInt8](repeating: 0, count: count)
    }

    /// A recycled array holding a copy of `source`.
    public func copy(of source: [UInt8]) -> [UInt8] {
        var out = take(count: source.count)
        out.withUnsafeMutableBufferPointer { dst in
            source.withUnsafeBufferPointer { src in
                guard let s = src.baseAddress, let d = dst.baseAddress else { return }
                d.update(from: s, count: src.count)
            }
        }
        return out
    }

    /// Hands an array back. The same storage given twice (a frame passed through is both sent
    /// and later dropped from the window) is kept once.
    public func give(_ storage: [UInt8]) {
        guard !storage.isEmpty else { return }
        let address = storage.withUnsafeBufferPointer { UInt(bitPattern: $0.baseAddress) }
        lock.withLock {
            if spare.contains(where: { a in a.withUnsafeBufferPointer { UInt(bitPattern: $0.baseAddress) } == address }) {
                return
            }
            if spare.count == limit {
                spare.removeFirst()
                counts.released += 1
            }
            spare.append(storage)
        }
    }

    public var counters: Counters { lock.withLock { counts } }
    public var spareCount: Int { lock.withLock { spare.count } }
}
