import Media

/// A face followed across frames.
public struct FaceTrack: Sendable, Equatable {
    /// Stable for the life of the track; never reused within a stream.
    public let id: Int
    /// The smoothed box used for cropping.
    public var box: FaceBox
    /// dlib's score at the last detection.
    public var score: Double
    /// True when the detector saw the face in this very frame.
    public var detectedNow: Bool
}

/// Finds faces with a detector every `detectEvery` frames (on a downscaled copy) and follows
/// them in between, with stable ids and One-Euro smoothed boxes.
///
/// Between detections (and when the detector misses a known face) each track's `TrackFollower`,
/// if the tracker has one, looks for the face on the same downscaled copy; its box is the
/// observation fed to the smoothing. Without a follower, or when the follower is not confident,
/// the box moves by a constant-velocity prediction from the smoothed motion.
public final class FaceTracker {
    public struct Settings: Sendable {
        public var detectEvery = 5
        public var maxFaces = 4
        /// Detection runs on a copy at most this wide (dlib's HOG window is 80×80 px: faces
        /// smaller than 80 px at that scale need `upsample`).
        public var detectionWidth = 640
        public var upsample = 0
        /// Detection rounds a track may miss before it ends.
        public var maxMissedDetections = 2
        /// Minimum IoU between a track's predicted box and a detection to be the same face.
        public var matchIoU = 0.3
        /// While faces are tracked, a detection round scans the whole frame only when this many
        /// frames have passed since the last whole-frame scan; in between it scans a window twice
        /// each face's side (`LocalDetection`), so a face entering the picture is found within
        /// this many frames. 1 (the default) scans the whole frame every round. Why not more by
        /// default: a window samples dlib's image pyramid differently, and on the shipped clip
        /// its boxes differed from whole-frame ones by up to 20 px for a 100-px face (one pyramid
        /// level is 5/6 in size), jitter that reaches the crop; 30 saves ~3 ms of CPU per 720p
        /// frame (a window costs about half a whole-frame scan).
        public var fullScanEvery = 1
        public init() {}
    }

    /// What the tracker did, for logs and metrics.
    public struct Counters: Sendable, Equatable {
        public var frames = 0
        public var detectionsRun = 0
        /// Detection rounds that scanned the whole frame (the others scanned around the tracks).
        public var fullScans = 0
        public var framesWithoutFace = 0
        public var tracksStarted = 0
        public var tracksEnded = 0
        public var detectorErrors = 0
        /// Frames × tracks where a follower gave the box, was not confident (the box was
        /// predicted instead), or failed (the track is predicted until its next detection).
        public var followed = 0
        public var followerUnsure = 0
        public var followerErrors = 0
        public init() {}
    }

    private struct State {
        var track: FaceTrack
        var raw: FaceBox
        var cx = OneEuroFilter(), cy = OneEuroFilter(), side = OneEuroFilter()
        var missed = 0
        var lastTime: MediaTime
        var follower: (any TrackFollower)?
    }

    /// The detector's input: the frame scaled by `factor` (≤ 1).
    private typealias Image = (pixels: [UInt8], width: Int, height: Int)

    public let settings: Settings
    public private(set) var counters = Counters()
    private let detect: (_ rgb: [UInt8], _ width: Int, _ height: Int, _ upsample: Int) throws -> [FaceDetection]
    private let makeFollower: (() throws -> any TrackFollower)?
    private var states: [State] = []
    private var nextID = 1
    private var frameIndex = 0
    private var lastFullScan: Int?
    private var deferred: DeferredDetection?

    /// A detection round put off until the frame's tracks were handed over: the image it scans,
    /// and the tracks as they were before their followers moved them to that frame.
    private struct DeferredDetection {
        let image: Image
        let factor: Double
        let time: MediaTime
        let index: Int
        let statesBefore: [State]
    }

    /// `detect` is called with a (downscaled) RGB image; boxes are in that image's pixels. Tracks
    /// move by prediction between detections (no image-based follower).
    public convenience init(settings: Settings = Settings(),
                            detect: @escaping (_ rgb: [UInt8], _ width: Int, _ height: Int, _ upsample: Int) throws -> [FaceDetection]) {
        self.init(settings: settings, makeFollower: nil, detect: detect)
    }

    /// `makeFollower` makes each new track's follower (nil: none); `detect` as above.
    public init(settings: Settings = Settings(), makeFollower: (() throws -> any TrackFollower)?,
                detect: @escaping (_ rgb: [UInt8], _ width: Int, _ height: Int, _ upsample: Int) throws -> [FaceDetection]) {
        precondition(settings.detectEvery >= 1 && settings.maxFaces >= 1 && settings.fullScanEvery >= 1, "invalid tracker settings")
        self.settings = settings
        self.makeFollower = makeFollower
        self.detect = detect
    }

