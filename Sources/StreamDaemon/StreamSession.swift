import Foundation
import GstBridge
import Logging
import Metrics
import Media
import Restore

/// Runs one stream: input pipeline → restoration (on the calling thread, the stream's one
/// restoration thread) → output pipeline. Always finalises the outputs, also after a source
/// error or a stop request, so that nothing already written is lost.
final class StreamSession: @unchecked Sendable {
    struct Options {
        var source: SourceSpec
        var outputs: [OutputSpec]
        var encoder: EncoderSettings
        var live: Bool
        /// Read a file at its own pace, as a camera would deliver it (benchmarks).
        var realtime = false
        var policy: OverloadPolicy
        var sideBySide = false
        var startTimeout: Double = 15
        /// A live source that delivers no frame for this long is treated as lost (reconnect).
        var stallTimeout: Double = 10
    }

    private let options: Options
    private let processor: FrameProcessor
    /// Gives the RTSP server for this stream, created on first use with the audio layout of
    /// the source; the caller keeps it across sessions so clients stay connected.
    private let rtspServer: ((_ hasAudio: Bool) throws -> RTSPServer)?
    private let logger: Logger
    private let stopFlag = LockedValue(false)
    /// Called after each frame leaves: (frames out, expected total or nil).
    var onProgress: ((Int, Int?) -> Void)?
    /// Called once the outputs play, with a one-line description of the stream.
    var onStreaming: ((String) -> Void)?
    /// Called on every turn of the restoration loop (the systemd watchdog's heartbeat).
    var onTick: (() -> Void)?
    /// Live counters for /metrics (no-ops when no metrics backend is bootstrapped).
    var metrics: StreamMetrics?
    /// Called when the source delivered its first frame, before the outputs are built.
    var onSourceFlowing: (() -> Void)?
    /// The last frame sent and the output's formats: what a held picture repeats during an outage.
    private(set) var lastSent: (frame: VideoFrame, format: VideoFormat, audio: (rate: Int, channels: Int)?)?

    init(options: Options, processor: FrameProcessor, rtspServer: ((_ hasAudio: Bool) throws -> RTSPServer)?,
         logger: Logger) {
        self.options = options
        self.processor = processor
        self.rtspServer = rtspServer
        self.logger = logger
    }

    /// Asks the session to end: the source is stopped and the outputs are finalised. Thread-safe.
    func requestStop() { stopFlag.set(true) }

