import Logging
import Media

/// What the front end computed for one face in one frame: exactly what the model consumes, and
/// what `facerestored features` writes for training.
public struct FaceFeatures: Sendable {
    public let frameSequence: Int
    public let pts: MediaTime
    public let trackID: Int
    /// The detection/track box and the square crop region, in frame pixels.
    public let box: FaceBox
    public let region: FaceBox
    /// 256×256×3 RGB crop.
    public let crop: [UInt8]
    /// FHOG 31×64×64 (see FHOGExtractor for the layout).
    public let fhog: [Float]
    /// The MFCC context (size × 80, frame-major) and how many of its frames had no audio.
    public let audio: AudioContext
}

/// The method's input stage as a FrameProcessor: tracks faces, crops them (non-aligned 256²),
/// computes FHOG and the MFCC context, hands them to the model's restorer and pastes the result
/// back. Without a model the crops go back unchanged, which leaves every frame bit-exact.
public final class FaceFrontEnd: FrameProcessor {
    public struct Counters: Sendable, Equatable {
        public var framesProcessed = 0
        public var facesProcessed = 0
        public var framesWithoutFace = 0
        /// Audio contexts with at least one missing MFCC frame (no track, late start, gaps).
        public var audioContextsIncomplete = 0
        public var audioErrors = 0
        public var featureErrors = 0
    }

    public let lookahead: Int
    public let contextSize: Int
    public private(set) var counters = Counters()
    /// True once the no-audio variant took over (a source without audio).
    public private(set) var restoringWithoutAudio = false
    /// Faces in the frame processed last (for the faces gauge).
    public private(set) var lastFaceCount = 0

    /// Where the time of the last frame went, in nanoseconds (for per-stage metrics).
    /// With a model, `crop` covers crop + FHOG + audio context of the new face-frames and
    /// `features` stays 0 (the model's own features are part of `model`).
    public struct StageTimes: Sendable, Equatable {
        public var track: UInt64 = 0
        public var crop: UInt64 = 0
        public var features: UInt64 = 0
        public var model: UInt64 = 0
        public var smoothing: UInt64 = 0
        public var paste: UInt64 = 0
    }
    /// The last frame's times (track: the last frame that arrived; the rest: the last frame
    /// processed, zeros for a frame without a face).
    public private(set) var lastTimes = StageTimes()
    /// Sums since the start over every frame that arrived / was processed (passthrough frames
    /// add tracking only), for the benchmarks' CPU shares.
    public private(set) var totalTimes = StageTimes()
    /// Called with every face's features (the `features` command, later the model).
    public var featureSink: (([FaceFeatures]) -> Void)?

    private let tracker: FaceTracker
    private let crop: FaceCrop
    private let paste: FeatheredPaste
    private let fhog: FHOGExtractor
    private let mfcc: MFCCStream
    private var audioStore: AudioContextStore
    private var recent: RecentTracks
    private let logger: Logger
    private var restorer: ModelRestorer?
    /// The same weights' `no-audio` variant, for a source without audio (nil: none given).
    private let restorerWithoutAudio: ModelRestorer?
    private var loggedAudioProblem = false
    private var loggedNoAudio = false
    private var framePool: FrameStoragePool?
    private var facesInView = false
    private var lastViewLog: MediaTime?
    /// Set once the tracker is detached: from then on only its stage touches it.
    private var detachedCounters: FaceTracker.Counters?
    /// Crops and FHOG the detached stage made (with a model only).
    private(set) var preparedFaces: PreparedFaceStore?

    /// How the stage's crop and FHOG arrays were recycled (nil: the stage makes none).
    public var preparedArrayCounters: (crops: FrameStoragePool.Counters, fhog: StoragePool<Float>.Counters)? {
        preparedFaces.map { ($0.preparer.crops.counters, $0.preparer.features.counters) }
    }

    /// With a `model`, faces are restored (its window and MFCC context size override `lookahead`
    /// and `contextSize`); without, the crops are pasted back unchanged. `modelWithoutAudio` (the
    /// `no-audio` variant of the same weights) takes over for a source without audio.
    public init(tracker: FaceTracker, crop: FaceCrop = FaceCrop(), paste: FeatheredPaste = FeatheredPaste(),
                lookahead: Int = 2, contextSize: Int = 5, model: RestorationModel? = nil,
                modelWithoutAudio: RestorationModel? = nil,
                restoration: RestorationSettings = RestorationSettings(),
                logger: Logger = Logger(label: "facerestored.faces")) throws {
        self.tracker = tracker
        self.crop = crop
        self.paste = paste
        let restorer = try model.map { try ModelRestorer(model: $0, settings: restoration) }
        self.restorer = restorer
        var withoutAudio = try modelWithoutAudio.map { try ModelRestorer(model: $0, settings: restoration) }
        if let r = withoutAudio, let main = restorer, r.lookahead != main.lookahead || modelWithoutAudio?.architecture.useAudio == true {
            // Its window would not fit the stream's lookahead (or it does use audio): not a fallback.
            logger.warning("the no-audio weights do not match the model (window \(r.lookahead) vs \(main.lookahead) frames, or they use audio); a source without audio gets a silent audio context instead")
            withoutAudio = nil
        }
        self.restorerWithoutAudio = restorer == nil ? nil : withoutAudio
        self.lookahead = restorer?.lookahead ?? lookahead
        self.recent = RecentTracks(lookahead: self.lookahead)
        self.contextSize = model?.architecture.contextSize ?? contextSize
        self.fhog = try FHOGExtractor()
        self.mfcc = try MFCCStream()
        self.audioStore = AudioContextStore()
        self.logger = logger
    }