    /// A tracker on dlib's HOG detector; between detections each track follows its face with
    /// dlib's correlation tracker (`CorrelationFollower`) unless `makeFollower` says otherwise.
    public convenience init(settings: Settings = Settings(), detector: FaceDetector,
                            makeFollower: (() throws -> any TrackFollower)? = { try CorrelationFollower() }) {
        self.init(settings: settings, makeFollower: makeFollower) { rgb, w, h, up in
            try detector.detect(rgb: rgb, width: w, height: h, upsample: up)
        }
    }

    /// Updates the tracks with a new frame and returns them (at most `maxFaces`).
    ///
    /// With `deferringDetection`, a detection round due on this frame while faces are tracked is
    /// put off: the followers give this frame's boxes, and `runDeferredDetection()` (or the next
    /// update) runs the round afterwards. Why: a whole-frame detection costs 20–40 ms on 2 cores,
    /// more than a 30 fps frame period, and restoration cannot start on the frames that need this
    /// one's tracks until they are out; a live stream's latency budget feels every such spike.
    public func update(_ frame: VideoFrame, deferringDetection: Bool = false) -> [FaceTrack] {
        runDeferredDetection()
        defer { frameIndex += 1 }
        counters.frames += 1
        let runDetection = frameIndex % settings.detectEvery == 0 || states.isEmpty && frameIndex % max(1, settings.detectEvery / 2) == 0
        let factor = FrameDownscaler.factor(width: frame.width, targetWidth: settings.detectionWidth)
        // The downscaled copy is made only for someone who looks at it.
        let small: Image? = runDetection || states.contains { $0.follower != nil }
            ? FrameDownscaler.downscale(frame, factor: factor) : nil
        if runDetection, let small, deferringDetection, !states.isEmpty {
            let before = states
            follow(small, factor: factor, at: frame.pts)
            deferred = DeferredDetection(image: small, factor: factor, time: frame.pts, index: frameIndex, statesBefore: before)
        } else if runDetection, let small {
            counters.detectionsRun += 1
            do {
                let found = try detectFaces(in: small, factor: factor, at: frame.pts, index: frameIndex, tracked: states)
                associate(found, in: small, factor: factor, at: frame.pts, statesBefore: nil)
            } catch {
                counters.detectorErrors += 1
                follow(small, factor: factor, at: frame.pts)
            }
        } else {
            follow(small, factor: factor, at: frame.pts)
        }
        if states.isEmpty { counters.framesWithoutFace += 1 }
        return states.map(\.track)
    }

    /// Runs the detection round that `update(_:deferringDetection: true)` put off, if any. A
    /// matched detection replaces its follower's box in the track's smoothing, so from the next
    /// frame on the tracks are what an on-time round would have made; only the deferred frame's
    /// boxes (the followers') differ, and new faces appear, or lost ones end, a frame later.
    public func runDeferredDetection() {
        guard let d = deferred else { return }
        deferred = nil
        counters.detectionsRun += 1
        do {
            let found = try detectFaces(in: d.image, factor: d.factor, at: d.time, index: d.index, tracked: d.statesBefore)
            associate(found, in: d.image, factor: d.factor, at: d.time, statesBefore: d.statesBefore)
        } catch {
            // The followers' boxes for that frame stand, as after a failed on-time round.
            counters.detectorErrors += 1
        }
    }

    /// Detections in `image` (frame `index` scaled by `factor`), in its pixels: of the whole
    /// image on a full-scan round or when nothing is tracked, else of a window around each of
    /// `tracked` (the tracks as of the frame before).
    private func detectFaces(in image: Image, factor: Double, at time: MediaTime, index: Int, tracked: [State]) throws -> [FaceDetection] {
        if tracked.isEmpty || lastFullScan.map({ index - $0 >= settings.fullScanEvery }) ?? true {
            lastFullScan = index
            counters.fullScans += 1
            return try detect(image.pixels, image.width, image.height, settings.upsample)
        }
        var found: [FaceDetection] = []
        for s in tracked {
            let box = predict(s, at: time).scaled(by: factor)
            guard let w = LocalDetection.window(around: box, imageWidth: image.width, imageHeight: image.height) else { continue }
            let pixels = LocalDetection.crop(image.pixels, width: image.width, w)
            for d in try detect(pixels, w.width, w.height, settings.upsample) {
                var b = d.box
                b.x += Double(w.x)
                b.y += Double(w.y)
                found.append(FaceDetection(box: b, score: d.score))
            }
        }
        return LocalDetection.merge(found)
    }

    /// The current tracks without advancing.
    public var tracks: [FaceTrack] { states.map(\.track) }

