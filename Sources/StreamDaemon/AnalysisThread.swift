import Foundation
import Media
import Restore

/// Runs a stream's detached frame analysis (face tracking) on its own thread: frames from the
/// input queue → analysis → a short queue the restoration thread reads. Tracking then overlaps
/// with restoring the frames before, on the other core.
final class AnalysisThread: @unchecked Sendable {
    /// Analysed frames, in order. Short and blocking: when restoration falls behind, the
    /// analysis waits and the input queue (which drops the oldest frame when live) absorbs it.
    let output = BoundedQueue<AnalysedFrame>(capacity: 2, policy: .block)
    private let stage: any FrameAnalysis
    private let input: BoundedQueue<VideoFrame>
    /// Hand each frame over before the work it need not wait for (see `FrameAnalysis`): for
    /// sessions with a latency budget, where a detection round on the critical path is a spike.
    private let deferring: Bool
    private let stopped = LockedValue(false)
    private let done = DispatchSemaphore(value: 0)

    init(stage: any FrameAnalysis, input: BoundedQueue<VideoFrame>, deferring: Bool = false) {
        self.stage = stage
        self.input = input
        self.deferring = deferring
    }

    func start() {
        let thread = Thread { [self] in
            defer { output.finish(); done.signal() }
            while !stopped.get() {
                switch input.pop(timeout: 0.05) {
                case .element(let frame):
                    // false: the queue was finished by `stop`.
                    if !output.push(stage.analyse(frame, deferring: deferring)) { return }
                    if deferring { stage.finishDeferred() }
                case .empty: continue
                case .finished: return
                }
            }
        }
        thread.name = "analysis"
        thread.start()
    }

    /// Ends the thread (unblocking it if it waits for room) and waits for it.
    func stop() {
        stopped.set(true)
        output.finish()
        done.wait()
    }
}