    /// The tracker's counters (as of the last frame it handed over, once detached).
    /// What the model's audio went through: gaps filled, overlaps trimmed, timeline restarts.
    public var audioStatistics: MFCCStreamStatistics { mfcc.statistics }

    public var trackerCounters: FaceTracker.Counters { detachedCounters ?? tracker.counters }
    /// Faces the model restored, and its code-switch rate (nil without a model).
    public var restorationCounters: (facesRestored: Int, codeSwitchRate: Double)? {
        restorer.map { ($0.counters.facesRestored, $0.counters.codeSwitchRate) }
    }

    public func frameArrived(_ frame: VideoFrame) {
        precondition(detachedCounters == nil, "frameArrived(_:) after the tracker was detached; use frameArrived(analysed:)")
        let t0 = MonotonicClock.now()
        let tracks = tracker.update(frame)
        record(frame, tracks: tracks, nanos: MonotonicClock.now() - t0)
    }

    /// The tracker goes to a stage of its own (see `FaceTrackingStage`); once.
    public func detachAnalysis() -> (any FrameAnalysis)? {
        precondition(detachedCounters == nil, "the tracker was already detached")
        detachedCounters = tracker.counters
        // With a model the stage also makes the crops and FHOG (see FacePreparer). Without one
        // (or if dlib's FHOG cannot be set up twice) they stay here, as before.
        var preparer: FacePreparer?
        if restorer != nil, let p = try? FacePreparer(crop: crop) {
            preparer = p
            preparedFaces = PreparedFaceStore(preparer: p, lookahead: lookahead)
            for r in [restorer, restorerWithoutAudio].compactMap({ $0 }) {
                r.recycleCrop = { p.recycle(crop: $0) }
                r.recycleFHOG = { p.recycle(fhog: $0) }
            }
        }
        return FaceTrackingStage(tracker: tracker, preparer: preparer)
    }

    public func frameArrived(analysed: AnalysedFrame) {
        detachedCounters = analysed.trackerCounters
        preparedFaces?.record(analysed.prepared, sequence: analysed.frame.sequence)
        totalTimes.crop &+= analysed.prepareNanos
        record(analysed.frame, tracks: analysed.tracks, nanos: analysed.nanos)
    }

    private func record(_ frame: VideoFrame, tracks: [FaceTrack], nanos: UInt64) {
        lastTimes.track = nanos
        totalTimes.track &+= nanos
        recent.record(tracks, sequence: frame.sequence)
        logViewChange(faces: tracks.count, at: frame)
    }

    /// One line when faces appear or all disappear, at most every 5 s, so a flickering
    /// detection cannot flood the log.
    private func logViewChange(faces: Int, at frame: VideoFrame) {
        guard (faces > 0) != facesInView else { return }
        facesInView = faces > 0
        if let last = lastViewLog, (frame.pts - last).seconds < 5 { return }
        lastViewLog = frame.pts
        if faces > 0 {
            logger.info("\(faces) face(s) in view from frame \(frame.sequence)")
        } else {
            logger.info("no face in view from frame \(frame.sequence): frames pass unchanged (counted)")
        }
    }

    public func consumeModelAudio(_ chunk: AudioChunk) {
        var chunk = chunk
        if chunk.samples.contains(where: { !$0.isFinite }) {
            // A broken decoder can emit NaN/Inf; one such sample would poison a whole MFCC frame.
            counters.audioErrors += 1
            if !loggedAudioProblem {
                loggedAudioProblem = true
                logger.warning("audio for the model contains NaN/Inf samples; they are replaced by silence (counted)")
            }
            chunk = AudioChunk(sampleRate: chunk.sampleRate, channels: chunk.channels,
                               samples: chunk.samples.map { $0.isFinite ? $0 : 0 }, pts: chunk.pts,
                               discontinuity: chunk.discontinuity)
        }
        do {
            audioStore.insert(contentsOf: try mfcc.append(chunk))
        } catch {
            counters.audioErrors += 1
            if !loggedAudioProblem {
                loggedAudioProblem = true
                logger.warning("audio for the model is unusable (\(error)); using silence where it is missing")
            }
        }
    }

