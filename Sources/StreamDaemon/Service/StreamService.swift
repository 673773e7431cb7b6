import Foundation
import GstBridge
import Logging
import Media
import Restore
import ServiceLifecycle

/// One camera's stream as a swift-service-lifecycle `Service`: the restoration loop runs on its
/// own thread (the stream's one restoration thread); graceful shutdown (SIGTERM/SIGINT) stops the
/// source, finalises every output and returns.
final class StreamService: Service, @unchecked Sendable {
    private var config: StreamConfig { configBox.get() }
    private let configBox: LockedValue<StreamConfig>
    /// A config read on SIGHUP, applied when the current session has wound down.
    private let pendingConfig = LockedValue<StreamConfig?>(nil)
    private let logger: Logger
    private let notifier: SystemdNotifier
    private let metrics: StreamMetrics
    private var servers: RTSPServerCache
    private let stop = LockedFlag()
    private let current = SessionBox()
    let streaming = LockedFlagValue()

    init(config: StreamConfig, logger: Logger, notifier: SystemdNotifier, metrics: StreamMetrics) {
        self.configBox = LockedValue(config)
        self.logger = logger
        self.notifier = notifier
        self.metrics = metrics
        // The server outlives sessions, so RTSP clients stay connected across source restarts.
        servers = RTSPServerCache(config: config, logger: logger)
    }