    func run() throws -> SessionReport {
        var report = SessionReport()
        let started = MonotonicClock.now()
        let input = try InputPipeline(source: options.source, options: InputOptions(
            live: options.live, realtime: options.realtime, videoQueueCapacity: options.live ? 8 : 16))
        try input.start(timeout: options.startTimeout)
        defer { input.stop() }
        var startup = StartupTimes(began: started)
        startup.mark("connect")
        let streams = try input.waitForStreams(timeout: options.live ? 5 : 10, onWarning: sourceWarning)
        startup.mark(input.streamsSettled ? "streams" : "streams (not all announced)")
        report.hasAudio = streams.audio
        if !streams.audio {
            logger.warning("the source has no audio track: output has video only")
            processor.sourceHasNoAudio()
        }

        guard var first = try firstFrame(input) else {
            throw GstError.noVideoStream(source: options.source.description)
        }
        startup.mark("first video frame")
        input.lockVideoSize(width: first.width, height: first.height)
        onSourceFlowing?()
        let format = input.videoFormat ?? VideoFormat(width: first.width, height: first.height, frameRate: FrameRate(0, 1))
        var pendingAudio: [AudioChunk] = []
        var audioFormat: (rate: Int, channels: Int)?
        if streams.audio {
            if let chunk = firstAudio(input) {
                pendingAudio.append(chunk)
                audioFormat = (chunk.sampleRate, chunk.channels)
            } else {
                processor.sourceHasNoAudio()
            }
            startup.mark("first audio")
        }
        let outFormat = VideoFormat(width: options.sideBySide ? 2 * format.width : format.width,
                                    height: format.height, frameRate: format.frameRate)
        let wantsRTSP = options.outputs.contains { if case .rtsp = $0 { return true } else { return false } }
        let server = wantsRTSP ? try rtspServer?(audioFormat != nil) : nil
        let output = try OutputPipeline(outputs: options.outputs, video: outFormat, audio: audioFormat,
                                        settings: options.encoder, rtspServer: server)
        try output.start()
        startup.mark("outputs")
        if startup.total > 2 {
            // A slow start is an outage that lasts longer: say which phase took the time.
            logger.notice("the session took \(startup) to start streaming")
        }
        logger.info("streaming", metadata: [
            "source": "\(options.source)", "video": "\(format.width)x\(format.height)@\(format.frameRate)",
            "audio": "\(audioFormat.map { "\($0.rate) Hz × \($0.channels)" } ?? "none")",
            "outputs": "\(options.outputs.map(\.label).joined(separator: ", "))",
        ])
        let expectedFrames = input.duration.flatMap { d in
            format.frameRate.isVariable ? nil : Int((d.seconds * format.frameRate.fps).rounded())
        }
        for chunk in pendingAudio { if output.push(chunk) { report.audioChunksOut += 1 } }
        onStreaming?("streaming \(format.width)x\(format.height)@\(format.frameRate) from \(options.source)")

        var lastSentIsCopy = false
        var window = LookaheadWindow(radius: processor.lookahead)
        window.recycleInto = input.framePool
        processor.takeFrameStorage(from: input.framePool)
        let analysis = processor.detachAnalysis()
        let analyser = analysis.map { AnalysisThread(stage: $0, input: input.video, deferring: options.policy.hasDeadline) }
        func emit(_ w: FrameWindow) {
            let now = MonotonicClock.now()
            let behind = options.policy.shouldPassThrough(frameArrival: w.centreFrame.arrivalNanos, now: now,
                                                          backlog: input.video.count)
            let started = MonotonicClock.now()
            var restored = behind ? processor.passthrough(w) : processor.process(w)
            if behind { report.passthrough += 1; metrics?.passthrough.increment() }
            else { metrics?.restoreTime.recordNanoseconds(Int64(MonotonicClock.now() - started)) }
            if options.sideBySide { restored = SideBySide.compose(input: w.centreFrame, restored: restored) }
            // A frame sent as it came (passed through, or no face in it) shares its array with
            // the window, which gives it back to the pool when it leaves; a restored copy is
            // this function's to give back, once nothing holds it (see FrameStoragePool: an
            // array handed out while still held costs a copy-on-write allocation).
            let isCopy = !restored.sharesPixels(with: w.centreFrame)
            let sent = output.send(restored)
            if case .restamped(let pts, let was) = sent {
                report.restamped += 1
                if report.restamped == 1 {
                    logger.warning("frame \(w.centreFrame.sequence)'s timestamp (\(MediaTime(nanoseconds: was)) in the output) is not after the previous frame's: a damaged source; it and any like it are written just after the last (this one at \(MediaTime(nanoseconds: pts))) and counted")
                }
            }
            if sent.delivered {
                // lastSent holds the newest sent frame (the picture held through an outage);
                // the one it replaces goes back now, not while it is still lastSent.
                let previous = lastSent.map { (frame: $0.frame, isCopy: lastSentIsCopy) }
                lastSent = (restored, outFormat, audioFormat)
                lastSentIsCopy = isCopy
                if let previous, previous.isCopy { input.framePool.give(previous.frame.pixels) }
                report.framesOut += 1
                let added = MonotonicClock.now() - w.centreFrame.arrivalNanos
                report.latency.add(Double(added) / 1e6)
                metrics?.frameSent()
                metrics?.latency.recordNanoseconds(Int64(added))
            } else if sent == .encoderBehind {
                // The live overload policy at the output: counted, logged once per session.
                report.encoderDropped += 1
                metrics?.dropped.increment()
                if report.encoderDropped == 1 {
                    logger.warning("the encoder is behind: frames are dropped at its input (counted in the session summary and in the dropped-frames metric)")
                }
            } else {
                report.unsent += 1
                // The first few, with the reason and the frame's timing, then only the count.
                if report.unsent <= 3 {
                    logger.error("frame \(w.centreFrame.sequence) could not be sent (\(Self.describe(sent)); source PTS \(w.centreFrame.pts), \(behind ? "passed through" : "restored")); such frames are skipped and counted")
                }
            }
            if !sent.delivered && isCopy { input.framePool.give(restored.pixels) }
            onProgress?(report.framesOut, expectedFrames)
        }

        var sourceError: GstError?
        var outputFailed = false
        // With a detachable analysis (face tracking), it runs on its own thread from the second
        // frame on; the first is analysed here, before that thread exists.
        var next: Arrival? = analysis.map { .analysed($0.analyse(first, deferring: false)) } ?? .raw(first)
        // Only its arrival time is needed from here on; holding its pixels for the whole session
        // would make its array, once recycled, be copied on its next write.
        let firstArrival = first.arrivalNanos
        first.pixels = []
        analyser?.start()
        var lastFrameAt = Date()
        var audioInSession = input.audioFlowing
        var faultLog = InputFaultLog(logger: logger, metrics: metrics)
        loop: while true {
            onTick?()
            if let arrival = next {
                lastFrameAt = Date()
                report.framesIn += 1
                metrics?.framesIn.increment()
                processor.consumeModelAudio(contentsOf: input.modelAudio)
                switch arrival {
                case .raw(let frame): processor.frameArrived(frame)
                case .analysed(let analysed): processor.frameArrived(analysed: analysed)
                }
                if let w = window.push(arrival.frame) { emit(w) }
                next = nil
            }
            for chunk in drain(input.audio) { if output.push(chunk) { report.audioChunksOut += 1 } }
            if let (e, fromOutput) = checkBus(input: input, output: output) {
                sourceError = e
                outputFailed = fromOutput
                break loop
            }
            if stopFlag.get() { logger.info("stop requested: finishing the outputs"); break loop }
            faultLog.note(input.faults)
            if input.audioFlowing != audioInSession {
                audioInSession.toggle()
                if audioTrackChanged(present: audioInSession, input: input, output: output, report: &report) { break loop }
            }
            let popped = analyser.map { $0.output.pop(timeout: 0.02).map(Arrival.analysed) }
                ?? input.video.pop(timeout: 0.02).map(Arrival.raw)
            switch popped {
            case .element(let a): next = a
            case .empty:
                if options.live && Date().timeIntervalSince(lastFrameAt) > options.stallTimeout {
                    sourceError = .timedOut(what: "a frame from \(options.source) (the source stalled)", seconds: options.stallTimeout)
                    break loop
                }
            case .finished: break loop
            }
        }
        analyser?.stop()
        // Faults seen after the loop's last look (the end of a file) are counted too.
        faultLog.note(input.faults)
        report.missingFrames = faultLog.seen.missingFrames
        let endOfStream = sourceError == nil && !stopFlag.get() && report.restartReason == nil
        if endOfStream {
            // End of stream: the last frames' audio context reaches 20 ms past them, and the
            // output-audio branch can lag the video's end by a few chunks (draining only what had
            // arrived cut up to ~50 ms off the end of a restored file's audio).
            let deadline = Date(timeIntervalSinceNow: 2)
            while !(input.modelAudio.isFinished && input.audio.isFinished) && Date() < deadline {
                Thread.sleep(forTimeInterval: 0.005)
            }
            processor.consumeModelAudio(contentsOf: input.modelAudio)
            processor.modelAudioEnded()
        }
        for w in window.flush() { emit(w) }
        if endOfStream {
            for chunk in drain(input.audio) { if output.push(chunk) { report.audioChunksOut += 1 } }
        }
        report.dropped = input.framesDropped
        metrics?.dropped.increment(by: Int64(report.dropped))
        report.rejected = input.framesRejected
        report.frameArrays = input.framePool.counters
        report.outputBuffers = output.frameBufferCounts
        input.stop()
        if outputFailed { output.abort() } else { try output.finish() }
        report.firstInNanos = firstArrival
        report.finishedNanos = MonotonicClock.now()
        report.wallSeconds = Double(MonotonicClock.now() - started) / 1e9
        if let sourceError {
            report.sourceError = sourceError.description
            logger.error(outputFailed ? "the output failed" : "the source failed; outputs were finalised", metadata: ["error": "\(sourceError)"])
            throw sourceError
        }
        return report
    }

