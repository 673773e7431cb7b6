import CGst
import Foundation
import Media

/// Encodes restored frames and the original audio once and sends them to every output.
///
/// Timestamps: input PTS are running times of the input pipeline. Files start at zero (the first
/// PTS of either stream is subtracted from both, which keeps audio and video in sync); live
/// outputs are rebased onto the output pipeline's clock plus `liveHeadroom`, so that synced sinks
/// render frames on time.
public final class OutputPipeline: @unchecked Sendable {
    public let outputs: [OutputSpec]
    public let settings: EncoderSettings
    public let videoFormat: VideoFormat
    public let hasAudio: Bool
    let pipeline: Pipeline
    private let videoSource: AppSource
    private let audioSource: AppSource?
    private var relays: [RTSPRelay] = []
    private let lock = NSLock()
    private var offset: Int64?
    private var lastVideoPTS: Int64 = .min
    /// The previous frame's own (rebased) PTS, before any repair.
    private var lastSourcePTS: Int64?
    private var framesOut = 0
    /// Extra delay given to live outputs so that frames restored late still render on time.
    public var liveHeadroom = MediaTime(nanoseconds: 200_000_000)

    /// Builds the output. `rtspServer` is required when `outputs` contains `.rtsp`.
    public init(outputs: [OutputSpec], video: VideoFormat, audio: (rate: Int, channels: Int)?,
                settings: EncoderSettings, rtspServer: RTSPServer? = nil) throws(GstError) {
        precondition(!outputs.isEmpty, "an output pipeline needs at least one output")
        try Gst.initialize()
        for output in outputs {
            try Self.validate(output, settings: settings)
        }
        self.outputs = outputs
        self.settings = settings
        self.videoFormat = video
        self.hasAudio = audio != nil
        let description = OutputDescription.make(outputs: outputs, video: video, audio: audio, settings: settings)
        pipeline = try Pipeline(description: description, label: "output")
        guard let v = pipeline.element(named: "fr_vsrc") else { preconditionFailure("output appsrc missing") }
        videoSource = AppSource(element: v)
        audioSource = audio != nil ? pipeline.element(named: "fr_asrc").map(AppSource.init) : nil
        if outputs.contains(where: { if case .rtsp = $0 { return true } else { return false } }) {
            guard let rtspServer else { preconditionFailure("an RTSP output needs an RTSPServer") }
            rtspServer.beginNewTimeline()
            if let sink = pipeline.element(named: "fr_rtsp_v") {
                let relay = RTSPRelay(server: rtspServer, isVideo: true)
                relay.attach(to: sink)
                relays.append(relay)
                rtspServer.requestKeyframe = { _ = cgst_request_key_unit(sink.pointer) }
            }
            if let sink = pipeline.element(named: "fr_rtsp_a") {
                let relay = RTSPRelay(server: rtspServer, isVideo: false)
                relay.attach(to: sink)
                relays.append(relay)
            }
        }
    }

    /// Checks what GStreamer would only report after the fact: containers, codecs, directories.
    static func validate(_ output: OutputSpec, settings: EncoderSettings) throws(GstError) {
        switch output {
        case .file(let path):
            let url = URL(fileURLWithPath: path)
            guard let container = OutputSpec.Container(pathExtension: url.pathExtension) else {
                throw .outputFailed(output: path, reason: "unknown container '.\(url.pathExtension)'; use .mp4, .mkv or .mov")
            }
            let dir = url.deletingLastPathComponent().path
            var isDir: ObjCBool = false
            guard FileManager.default.fileExists(atPath: dir, isDirectory: &isDir), isDir.boolValue else {
                throw .outputFailed(output: path, reason: "the directory \(dir) does not exist")
            }
            if container != .mkv && (settings.videoCodec == .raw || settings.audioCodec == .raw) {
                throw .outputFailed(output: path, reason: "raw (lossless) codecs need a .mkv file")
            }
        case .segments(let dir, let seconds, _):
            guard seconds > 0 else { throw .outputFailed(output: dir, reason: "segment length must be positive") }
            do {
                try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            } catch {
                throw .outputFailed(output: dir, reason: "cannot create the recording directory (\(error.localizedDescription))")
            }
        case .rtsp:
            if settings.videoCodec != .h264 {
                throw .outputFailed(output: output.label, reason: "RTSP needs the h264 video codec")
            }
        case .sink:
            break
        }
    }

    public func start() throws(GstError) { try pipeline.play(waitForPreroll: false) }

