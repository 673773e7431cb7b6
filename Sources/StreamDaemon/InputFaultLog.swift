import GstBridge
import Logging
import Metrics

/// What the input's video gate dropped, saw change or found missing, turned into counters and
/// one warning per kind and session: a damaged stream repeats its faults every frame, and a log
/// line each time would drown the rest.
struct InputFaultLog {
    private let logger: Logger
    private let metrics: StreamMetrics?
    /// The counts already reported.
    private(set) var seen = InputFaults()

    init(logger: Logger, metrics: StreamMetrics?) {
        self.logger = logger
        self.metrics = metrics
    }

    mutating func note(_ now: InputFaults) {
        guard now != seen else { return }
        let old = seen
        let kinds: [(Int, Int, KeyPath<StreamMetrics, Counter>, String)] = [
            (now.emptyFrames, old.emptyFrames, \.rejectedEmpty, "zero-length video frames from the source are dropped"),
            (now.malformedFrames, old.malformedFrames, \.rejectedMalformed,
             "video frames shorter than their format says are dropped"),
            (now.oversizedFrames, old.oversizedFrames, \.rejectedTooLarge,
             "video frames of \(now.oversized.map { "\($0.width)x\($0.height)" } ?? "?") are dropped: larger than \(FrameSizeLimit.standard.description)"),
            (now.resolutionChanges, old.resolutionChanges, \.resolutionChanges,
             "the source changed resolution: frames are scaled to the session's first size (letterboxed)"),
            (now.frameRateChanges, old.frameRateChanges, \.frameRateChanges,
             "the source changed frame rate: frames keep their own timestamps"),
            (now.missingFrames, old.missingFrames, \.missingFrames,
             "the source skipped frames (gaps in its timestamps: a damaged file or packets lost on the way); the output keeps the gaps"),
        ]
        for (count, before, key, message) in kinds where count > before {
            metrics?[keyPath: key].increment(by: Int64(count - before))
            if before == 0 { logger.warning("\(message) (counted in /metrics)") }
        }
        seen = now
    }
}
