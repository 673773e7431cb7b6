import Foundation

/// What a producer does when the queue is full.
public enum OverflowPolicy: Sendable {
    /// Wait for room: file sources, where losing nothing matters more than latency.
    case block
    /// Drop the oldest element and count it: live sources, which must never be blocked.
    case dropOldest
}

/// A bounded multi-producer queue that hands values from GStreamer's streaming threads to one
/// consumer (the stream's restoration thread, or an async iterator).
///
/// Written here rather than taken from a package because it must offer both a blocking `pop`
/// for a dedicated OS thread and an `AsyncSequence` face, with an explicit overflow policy.
/// All state is guarded by `condition`, hence `@unchecked Sendable`.
public final class BoundedQueue<Element: Sendable>: @unchecked Sendable {
    public enum PopResult {
        case element(Element)
        case empty
        case finished
    }

    public let capacity: Int
    public let policy: OverflowPolicy
    private let condition = NSCondition()
    private var ring: [Element?]
    private var head = 0
    private var stored = 0
    private var finished = false
    private var dropped = 0
    private var highWater = 0

    public init(capacity: Int, policy: OverflowPolicy) {
        precondition(capacity > 0, "queue capacity must be positive")
        self.capacity = capacity
        self.policy = policy
        self.ring = Array(repeating: nil, count: capacity)
    }

    /// Adds an element. Returns false when the queue was finished (the element is discarded).
    @discardableResult
    public func push(_ element: Element) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        while !finished && stored == capacity && policy == .block {
            condition.wait()
        }
        if finished { return false }
        if stored == capacity {
            ring[head] = nil
            head = (head + 1) % capacity
            stored -= 1
            dropped += 1
        }
        ring[(head + stored) % capacity] = element
        stored += 1
        highWater = Swift.max(highWater, stored)
        condition.broadcast()
        return true
    }

    /// Takes the oldest element, waiting for one; nil once the queue is finished and drained.
    public func pop() -> Element? {
        condition.lock()
        defer { condition.unlock() }
        while stored == 0 && !finished { condition.wait() }
        return takeLocked()
    }

    /// Like `pop`, but gives up after `timeout` seconds (returns `.empty`).
    public func pop(timeout: Double) -> PopResult {
        let deadline = Date(timeIntervalSinceNow: timeout)
        condition.lock()
        defer { condition.unlock() }
        while stored == 0 && !finished {
            if !condition.wait(until: deadline) { break }
        }
        if let e = takeLocked() { return .element(e) }
        return finished ? .finished : .empty
    }

    /// Takes the oldest element without waiting.
    public func tryPop() -> PopResult {
        condition.lock()
        defer { condition.unlock() }
        if let e = takeLocked() { return .element(e) }
        return finished ? .finished : .empty
    }

    private func takeLocked() -> Element? {
        guard stored > 0 else { return nil }
        let e = ring[head]
        ring[head] = nil
        head = (head + 1) % capacity
        stored -= 1
        condition.broadcast()
        return e
    }

    /// No more elements will come; the consumer drains what is left and then sees the end.
    public func finish() {
        condition.lock()
        finished = true
        condition.broadcast()
        condition.unlock()
    }

    public var count: Int { locked { stored } }
    public var droppedCount: Int { locked { dropped } }
    public var highWaterMark: Int { locked { highWater } }
    /// Finished, but elements pushed before `finish()` may still wait to be popped.
    public var isFinished: Bool { locked { finished } }
    /// Finished and empty, read under one lock: checking `isFinished` and `count` one after the
    /// other races with a producer that pushes its last elements and finishes in between.
    public var isDrained: Bool { locked { finished && stored == 0 } }

    private func locked<T>(_ body: () -> T) -> T {
        condition.lock()
        defer { condition.unlock() }
        return body()
    }
}

extension BoundedQueue: AsyncSequence {
    public struct AsyncIterator: AsyncIteratorProtocol {
        let queue: BoundedQueue<Element>
        /// Waits on the queue's condition in short slices so that the cooperative thread pool is
        /// never held for long; a frame period is 33 ms, the slice is 2 ms.
        public mutating func next() async -> Element? {
            while true {
                switch queue.pop(timeout: 0.002) {
                case .element(let e): return e
                case .finished: return nil
                case .empty: await Task.yield()
                }
            }
        }
    }
    public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(queue: self) }
}