    func run() async throws {
        try await withGracefulShutdownHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, Error>) in
                let thread = Thread { [self] in
                    do {
                        try runLoop()
                        continuation.resume()
                    } catch {
                        continuation.resume(throwing: error)
                    }
                }
                thread.name = "restoration"
                thread.start()
            }
        } onGracefulShutdown: { [self] in
            notifier.stopping()
            requestStop()
        }
    }

    /// Applies a new config: the session restarts with it. The RTSP server (and its clients) is
    /// kept when the RTSP output is unchanged; the last frame is held for them meanwhile.
    func reload(_ new: StreamConfig) {
        pendingConfig.set(new)
        current.session?.requestStop()
    }

    func requestStop() {
        stop.set()
        current.session?.requestStop()
    }

    /// Runs sessions until stopped; a live source that fails is retried with backoff.
    private func runLoop() throws {
        var backoff = Backoff()
        let detector = try ProcessorFactory.detector()
        // Loaded once and shared by every session of this stream; a reload that names other
        // weights loads those (and keeps the old ones if the new file is bad).
        var modelSetting = config.restore.model
        var model = try ModelLocator.load(modelSetting)
        var withoutAudio = ModelLocator.loadWithoutAudio(modelSetting) { [logger] in logger.warning("\($0)") }
        logger.info("\(ProcessorFactory.describe(model, precision: config.restore.precision.resolved))")
        metrics.modelLoaded(model, setting: modelSetting, precision: config.restore.precision.resolved)
        var held: HeldPicture?
        var lastPicture: (frame: VideoFrame, format: VideoFormat, audio: (rate: Int, channels: Int)?)?
        var sessions = 0
        /// Whether the last session ended because the source's streams changed.
        var endedByRestart = false
        while !stop.isSet {
            if sessions > 0 {
                // The previous session and its front end were released at the end of the last turn.
                let released = MallocTuning.releaseFreedMemory()
                logger.debug("returned \(released) kB of freed heap to the system before reconnecting")
            }
            sessions += 1
            var encoder = config.encoder
            encoder.live = config.isLive
            let recording = RecordingPaths.fresh(config.outputs)
            for r in recording.renamed { logger.notice("\(r.from) exists (an earlier session's recording): writing \(r.to)") }
            let options = StreamSession.Options(
                source: config.source, outputs: recording.outputs, encoder: encoder, live: config.isLive,
                policy: config.isLive ? OverloadPolicy(latencyBudgetMs: config.latencyBudgetMs) : .never)
            if config.restore.model != modelSetting {
                do {
                    model = try ModelLocator.load(config.restore.model)
                    withoutAudio = ModelLocator.loadWithoutAudio(config.restore.model) { [logger] in logger.warning("\($0)") }
                    logger.info("reloaded \(ProcessorFactory.describe(model, precision: config.restore.precision.resolved))")
                    metrics.modelLoaded(model, setting: config.restore.model, precision: config.restore.precision.resolved)
                } catch {
                    logger.error("\(error); keeping the weights already loaded")
                }
                modelSetting = config.restore.model
            }
            let frontEnd = try ProcessorFactory.frontEnd(config.restore, model: model, modelWithoutAudio: withoutAudio,
                                                         logger: logger, detector: detector)
            let session = StreamSession(options: options, processor: frontEnd,
                                        rtspServer: servers.server(hasAudio:), logger: logger)
            session.metrics = metrics
            session.onStreaming = { [self] status in
                streaming.value = true
                metrics.streaming.record(1)
                notifier.ready(status: CredentialRedactor.redact(status))
            }
            session.onTick = { [notifier] in notifier.watchdog() }
            session.onSourceFlowing = {
                held?.stop()
                held = nil
            }
            var restoredSoFar = 0
            var audioSoFar = AudioFaults()
            let sessionStart = MonotonicClock.now()
            var trims = HeapTrimSchedule()
            session.onProgress = { [metrics, logger] _, _ in
                // Freed buffers otherwise stay in glibc's arenas; RSS would wander with
                // fragmentation rather than follow what is in use (see MallocTuning).
                let t0 = MonotonicClock.now()
                if trims.isDue(at: Double(t0 - sessionStart) / 1e9) {
                    let released = MallocTuning.releaseFreedMemory()
                    logger.debug("returned \(released) kB of freed heap to the system in \((MonotonicClock.now() - t0) / 1_000_000) ms")
                }
                metrics.faces.record(frontEnd.lastFaceCount)
                let t = frontEnd.lastTimes
                metrics.stageTrack.recordNanoseconds(Int64(t.track))
                metrics.stageCrop.recordNanoseconds(Int64(t.crop))
                metrics.stageFeatures.recordNanoseconds(Int64(t.features))
                metrics.stagePaste.recordNanoseconds(Int64(t.paste))
                if let r = frontEnd.restorationCounters {
                    metrics.stageModel.recordNanoseconds(Int64(t.model))
                    metrics.stageSmoothing.recordNanoseconds(Int64(t.smoothing))
                    if r.facesRestored > restoredSoFar {
                        metrics.facesRestored.increment(by: Int64(r.facesRestored - restoredSoFar))
                        restoredSoFar = r.facesRestored
                        metrics.codeSwitchRate.record(r.codeSwitchRate)
                    }
                }
                if frontEnd.lastFaceCount == 0 { metrics.framesWithoutFace.increment() }
                let audio = AudioFaults(frontEnd)
                if audio != audioSoFar {
                    metrics.audioGaps.increment(by: Int64(audio.gaps - audioSoFar.gaps))
                    metrics.audioOverlaps.increment(by: Int64(audio.overlaps - audioSoFar.overlaps))
                    metrics.audioErrors.increment(by: Int64(audio.errors - audioSoFar.errors))
                    audioSoFar = audio
                }
            }
            current.session = session
            defer { current.session = nil }
            let restartedBefore = endedByRestart
            endedByRestart = false
            do {
                let report = try session.run()
                logger.info("stream ended: \(report.summary); \(ProcessorFactory.summary(frontEnd))")
                if let reason = report.restartReason, !stop.isSet {
                    // Not an outage: the source is there, with another set of streams. A source
                    // that flips its streams over and over gets the reconnect backoff instead.
                    if held == nil, let last = session.lastSent { held = holdPicture(last) }
                    let flapping = restartedBefore && report.wallSeconds < 5
                    endedByRestart = true
                    if !flapping {
                        logger.notice("restarting the session at once: \(reason)")
                    } else {
                        let delay = backoff.next()
                        logger.notice("restarting the session in \(String(format: "%.1f", delay)) s (its streams changed again within 5 s): \(reason)")
                        pause(delay, holding: held)
                    }
                    continue
                }
                if let next = pendingConfig.get() {
                    apply(next)
                    if held == nil, let last = session.lastSent { held = holdPicture(last) }
                    continue
                }
                if !config.isLive || stop.isSet { break }
                // A live source that ends (rtspsrc reports EOS when the camera goes away) is lost.
                logger.error("source lost: the live source ended (end of stream); reconnecting")
            } catch {
                // Whatever failed while stopping failed because of the stop: not an error.
                if stop.isSet { break }
                metrics.sourceErrors.increment()
                if !config.isLive {
                    streaming.value = false
                    throw error
                }
                if case GstError.outputFailed = error {
                    // Not the camera: an output that cannot be set up now (an RTSP port still held
                    // by the previous instance) may be free at the next attempt.
                    logger.error("output unavailable: \(error); retrying")
                } else {
                    logger.error("source lost: \(error); reconnecting; this session's \(ProcessorFactory.summary(frontEnd))")
                }
            }
            streaming.value = false
            metrics.streaming.record(0)
            metrics.reconnects.increment()
            if session.lastSent != nil {
                lastPicture = session.lastSent
                backoff.reset()
            }
            if held == nil, let lastPicture { held = holdPicture(lastPicture) }
            let delay = backoff.next()
            notifier.status("source lost, reconnecting in \(String(format: "%.1f", delay)) s")
            pause(delay, holding: held)
        }
        held?.stop()
        streaming.value = false
        notifier.stopping()
        logger.info("stopped")
    }

    /// Waits between sessions, keeping the watchdog and the held picture going.
    private func pause(_ seconds: Double, holding held: HeldPicture?) {
        let until = Date(timeIntervalSinceNow: seconds)
        while Date() < until && !stop.isSet {
            notifier.watchdog()
            held?.tick()
            Thread.sleep(forTimeInterval: 0.01)
        }
    }

    private func apply(_ next: StreamConfig) {
        pendingConfig.set(nil)
        let old = config
        configBox.set(next)
        let rtsp: (StreamConfig) -> [OutputSpec] = { $0.outputs.filter { if case .rtsp = $0 { return true } else { return false } } }
        if rtsp(old) != rtsp(next) || old.rtspCredentials != next.rtspCredentials || old.encoder.audioCodec != next.encoder.audioCodec {
            servers = RTSPServerCache(config: next, logger: logger)
            logger.info("config reloaded; the RTSP output changed, so RTSP clients reconnect")
        } else {
            logger.info("config reloaded; RTSP clients stay connected")
        }
    }

    /// Keeps RTSP clients fed with the last frame while the source is down (nil without RTSP).
    private func holdPicture(_ last: (frame: VideoFrame, format: VideoFormat, audio: (rate: Int, channels: Int)?)) -> HeldPicture? {
        let rtsp = config.outputs.filter { if case .rtsp = $0 { return true } else { return false } }
        guard !rtsp.isEmpty else { return nil }
        do {
            var encoder = config.encoder
            encoder.live = true
            let server = try servers.server(hasAudio: last.audio != nil)
            return try HeldPicture(frame: last.frame, format: last.format, audio: last.audio, outputs: rtsp,
                                   encoder: encoder, server: server)
        } catch {
            logger.warning("cannot hold the last picture for RTSP clients during the outage: \(error)")
            return nil
        }
    }
}

/// The model audio's fault counts of one session, whose growth goes to /metrics.
private struct AudioFaults: Equatable {
    var gaps = 0, overlaps = 0, errors = 0

    init() {}

    init(_ frontEnd: FaceFrontEnd) {
        let s = frontEnd.audioStatistics
        // A timeline restart is a gap too long to fill with silence.
        gaps = s.gaps + s.restarts
        overlaps = s.overlaps
        errors = frontEnd.counters.audioErrors
    }
}

/// Capped exponential backoff with jitter for reconnecting to a live source.
///
/// The cap is low on purpose: a camera that comes back is picked up within about a second, and a
/// refused connection attempt every second costs nothing.
struct Backoff {
    var initial = 0.1
    var cap = 1.0
    private var attempt = 0
    private var rng = SystemRandomNumberGenerator()

    mutating func next() -> Double {
        let base = min(cap, initial * pow(2, Double(attempt)))
        attempt += 1
        return base * Double.random(in: 0.8...1.2, using: &rng)
    }

    mutating func reset() { attempt = 0 }
}