    /// `found` is in the pixels of `image`, the frame scaled by `factor`. `statesBefore`: the
    /// tracks before their followers moved them to this frame, for a deferred round (matching
    /// and smoothing start from them, as on time); nil when they have not moved yet.
    private func associate(_ found: [FaceDetection], in image: Image, factor: Double, at time: MediaTime, statesBefore: [State]?) {
        let detections = found.map { FaceDetection(box: $0.box.scaled(by: 1 / factor), score: $0.score) }
        var unmatched = Array(detections.indices)
        var matchedStates = Set<Int>()
        // Greedy matching, best overlap first.
        var pairs: [(state: Int, det: Int, iou: Double)] = []
        for (si, s) in (statesBefore ?? states).enumerated() {
            let predicted = predict(s, at: time)
            for di in detections.indices {
                let iou = predicted.iou(detections[di].box)
                if iou >= settings.matchIoU { pairs.append((si, di, iou)) }
            }
        }
        for p in pairs.sorted(by: { $0.iou > $1.iou }) where !matchedStates.contains(p.state) && unmatched.contains(p.det) {
            matchedStates.insert(p.state)
            unmatched.removeAll { $0 == p.det }
            if let statesBefore { states[p.state] = statesBefore[p.state] }
            observe(&states[p.state], detections[p.det], at: time)
            startFollower(&states[p.state], on: image, box: found[p.det].box)
        }
        for si in states.indices where !matchedStates.contains(si) {
            states[si].missed += 1
            if statesBefore == nil { followOrPredict(&states[si], in: image, factor: factor, at: time) }
        }
        let before = states.count
        states.removeAll { $0.missed > settings.maxMissedDetections }
        counters.tracksEnded += before - states.count
        // New faces, strongest first, while there is room.
        for di in unmatched.sorted(by: { detections[$0].score > detections[$1].score }) where states.count < settings.maxFaces {
            let d = detections[di]
            var s = State(track: FaceTrack(id: nextID, box: d.box, score: d.score, detectedNow: true), raw: d.box, lastTime: time)
            nextID += 1
            _ = s.cx.filter(d.box.centerX, dt: 0)
            _ = s.cy.filter(d.box.centerY, dt: 0)
            _ = s.side.filter(max(d.box.width, d.box.height), dt: 0)
            startFollower(&s, on: image, box: found[di].box)
            states.append(s)
            counters.tracksStarted += 1
        }
    }

    private func follow(_ image: Image?, factor: Double, at time: MediaTime) {
        for i in states.indices { followOrPredict(&states[i], in: image, factor: factor, at: time) }
    }

    /// Starts (or restarts) a track's follower on its detection; `box` is in `image`'s pixels.
    private func startFollower(_ s: inout State, on image: Image, box: FaceBox) {
        guard let makeFollower else { return }
        do {
            let follower = try s.follower ?? makeFollower()
            s.follower = nil
            try follower.start(rgb: image.pixels, width: image.width, height: image.height, box: box)
            s.follower = follower
        } catch {
            counters.followerErrors += 1
        }
    }

    /// Moves a track to `time` without a detection: to its follower's box when the follower is
    /// confident, else by constant-velocity prediction.
    private func followOrPredict(_ s: inout State, in image: Image?, factor: Double, at time: MediaTime) {
        s.track.detectedNow = false
        if let follower = s.follower, let image {
            do {
                if let box = try follower.follow(rgb: image.pixels, width: image.width, height: image.height) {
                    counters.followed += 1
                    move(&s, to: box.scaled(by: 1 / factor), at: time)
                    return
                }
                counters.followerUnsure += 1
            } catch {
                // E.g. the frame size changed: predict until the next detection restarts it.
                counters.followerErrors += 1
                s.follower = nil
            }
        }
        advance(&s, to: time)
    }

    /// Constant-velocity prediction of the raw box from the smoothed motion.
    private func predict(_ s: State, at time: MediaTime) -> FaceBox {
        let dt = max(0, (time - s.lastTime).seconds)
        var b = s.raw
        b.x += s.cx.velocity * dt
        b.y += s.cy.velocity * dt
        return b
    }

    private func advance(_ s: inout State, to time: MediaTime) {
        let predicted = predict(s, at: time)
        let dt = (time - s.lastTime).seconds
        guard dt > 0 else { return }
        s.raw = predicted
        smooth(&s, predicted, dt: dt)
        s.lastTime = time
    }

    /// A follower's box as the observation (the detection's score and miss count stay).
    private func move(_ s: inout State, to box: FaceBox, at time: MediaTime) {
        let dt = (time - s.lastTime).seconds
        s.raw = box
        guard dt > 0 else { return }
        smooth(&s, box, dt: dt)
        s.lastTime = time
    }

    private func observe(_ s: inout State, _ d: FaceDetection, at time: MediaTime) {
        let dt = max(1e-3, (time - s.lastTime).seconds)
        s.raw = d.box
        s.missed = 0
        s.track.score = d.score
        s.track.detectedNow = true
        smooth(&s, d.box, dt: dt)
        s.lastTime = time
    }

    private func smooth(_ s: inout State, _ box: FaceBox, dt: Double) {
        let cx = s.cx.filter(box.centerX, dt: dt)
        let cy = s.cy.filter(box.centerY, dt: dt)
        let side = s.side.filter(max(box.width, box.height), dt: dt)
        s.track.box = FaceBox(x: cx - side / 2, y: cy - side / 2, width: side, height: side)
    }
}