    /// What became of a frame handed to `send`.
    public enum FrameSendResult: Equatable, Sendable {
        case sent
        /// A file output was sent a frame whose PTS was not after the last one (a damaged
        /// source's timestamp): it was written just after the last (a frame, or half a frame
        /// while catching up with the source's timeline) instead of being lost.
        case restamped(pts: Int64, was: Int64)
        /// Its output PTS was not after the last one sent (a muxer would fail on it).
        case notNewer(pts: Int64, last: Int64)
        case wrongSize(width: Int, height: Int)
        /// Live: the encoder is behind and its input queue is full, so the frame was dropped
        /// (the output never blocks the restoration thread).
        case encoderBehind
        /// The appsrc did not take it (flushing, stopped or in error).
        case refused

        /// The frame is in the output (with its own timestamp or a repaired one).
        public var delivered: Bool {
            switch self {
            case .sent, .restamped: return true
            default: return false
            }
        }
    }

    /// Sends a restored frame. Returns false when the pipeline no longer accepts data.
    @discardableResult
    public func push(_ frame: VideoFrame) -> Bool { send(frame) == .sent }

    /// Sends a restored frame and says why when it could not.
    public func send(_ frame: VideoFrame) -> FrameSendResult {
        guard frame.width == videoFormat.width && frame.height == videoFormat.height else {
            return .wrongSize(width: frame.width, height: frame.height)
        }
        let duration = frame.duration ?? videoFormat.frameRate.frameDuration
        let step = duration?.nanoseconds ?? 1_000_000
        let (pts, last, original): (MediaTime, Int64, MediaTime) = lock.withLock {
            var p = rebase(frame.pts)
            let original = p, last = lastVideoPTS
            // A file keeps every frame: one corrupt timestamp far ahead (a damaged container's
            // cluster time) would otherwise make every later frame "not newer" and lose it.
            // Such a frame goes one frame after the last, and frames whose own time moves on
            // but is still behind that go half a frame after it, so that after a duplicated
            // or swapped timestamp the output catches up with the source's timeline within a
            // frame or two instead of running a frame ahead of the audio from there on. Live
            // outputs drop them instead (a splice): bumping would push video ahead of audio.
            if p.nanoseconds <= last && last != .min && !settings.live {
                let advancing = lastSourcePTS.map { original.nanoseconds > $0 } ?? false
                p = MediaTime(nanoseconds: last + (advancing ? max(1, step / 2) : step))
            }
            lastSourcePTS = original.nanoseconds
            if p.nanoseconds > last { lastVideoPTS = p.nanoseconds; framesOut += 1 }
            return (p, last, original)
        }
        guard pts.nanoseconds > last else { return .notNewer(pts: pts.nanoseconds, last: last) }
        // Checked before the push, not after a failed one: the restoration thread is the only
        // producer, so a queue that has room now still has room at the push (the encoder only
        // drains it), and a full one would drop the frame. Asking after a failure could find
        // the queue drained meanwhile and call an overload a refusal; asking first also saves
        // copying a frame that would be dropped.
        if settings.live && videoSource.isFull { return .encoderBehind }
        guard videoSource.push(frame, pts: pts, duration: duration) else {
            return .refused
        }
        return pts == original ? .sent : .restamped(pts: pts.nanoseconds, was: original.nanoseconds)
    }

    /// Sends original audio (interleaved float at its own rate and channel count).
    @discardableResult
    public func push(_ chunk: AudioChunk) -> Bool {
        guard let audioSource else { return false }
        let pts = lock.withLock { rebase(chunk.pts) }
        if pts.nanoseconds < 0 { return false }
        return audioSource.push(chunk, pts: pts)
    }

    public var framesSent: Int { lock.withLock { framesOut } }

    /// Where the video frames' buffers came from: the recycling pool or, when all its buffers
    /// were still downstream (the encoder behind), one-off allocations.
    public var frameBufferCounts: FrameBufferCounts { videoSource.frameBufferCounts }

    /// Ends the audio stream alone (the source's audio track went away): muxers then go on
    /// with video instead of waiting for audio that will not come, which would block the
    /// video queue and, for a file, the restoration thread with it.
    public func endAudio() {
        audioSource?.endOfStream()
    }

    private func rebase(_ pts: MediaTime) -> MediaTime {
        if offset == nil {
            if settings.live {
                offset = Int64(pipeline.element.runningTime) + liveHeadroom.nanoseconds - pts.nanoseconds
            } else {
                offset = -pts.nanoseconds
            }
        }
        return MediaTime(nanoseconds: pts.nanoseconds + offset!)
    }

    /// Ends both streams and waits until every output has written its last byte.
    public func finish(timeout: Double = 30) throws(GstError) {
        videoSource.endOfStream()
        audioSource?.endOfStream()
        defer { pipeline.stop() }
        if try !pipeline.waitForEndOfStream(timeout: timeout) {
            throw .timedOut(what: "the outputs to finish writing", seconds: timeout)
        }
    }

    /// Stops at once (after an error); files already finished stay intact.
    public func abort() { pipeline.stop() }

    public func nextEvent(timeout: Double) -> BusEvent? { pipeline.nextEvent(timeout: timeout) }
}
