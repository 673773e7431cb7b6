import Logging
import Media

/// The restorer of one stream (DESIGN.md "Restorer"): for every face of the centre frame t, the
/// model's window t−Δ … t+Δ of per-frame features → code logits → flicker control → decoder with
/// the temporal modulation → temporal smoothing → the patch the front end pastes back.
///
/// Runs on the stream's restoration thread only; the model's weights are shared, read-only.
final class ModelRestorer {
    struct Counters: Sendable, Equatable {
        var facesRestored = 0
        var codePositionsCompared = 0
        var codePositionsSwitched = 0
        /// Share of latent positions whose code changed from one frame of a track to the next.
        var codeSwitchRate: Double {
            codePositionsCompared == 0 ? 0 : Double(codePositionsSwitched) / Double(codePositionsCompared)
        }
    }

    /// Nanoseconds spent in the last `restore` call, by stage (for the benchmarks and metrics).
    struct Times: Sendable, Equatable {
        /// Crops, FHOG and audio contexts of new face-frames (the front end's `input`).
        var input: UInt64 = 0
        /// The engine: features, logits, codes, flow input, decoder.
        var model: UInt64 = 0
        /// Temporal smoothing and the float → byte conversion for the paste.
        var smoothing: UInt64 = 0
    }

    let model: RestorationModel
    let settings: RestorationSettings
    private(set) var counters = Counters()
    private(set) var lastTimes = Times()
    /// Where a face-frame's FHOG goes once its features are computed, and its crop once the
    /// frame leaves the cache (the analysis thread's pools, see `FacePreparer`); nil: dropped.
    var recycleFHOG: (([Float]) -> Void)?
    var recycleCrop: (([UInt8]) -> Void)?
    /// Frames of lookahead the restorer needs: the model's Δ, plus one for `paper` smoothing
    /// (frame t is blended with the restored t+1, whose own window reaches t+1+Δ).
    var lookahead: Int { radius + settings.smoothing.latency }

    private let radius: Int
    private let workspace: ModelWorkspace
    private let cache: TrackFrameCache
    private let flow: ModelFlowInput
    private let flowParameters: FarnebackParameters
    private var stabilizers: [Int: CodeStabilizer] = [:]
    private var smoothers: [Int: TemporalSmoother] = [:]
    private var codes: [Int32] = []
    private var quantized: [Float]
    private var flowBuffer: [Float] = []
    private var smoothed: [Float] = []
    private var window: [FrameFeatures] = []

    /// - Throws: `ModelError.badArchitecture` when the model's face size is not the front end's
    ///   crop size, `ModelError.precisionUnavailable` when bfloat16 cannot run on this CPU,
    ///   `FlowError` when its flow metadata is unusable.
    init(model: RestorationModel, settings: RestorationSettings, cropSide: Int = FaceCrop().size) throws {
        let a = model.architecture
        guard a.imageSize == cropSide else {
            throw ModelError.badArchitecture(path: model.metadata["name"] ?? "model",
                                             reason: "it restores \(a.imageSize)² faces but the front end crops \(cropSide)²")
        }
        self.model = model
        self.settings = settings
        self.radius = a.window / 2
        self.workspace = try model.makeWorkspace(precision: settings.precision)
        self.cache = TrackFrameCache(makeFeatures: { model.makeFrameFeatures() })
        self.quantized = [Float](repeating: 0, count: a.codeDim * a.latent * a.latent)
        self.flowParameters = try model.metadata["flow"].map { try FarnebackParameters(modelMetadata: $0) } ?? .model
        // Greys of up to (2Δ+2) frames of `maxFaces` tracks stay cached for reuse across windows.
        self.flow = try ModelFlowInput(parameters: flowParameters, capacity: 4 * (2 * radius + 2))
        self.window.reserveCapacity(a.window)
    }