    public func sourceHasNoAudio() {
        guard restorer != nil else { return }
        // Said once here; the per-frame "no audio around frame" notice would only repeat it.
        loggedNoAudio = true
        if let alternative = restorerWithoutAudio {
            restorer = alternative
            restoringWithoutAudio = true
            logger.info("the source has no audio: faces are restored by the model's no-audio variant")
        } else {
            logger.notice("the source has no audio and the model has no no-audio variant next to it: the model gets a silent (zero) audio context")
        }
    }

    public func modelAudioEnded() {
        // librosa pads the end with zeros; the stream does the same once told the audio is over.
        audioStore.insert(contentsOf: mfcc.finish())
    }

    public func process(_ window: FrameWindow) -> VideoFrame {
        var frame = window.centreFrame
        counters.framesProcessed += 1
        (lastTimes.crop, lastTimes.features, lastTimes.model, lastTimes.smoothing, lastTimes.paste) = (0, 0, 0, 0, 0)
        defer {
            totalTimes.crop &+= lastTimes.crop
            totalTimes.features &+= lastTimes.features
            totalTimes.model &+= lastTimes.model
            totalTimes.smoothing &+= lastTimes.smoothing
            totalTimes.paste &+= lastTimes.paste
        }
        let tracks = recent.tracks(for: frame.sequence)
        lastFaceCount = tracks.count
        if tracks.isEmpty {
            counters.framesWithoutFace += 1
            return frame
        }
        if let restorer { return restore(window, with: restorer) }
        var patches: [PastePatch] = []
        var features: [FaceFeatures] = []
        for track in tracks {
            let t0 = MonotonicClock.now()
            let region = crop.region(for: track.box)
            let pixels = crop.sample(frame, region: region)
            counters.facesProcessed += 1
            let t1 = MonotonicClock.now()
            lastTimes.crop += t1 - t0
            defer { lastTimes.features += MonotonicClock.now() - t1 }
            // FHOG and the audio context are computed only for a consumer of them.
            if featureSink != nil {
                do {
                    let context = audioStore.context(at: frame.pts, size: contextSize)
                    if !context.isComplete { counters.audioContextsIncomplete += 1 }
                    features.append(FaceFeatures(frameSequence: frame.sequence, pts: frame.pts, trackID: track.id,
                                                 box: track.box, region: region, crop: pixels,
                                                 fhog: try fhog.extract(crop: pixels), audio: context))
                } catch {
                    counters.featureErrors += 1
                }
            }
            // No restorer yet: the crop goes back as it came.
            patches.append(PastePatch(region: region, original: pixels, restored: pixels))
        }
        featureSink?(features)
        let t2 = MonotonicClock.now()
        makeWritable(&frame)
        paste.paste(patches, into: &frame)
        lastTimes.paste = MonotonicClock.now() - t2
        return frame
    }

    private func restore(_ window: FrameWindow, with restorer: ModelRestorer) -> VideoFrame {
        var frame = window.centreFrame
        let patches: [PastePatch]
        do {
            patches = try restorer.restore(window, tracks: { self.recent.tracks(for: $0) }, input: faceInput)
        } catch {
            // One face's features failed (FHOG on a broken crop): this frame passes unchanged.
            counters.featureErrors += 1
            return frame
        }
        counters.facesProcessed += patches.count
        let t1 = MonotonicClock.now()
        lastTimes.crop = restorer.lastTimes.input
        lastTimes.model = restorer.lastTimes.model
        lastTimes.smoothing = restorer.lastTimes.smoothing
        if !patches.isEmpty { makeWritable(&frame) }
        paste.paste(patches, into: &frame)
        lastTimes.paste = MonotonicClock.now() - t1
        return frame
    }

    public func takeFrameStorage(from pool: FrameStoragePool) { framePool = pool }

    /// The window still holds the centre frame, so pasting into it would copy its array through
    /// the allocator: the copy goes into a recycled array instead.
    private func makeWritable(_ frame: inout VideoFrame) {
        if let framePool { frame.pixels = framePool.copy(of: frame.pixels) }
    }

    /// Crop, FHOG and audio context of one face in one frame, for the model.
    private func faceInput(_ frame: VideoFrame, _ track: FaceTrack) throws -> FaceInput {
        let context = audioContext(frame)
        if let p = preparedFaces?.take(sequence: frame.sequence, track: track) {
            return FaceInput(region: p.region, crop: p.crop, fhog: p.fhog, audio: context)
        }
        let region = crop.region(for: track.box)
        let pixels = crop.sample(frame, region: region)
        return FaceInput(region: region, crop: pixels, fhog: try fhog.extract(crop: pixels), audio: context)
    }

    private func audioContext(_ frame: VideoFrame) -> AudioContext {
        let context = audioStore.context(at: frame.pts, size: contextSize)
        if !context.isComplete { counters.audioContextsIncomplete += 1 }
        if context.isAllMissing && !loggedNoAudio {
            loggedNoAudio = true
            logger.notice("no audio around frame \(frame.sequence): the model gets a silent (zero) audio context there (counted)")
        }
        return context
    }
}
