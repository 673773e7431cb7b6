/// How `MFCCStream` applies librosa's `top_db` clip, which it cannot apply exactly.
///
/// librosa clips every log-mel value at (maximum over the *whole input*) − topDb. A live stream
/// has no whole input, and a frame cannot wait for the future, so the streaming form uses a
/// causal reference instead. Consequences, stated precisely:
/// - `.none`: no clip. Frames equal librosa's `power_to_db(…, top_db=None)` pipeline and the
///   batch `MFCC` with `topDb = nil`.
/// - `.runningMax`: the floor is (maximum over every frame emitted so far, this one included)
///   − topDb. The reference only grows, so the floor is never above librosa's for the same
///   audio: a frame can keep quiet mel bands that librosa would have raised, never the reverse.
///   Every frame from the loudest frame of a signal onwards equals librosa's exact call on that
///   signal. For speech the loudest frames come within the first words, so after that the
///   stream matches what the model was trained on (librosa over a clip).
/// - `.trailingMax(frames:)`: like `.runningMax` over the last `frames` frames only, so one
///   loud transient does not set the floor for the rest of a long stream. Memory is bounded by
///   `frames`.
/// The clip never changes a frame whose bands all lie within topDb of the reference, which is
/// the case for voiced speech; it bites on near-silence and on band-limited (lossy) audio.
public enum StreamingClip: Sendable, Equatable {
    case none
    case runningMax
    case trailingMax(frames: Int)
}

/// The causal clip reference of a `StreamingClip`.
struct ClipReference {
    let mode: StreamingClip
    let topDb: Double?
    private var runningMax = -Double.infinity
    /// Monotonic queue of (frame number, frame maximum), maxima decreasing, for `.trailingMax`.
    private var queue: [(frame: Int, value: Double)] = []
    private var queueHead = 0
    private var frameNumber = 0

    init(mode: StreamingClip, topDb: Double?) {
        if case .trailingMax(let n) = mode { precondition(n > 0, "trailingMax needs at least one frame") }
        self.mode = mode
        self.topDb = topDb
    }

    /// Takes the next frame's maximum log-mel value and returns the floor to clip it at.
    mutating func floor(afterFrameMax value: Double) -> Double? {
        defer { frameNumber += 1 }
        guard let topDb else { return nil }
        switch mode {
        case .none:
            return nil
        case .runningMax:
            runningMax = max(runningMax, value)
            return runningMax - topDb
        case .trailingMax(let window):
            while queue.count > queueHead, queue[queue.count - 1].value <= value { queue.removeLast() }
            queue.append((frameNumber, value))
            while queue[queueHead].frame <= frameNumber - window { queueHead += 1 }
            if queueHead > 64 && queueHead * 2 > queue.count {
                queue.removeFirst(queueHead)
                queueHead = 0
            }
            return queue[queueHead].value - topDb
        }
    }
}