    /// Patches for the faces of the window's centre frame. `tracks(sequence)` gives the tracks of
    /// any frame still in the window; `input` crops a face and computes its FHOG and audio context.
    func restore(_ window: FrameWindow, tracks: (Int) -> [FaceTrack],
                 input: (VideoFrame, FaceTrack) throws -> FaceInput) throws -> [PastePatch] {
        var frames: [Int: VideoFrame] = [:]
        for f in window.frames where frames[f.sequence] == nil { frames[f.sequence] = f }
        let t = window.centreFrame.sequence
        cache.evict(before: t - radius - 1, recycleCrop: recycleCrop)
        lastTimes = Times()
        let start = MonotonicClock.now()
        var smoothingTime: UInt64 = 0
        defer {
            lastTimes.smoothing = smoothingTime
            lastTimes.model = (MonotonicClock.now() - start) &- lastTimes.input &- smoothingTime
        }
        var patches: [PastePatch] = []
        let centreTracks = tracks(t)
        for track in centreTracks {
            guard let current = try output(track: track.id, at: t, frames: frames, tracks: tracks, input: input) else { continue }
            let smoother = try self.smoother(for: track.id)
            var ready: Int?
            var next: TrackFrameCache.Entry?
            if settings.smoothing == .paper, frames[t + 1] != nil, tracks(t + 1).contains(where: { $0.id == track.id }) {
                next = try output(track: track.id, at: t + 1, frames: frames, tracks: tracks, input: input)
            }
            let s0 = MonotonicClock.now()
            defer { smoothingTime += MonotonicClock.now() - s0 }
            switch settings.smoothing {
            case .off, .causal:
                // push itself starts afresh when t does not follow the last frame pushed.
                ready = try smoother.push(sequence: t, face: current.restored, into: &smoothed)
            case .paper:
                // The smoother holds frame t back until t+1 is pushed; a track that starts here
                // (or reappears after a gap) pushes t first.
                if smoother.lastSequence != t {
                    smoother.reset()
                    _ = try smoother.push(sequence: t, face: current.restored, into: &smoothed)
                }
                if let next {
                    ready = try smoother.push(sequence: t + 1, face: next.restored, into: &smoothed)
                } else {
                    ready = smoother.flush(into: &smoothed)
                }
            }
            guard ready == t else { continue }
            patches.append(PastePatch(region: current.region, original: current.crop, restored: Self.bytes(smoothed)))
            counters.facesRestored += 1
        }
        forgetEndedTracks(alive: Set(centreTracks.map(\.id)))
        return patches
    }

    /// The cache entry of `track` at frame `s` with its restored face, computing what is missing.
    private func output(track: Int, at s: Int, frames: [Int: VideoFrame], tracks: (Int) -> [FaceTrack],
                        input: (VideoFrame, FaceTrack) throws -> FaceInput) throws -> TrackFrameCache.Entry? {
        if let done = cache[track, s], done.hasRestored { return done }
        // The window of frames s−Δ … s+Δ; a frame where the track is absent (it starts or ends
        // inside the window, or the stream does) repeats the nearest frame where it is present,
        // as training's windows and the lookahead window repeat the first and last frames.
        // A past frame that is not cached was passed through unrestored (the live overload
        // policy) and counts as absent: computing it now would make every frame after a
        // fall-back cost up to a whole window, and the stream would never catch up. In a stream
        // that keeps up, past frames were computed as earlier windows' future frames.
        var present: [Int: TrackFrameCache.Entry] = [:]
        for q in (s - radius)...(s + radius) {
            if q < s {
                if let cached = cache[track, q] { present[q] = cached }
                continue
            }
            guard let frame = frames[q], let face = tracks(q).first(where: { $0.id == track }) else { continue }
            present[q] = try features(track: track, frame: frame, face: face, input: input)
        }
        guard let centre = present[s] else { return nil }
        window.removeAll(keepingCapacity: true)
        var neighbours: [(sequence: Int, entry: TrackFrameCache.Entry)] = []
        for q in (s - radius)...(s + radius) {
            let r = nearestPresent(to: q, centre: s, in: present)
            window.append(present[r]!.features)
            if abs(q - s) == 1 { neighbours.append((r, present[r]!)) }
        }
        let a = model.architecture
        let logits = model.predictLogits(window: window, workspace: workspace)
        var stabilizer = stabilizers[track] ?? CodeStabilizer(margin: settings.hysteresis)
        let before = (compared: stabilizer.positionsCompared, switched: stabilizer.positionsSwitched)
        stabilizer.choose(logits: logits, codes: a.codes, into: &codes)
        counters.codePositionsCompared += stabilizer.positionsCompared - before.compared
        counters.codePositionsSwitched += stabilizer.positionsSwitched - before.switched
        stabilizers[track] = stabilizer
        codes.withUnsafeBufferPointer { c in
            quantized.withUnsafeMutableBufferPointer { q in model.lookup(codes: c, into: q) }
        }
        if a.useModulation {
            try flow.compute(previous: (.init(track: track, sequence: neighbours[0].sequence), neighbours[0].entry.crop),
                             centre: (.init(track: track, sequence: s), centre.crop),
                             next: (.init(track: track, sequence: neighbours[1].sequence), neighbours[1].entry.crop),
                             into: &flowBuffer)
        }
        let image = quantized.withUnsafeBufferPointer { q in
            guard a.useModulation else { return model.decode(quantized: q, centre: centre.features, flow: nil, workspace: workspace) }
            return flowBuffer.withUnsafeBufferPointer { f in
                model.decode(quantized: q, centre: centre.features, flow: f, workspace: workspace)
            }
        }
        if centre.restored.count != image.count { centre.restored = [Float](repeating: 0, count: image.count) }
        centre.restored.withUnsafeMutableBufferPointer { r in _ = r.update(fromContentsOf: image) }
        centre.hasRestored = true
        return centre
    }