    /// The source switched to a set of streams with (`present`) or without audio mid-stream.
    /// Live: ends the session (true) so that the next one builds outputs of the new shape.
    /// Files keep their one output: audio that appears is left out, audio that goes away ends
    /// the output's audio track and the model restores without audio from there on.
    private func audioTrackChanged(present: Bool, input: InputPipeline, output: OutputPipeline,
                                   report: inout SessionReport) -> Bool {
        report.audioTrackChanges += 1
        (present ? metrics?.audioTrackAppeared : metrics?.audioTrackLost)?.increment()
        if !present {
            input.finishAudio()
            output.endAudio()
            processor.consumeModelAudio(contentsOf: input.modelAudio)
            processor.modelAudioEnded()
            processor.sourceHasNoAudio()
        }
        if options.live {
            report.restartReason = "the source's audio track \(present ? "appeared" : "went away") mid-stream"
            logger.warning("\(report.restartReason!): restarting the session so that the outputs \(present ? "carry" : "leave out") audio")
            return true
        }
        if present {
            logger.warning("an audio track appeared mid-stream; this output was started without audio and stays video-only (restore again from a point with audio to keep it)")
        } else {
            logger.warning("the audio track went away mid-stream: the output's audio ends here and faces are restored without audio from now on")
        }
        return false
    }

