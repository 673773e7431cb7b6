import Media

/// The 5-frame ring buffer of the method (Δ = 2): frame t is released, with its neighbours
/// t−Δ … t+Δ, as soon as frame t+Δ has arrived. Memory is bounded to 2Δ+1 frames.
public struct LookaheadWindow {
    public let radius: Int
    private var history: [VideoFrame] = []
    /// Index in `history` of the next frame to release.
    private var nextIndex = 0
    /// Receives the arrays of frames no later window needs (see FrameStoragePool).
    public var recycleInto: FrameStoragePool?
    /// Frames that only the last released window still needed: given back at the next release,
    /// when that window has been processed. Given at once, the pool would hand one out while
    /// the window being processed still holds it, and writing it would copy (an allocation).
    private var retired: [VideoFrame] = []

    public init(radius: Int = 2) {
        precondition(radius >= 0, "lookahead radius must be non-negative")
        self.radius = radius
    }

    /// Adds a frame; returns the window of the frame that is now complete, if any.
    public mutating func push(_ frame: VideoFrame) -> FrameWindow? {
        history.append(frame)
        guard history.count - 1 - nextIndex >= radius else { return nil }
        return release()
    }

    /// At the end of the stream: the windows of the frames still waiting for lookahead.
    public mutating func flush() -> [FrameWindow] {
        var out: [FrameWindow] = []
        while nextIndex < history.count { out.append(release()) }
        return out
    }

    /// Frames held, waiting or kept as past context.
    public var count: Int { history.count }

    private mutating func release() -> FrameWindow {
        let t = nextIndex
        var frames: [VideoFrame] = []
        frames.reserveCapacity(2 * radius + 1)
        for offset in -radius...radius {
            let i = min(max(t + offset, 0), history.count - 1)
            frames.append(history[i])
        }
        nextIndex += 1
        // Keep only the past frames a later window can still need.
        let keepFrom = max(0, nextIndex - radius)
        if let pool = recycleInto {
            while let f = retired.popLast() { pool.give(f.pixels) }
        }
        if keepFrom > 0 {
            if recycleInto != nil { retired.append(contentsOf: history[..<keepFrom]) }
            history.removeFirst(keepFrom)
            nextIndex -= keepFrom
        }
        return FrameWindow(frames: frames, centre: radius)
    }
}