    private func nearestPresent(to q: Int, centre s: Int, in present: [Int: TrackFrameCache.Entry]) -> Int {
        // Walk towards the centre, which is present.
        var r = q
        while present[r] == nil { r += r < s ? 1 : -1 }
        return r
    }

    private func features(track: Int, frame: VideoFrame, face: FaceTrack,
                          input: (VideoFrame, FaceTrack) throws -> FaceInput) throws -> TrackFrameCache.Entry {
        if let e = cache[track, frame.sequence] { return e }
        let i0 = MonotonicClock.now()
        let face = try input(frame, face)
        lastTimes.input += MonotonicClock.now() - i0
        let e = cache.insert(track: track, sequence: frame.sequence)
        e.region = face.region
        e.crop = face.crop
        let withAudio = model.architecture.useAudio && settings.useAudio
        face.crop.withUnsafeBufferPointer { crop in
            face.fhog.withUnsafeBufferPointer { fhog in
                if withAudio {
                    face.audio.features.withUnsafeBufferPointer { m in
                        model.computeFeatures(crop: crop, fhog: fhog, mfcc: m, into: e.features, workspace: workspace)
                    }
                } else {
                    model.computeFeatures(crop: crop, fhog: fhog, mfcc: nil, into: e.features, workspace: workspace)
                }
            }
        }
        recycleFHOG?(face.fhog)
        return e
    }

    private func smoother(for track: Int) throws -> TemporalSmoother {
        if let s = smoothers[track] { return s }
        let s = try TemporalSmoother(mode: settings.smoothing, gamma: settings.gamma, side: model.architecture.imageSize,
                                     parameters: flowParameters)
        smoothers[track] = s
        return s
    }

    /// Per-track state of tracks that left the picture goes; track ids are never reused.
    private func forgetEndedTracks(alive: Set<Int>) {
        let cached = cache.tracks
        for id in Array(smoothers.keys) where !alive.contains(id) && !cached.contains(id) {
            smoothers[id] = nil
            stabilizers[id] = nil
            flow.forget(track: id)
        }
    }

    /// Planar RGB floats in [0, 1] → interleaved RGB bytes, the crop layout the paste expects.
    private static func bytes(_ planar: [Float]) -> [UInt8] {
        let n = planar.count / 3
        return [UInt8](unsafeUninitializedCapacity: planar.count) { out, written in
            planar.withUnsafeBufferPointer { p in
                for i in 0..<n {
                    for c in 0..<3 {
                        let v = p[c * n + i] * 255 + 0.5
                        out[3 * i + c] = UInt8(min(max(v, 0), 255))
                    }
                }
            }
            written = planar.count
        }
    }
}