    private static func describe(_ result: OutputPipeline.FrameSendResult) -> String {
        switch result {
        case .sent, .restamped: return "sent"
        case .notNewer(let pts, let last): return "output PTS \(pts) ns not after the last sent, \(last) ns"
        case .wrongSize(let w, let h): return "\(w)x\(h) is not the output's size"
        case .encoderBehind: return "the encoder is behind and its input queue is full: dropped"
        case .refused: return "the output refused it: flushing, stopped or failed"
        }
    }

    private func firstFrame(_ input: InputPipeline) throws -> VideoFrame? {
        let deadline = Date(timeIntervalSinceNow: options.startTimeout)
        // Frames the gate dropped as too large never arrive: say why rather than time out.
        func tooLarge() -> GstError? {
            input.faults.oversized.map {
                .frameTooLarge(source: options.source.description, width: $0.width, height: $0.height,
                               limit: FrameSizeLimit.standard.description)
            }
        }
        while Date() < deadline && !stopFlag.get() {
            switch input.video.pop(timeout: 0.05) {
            case .element(let f): return f
            case .finished:
                if let e = tooLarge() { throw e }
                return nil
            case .empty:
                switch input.nextEvent(timeout: 0) {
                case .error(let e): throw e
                case .warning(let w): sourceWarning(w)
                case .endOfStream, nil: break
                }
                if let e = tooLarge() { throw e }
            }
        }
        if stopFlag.get() { return nil }
        throw GstError.timedOut(what: "the first video frame from \(options.source)", seconds: options.startTimeout)
    }

    private func firstAudio(_ input: InputPipeline) -> AudioChunk? {
        if case .element(let c) = input.audio.pop(timeout: 3) { return c }
        logger.warning("the source announced audio but none arrived in 3 s: output has video only")
        return nil
    }

    private func drain(_ queue: BoundedQueue<AudioChunk>) -> [AudioChunk] {
        var out: [AudioChunk] = []
        while case .element(let c) = queue.tryPop() { out.append(c) }
        return out
    }

    private func sourceWarning(_ text: String) {
        metrics?.sourceWarnings.increment()
        logger.warning("source: \(CredentialRedactor.redact(text))")
    }

    /// The first error on either bus, and whether it came from the output.
    private func checkBus(input: InputPipeline, output: OutputPipeline) -> (GstError, Bool)? {
        while let event = input.nextEvent(timeout: 0) {
            switch event {
            case .error(let e): return (e, false)
            case .warning(let w): sourceWarning(w)
            case .endOfStream: break
            }
        }
        while let event = output.nextEvent(timeout: 0) {
            switch event {
            case .error(let e): return (e, true)
            case .warning(let w): logger.warning("output: \(w)")
            case .endOfStream: break
            }
        }
        return nil
    }
}

extension FrameProcessor {
    /// Feeds every queued model-audio chunk to the processor.
    func consumeModelAudio(contentsOf queue: BoundedQueue<AudioChunk>) {
        while case .element(let chunk) = queue.tryPop() { consumeModelAudio(chunk) }
    }
}

/// A frame as the restoration loop receives it: straight from the input, or analysed (tracked)
/// by the session's analysis thread.
private enum Arrival: Sendable {
    case raw(VideoFrame)
    case analysed(AnalysedFrame)

    var frame: VideoFrame {
        switch self {
        case .raw(let f): return f
        case .analysed(let a): return a.frame
        }
    }
}

extension BoundedQueue.PopResult {
    /// The same result with its element transformed.
    func map<T>(_ transform: (Element) -> T) -> BoundedQueue<T>.PopResult {
        switch self {
        case .element(let e): return .element(transform(e))
        case .empty: return .empty
        case .finished: return .finished
        }
    }
}
