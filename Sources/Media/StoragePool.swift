import Foundation

/// A stream's video frames are recycled through a pool of byte arrays.
public typealias FrameStoragePool = StoragePool<UInt8>

/// Recycles the arrays of a stream's per-frame data: video frames (`FrameStoragePool`), and the
/// face crops and FHOG features the analysis thread makes for the restoration thread.
///
/// Why: without it a 720p stream mallocs and frees three frame-sized (2.8 MB) arrays per frame
/// (the decoded copy, the copy the paste writes into, the encoder's buffer), ~250 MB/s through
/// the allocator, whose free lists then hold frame-sized holes between longer-lived blocks
/// (`malloc_info` during a soak: 35 MB free in the main arena after a reconnect). Reusing a few
/// arrays takes the frames out of the allocator in steady state. It did not remove the one-time
/// RSS step at a live source's first reconnect (README, "Reliability"): that has another cause.
///
/// Safe by value semantics: an array handed back while someone else still holds it (the last
/// frame kept for an outage, a frame passed through untouched) is shared, so the next writer's
/// mutation copies it instead of changing what the other holder sees. It costs an allocation,
/// never correctness. Arrays are handed out oldest first so that such a holder has usually let
/// go by the time its array comes round again.
public final class StoragePool<Element: Numeric & Sendable>: @unchecked Sendable {
    public struct Counters: Sendable, Equatable {
        public var reused = 0
        public var allocated = 0
        /// Given back while the pool was full, or of a size nobody asks for any more.
        public var released = 0
        /// Handed out while someone else still held them, so `fill` wrote into a copy: an
        /// allocation the pool was meant to save (see `give`'s callers).
        public var copiedOnWrite = 0

        public init() {}
    }

    /// Spare arrays kept at most. Steady state takes and gives two per frame, so a few spares
    /// suffice; a burst (a live queue filling up) goes back to the allocator instead of staying
    /// resident as idle frames (12 spares measured +30 MB of RSS at 720p).
    public let limit: Int
    private let lock = NSLock()
    private var spare: [[Element]] = []
    private var counts = Counters()

    public init(limit: Int = 4) {
        precondition(limit > 0, "a frame pool needs room for at least one array")
        self.limit = limit
    }

    /// An array of `count` elements whose contents are unspecified (a recycled one's): the
    /// caller overwrites all of it.
    public func take(count: Int) -> [Element] {
        let recycled: [Element]? = lock.withLock {
            guard let i = spare.firstIndex(where: { $0.count == count }) else { return nil }
            counts.reused += 1
            return spare.remove(at: i)
        }
        if let recycled { return recycled }
        lock.withLock { counts.allocated += 1 }
        return [Element](repeating: .zero, count: count)
    }

    /// An array of `count` elements, recycled where possible, that `write` fills completely.
    public func fill(count: Int, _ write: (UnsafeMutableBufferPointer<Element>) -> Void) -> [Element] {
        var out = take(count: count)
        let before = out.withUnsafeBufferPointer { UInt(bitPattern: $0.baseAddress) }
        let after = out.withUnsafeMutableBufferPointer { buffer in
            write(buffer)
            return UInt(bitPattern: buffer.baseAddress)
        }
        if after != before { lock.withLock { counts.copiedOnWrite += 1 } }
        return out
    }

    /// A recycled array holding a copy of `source`.
    public func copy(of source: [Element]) -> [Element] {
        fill(count: source.count) { dst in
            source.withUnsafeBufferPointer { src in
                guard let s = src.baseAddress, let d = dst.baseAddress else { return }
                d.update(from: s, count: src.count)
            }
        }
    }

    /// Hands an array back. The same storage given twice (a frame passed through is both sent
    /// and later dropped from the window) is kept once.
    public func give(_ storage: [Element]) {
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
