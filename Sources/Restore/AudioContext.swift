import Media

/// The audio features the model sees for one video frame: `size` MFCC frames centred on the
/// video frame's PTS t, at t + (j − size/2)·hop for j = 0 ..< size (t−20, −10, 0, +10, +20 ms
/// for the model's 5 frames).
public struct AudioContext: Sendable, Equatable {
    public let time: MediaTime
    public let size: Int
    public let coefficientCount: Int
    /// size × coefficientCount values, frame-major (row j is the frame for t + (j − size/2)·hop).
    /// Rows without audio are zeros.
    public let features: [Float]
    /// The centre time of the MFCC frame used for each row; nil where it was missing.
    public let frameTimes: [MediaTime?]
    /// Rows with no MFCC frame near their target time (no audio yet, none at all, a gap the
    /// stream did not bridge, or pruned). Callers count a context with any missing row as
    /// "audio missing".
    public let missingFrames: Int

    public var isComplete: Bool { missingFrames == 0 }
    /// No audio at all around t: the model's no-audio path applies.
    public var isAllMissing: Bool { missingFrames == size }
}

/// Recent MFCC frames indexed by PTS, and the context lookup for video frames.
///
/// Lookup is by time, not arrival order: each row takes the frame whose centre is nearest to its
/// target time (ties go to the earlier frame), and counts as missing when that frame is more
/// than half a hop away — outside the audio received so far, before a late audio start, or in a
/// hole. Video at 30 fps falls between MFCC frames (33.3 ms vs a 10 ms grid); nearest is then at
/// most 5 ms off, which is the grid's own resolution.
///
/// Memory is bounded twice: frames older than `horizon` before the latest queried time are
/// dropped (queries go forward with the video), and at most `capacity` frames are kept even if
/// nothing queries (video stalled, audio-only stream).
///
/// A value type, owned by the stream's restoration thread together with its `MFCCStream`.
public struct AudioContextStore: Sendable {
    public let coefficientCount: Int
    public let hop: MediaTime
    public let horizon: MediaTime
    public let capacity: Int

    private var times: [Int64] = []
    private var values: [Float] = []
    /// Index of the first live frame in `times` (older ones await compaction).
    private var head = 0
    private var latestQueried: Int64?

    public init(config: MFCCConfig = .model, horizon: MediaTime = MediaTime(seconds: 2), capacity: Int = 1000) {
        precondition(horizon.nanoseconds > 0 && capacity > 0, "the audio store needs a positive horizon and capacity")
        self.coefficientCount = config.nMFCC
        self.hop = config.hopDuration
        self.horizon = horizon
        self.capacity = capacity
    }

    public var count: Int { times.count - head }
    public var earliestTime: MediaTime? { count > 0 ? MediaTime(nanoseconds: times[head]) : nil }
    public var latestTime: MediaTime? { count > 0 ? MediaTime(nanoseconds: times[times.count - 1]) : nil }

    /// Adds a frame. Frames normally come in time order; one at or before the newest stored
    /// frame means the audio timeline went back (a stream restart), and the stored frames from
    /// its time on are replaced.
    public mutating func insert(_ frame: MFCCFrame) {
        precondition(frame.coefficients.count == coefficientCount, "MFCC frame has the wrong coefficient count")
        let t = frame.time.nanoseconds
        if let last = times.last, t <= last {
            let keep = max(head, lowerBound(t))
            times.removeSubrange(keep...)
            values.removeSubrange((keep * coefficientCount)...)
        }
        times.append(t)
        values.append(contentsOf: frame.coefficients)
        if count > capacity { head = times.count - capacity }
        compactIfWorthIt()
    }

    public mutating func insert<S: Sequence<MFCCFrame>>(contentsOf frames: S) {
        for f in frames { insert(f) }
    }

    /// The `size`-frame context (odd: 3, 5, 7 …) centred on video time `t`.
    public mutating func context(at t: MediaTime, size: Int = 5) -> AudioContext {
        precondition(size > 0 && size % 2 == 1, "the audio context size must be odd and positive, got \(size)")
        let radius = size / 2
        var features = [Float](repeating: 0, count: size * coefficientCount)
        var used: [MediaTime?] = []
        used.reserveCapacity(size)
        var missing = 0
        for j in 0..<size {
            let target = t.nanoseconds + Int64(j - radius) * hop.nanoseconds
            if let i = nearest(to: target) {
                let src = i * coefficientCount
                features.replaceSubrange((j * coefficientCount)..<((j + 1) * coefficientCount),
                                         with: values[src..<(src + coefficientCount)])
                used.append(MediaTime(nanoseconds: times[i]))
            } else {
                used.append(nil)
                missing += 1
            }
        }
        latestQueried = max(latestQueried ?? t.nanoseconds, t.nanoseconds)
        prune()
        return AudioContext(time: t, size: size, coefficientCount: coefficientCount, features: features,
                            frameTimes: used, missingFrames: missing)
    }

    /// Index of the stored frame nearest to `target` if within half a hop.
    private func nearest(to target: Int64) -> Int? {
        guard count > 0 else { return nil }
        let after = lowerBound(target)
        var best: Int?
        var bestDistance = Int64.max
        // The earlier candidate first, so that it wins a tie.
        for i in [after - 1, after] where i >= head && i < times.count {
            let d = abs(times[i] - target)
            if d < bestDistance { best = i; bestDistance = d }
        }
        guard let best, bestDistance * 2 <= hop.nanoseconds else { return nil }
        return best
    }

    /// First index in head..<times.count whose time is ≥ t.
    private func lowerBound(_ t: Int64) -> Int {
        var lo = head, hi = times.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if times[mid] < t { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }

    private mutating func prune() {
        guard let latestQueried else { return }
        head = max(head, lowerBound(latestQueried - horizon.nanoseconds))
        compactIfWorthIt()
    }

    /// Drops dead frames in bulk so that pruning costs O(1) amortised per frame.
    private mutating func compactIfWorthIt() {
        guard head > 256, head * 2 > times.count else { return }
        times.removeFirst(head)
        values.removeFirst(head * coefficientCount)
        head = 0
    }
}
