import CGst
import Foundation
import Media

/// How an input is read.
public struct InputOptions: Sendable {
    /// Live sources are never blocked: a full queue drops its oldest frame (counted).
    /// Files block instead, so that no frame is lost.
    public var live: Bool
    /// Deliver frames at their PTS pace (a file standing in for a camera in benchmarks).
    public var realtime: Bool
    /// Frames that may wait for the restoration thread.
    public var videoQueueCapacity: Int
    /// Larger decoded frames are dropped (counted); a source that only has such frames fails.
    public var frameSizeLimit: FrameSizeLimit

    public init(live: Bool, realtime: Bool = false, videoQueueCapacity: Int = 16,
                frameSizeLimit: FrameSizeLimit = .standard) {
        self.live = live
        self.realtime = realtime
        self.videoQueueCapacity = videoQueueCapacity
        self.frameSizeLimit = frameSizeLimit
    }
}

/// Decodes a source into three queues: RGB video frames, 16 kHz mono float audio for the
/// model, and the original audio (float, original rate and channels) for the output.
public final class InputPipeline: @unchecked Sendable {
    public let source: SourceSpec
    public let pipeline: Pipeline
    public let video: BoundedQueue<VideoFrame>
    public let modelAudio: BoundedQueue<AudioChunk>
    public let audio: BoundedQueue<AudioChunk>
    /// Where decoded frames' arrays come from; the session hands them back once sent.
    public let framePool: FrameStoragePool
    private let linker: DecodeLinker
    private let gate: VideoGate
    private let videoReader: AppSinkReader<VideoFrame>
    private let modelAudioReader: AppSinkReader<AudioChunk>
    private let audioReader: AppSinkReader<AudioChunk>
    private let formatBox = LockedValue<VideoFormat?>(nil)

    public init(source: SourceSpec, options: InputOptions) throws(GstError) {
        try Gst.initialize()
        if let path = source.localFile, !FileManager.default.fileExists(atPath: path) {
            throw .sourceUnavailable(source: path, reason: "no such file")
        }
        self.source = source
        let sync = options.realtime ? "true" : "false"
        // Audio queues never block: audio is small, and blocking it while the video path waits
        // on the demuxer would deadlock. Their depth bounds memory for a stalled consumer.
        let branches = """
            videoconvert name=fr_vconv ! videoscale ! capsfilter name=fr_vcaps caps=video/x-raw,format=RGB ! \
            appsink name=fr_video sync=\(sync) max-buffers=2 \
            tee name=fr_atee \
            fr_atee. ! queue max-size-time=3000000000 ! audioconvert ! audioresample ! \
            audio/x-raw,format=F32LE,layout=interleaved,rate=16000,channels=1 ! appsink name=fr_model_audio sync=\(sync) async=false \
            fr_atee. ! queue max-size-time=3000000000 ! audioconvert ! audio/x-raw,format=F32LE,layout=interleaved ! \
            appsink name=fr_audio sync=\(sync) async=false
            """
        let description: String
        switch source.kind {
        case .uri(let uri): description = "uridecodebin name=fr_dec uri=\"\(uri)\" " + branches
        case .launch: description = branches
        }
        pipeline = try Pipeline(description: description, label: "input", sourceLabel: source.description)

        guard let vconv = pipeline.element(named: "fr_vconv"), let atee = pipeline.element(named: "fr_atee"),
              let vsink = pipeline.element(named: "fr_video"), let msink = pipeline.element(named: "fr_model_audio"),
              let asink = pipeline.element(named: "fr_audio") else {
            preconditionFailure("input branch elements missing from a fixed description")
        }
        linker = DecodeLinker(pipeline: pipeline.element, videoSink: vconv, audioSink: atee)
        gate = VideoGate(limit: options.frameSizeLimit)
        gate.attach(to: vconv)
        video = BoundedQueue(capacity: max(2, options.videoQueueCapacity), policy: options.live ? .dropOldest : .block)
        modelAudio = BoundedQueue(capacity: 4096, policy: .dropOldest)
        audio = BoundedQueue(capacity: 4096, policy: .dropOldest)
        let format = formatBox
        let pool = FrameStoragePool()
        framePool = pool
        videoReader = AppSinkReader(queue: video) { sample, index in
            guard let (frame, f) = SampleConversion.videoFrame(sample, sequence: index, arrival: MonotonicClock.now(),
                                                               pool: pool) else {
                return nil
            }
            format.set(f)
            return frame
        }
        modelAudioReader = AppSinkReader(queue: modelAudio) { sample, _ in SampleConversion.audioChunk(sample) }
        audioReader = AppSinkReader(queue: audio) { sample, _ in SampleConversion.audioChunk(sample) }
        videoReader.attach(to: vsink)
        modelAudioReader.attach(to: msink)
        audioReader.attach(to: asink)

        switch source.kind {
        case .uri:
            guard let dec = pipeline.element(named: "fr_dec") else { preconditionFailure("uridecodebin missing") }
            linker.attachDecoder(dec.pointer)
            // rtsp:// uses TCP; rtspu:// (UDP only) and rtspt:// stay as rtspsrc reads them.
            if source.rtspTransport == .tcp { cgst_rtsp_over_tcp(dec.pointer) }
        case .launch(let text):
            try attachSourceBin(text)
        }
        cgst_decode_without_direct_rendering(pipeline.element.pointer)
    }

    private func attachSourceBin(_ original: String) throws(GstError) {
        // gst-launch caps shorthand only parses between two elements; a description that ends
        // with caps ("videotestsrc ! video/x-raw,width=640") gets a pass-through element after it.
        let lastSegment = original.split(separator: "!").last.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
        let endsWithCaps = lastSegment.range(of: #"^[a-z]+/[a-zA-Z0-9.+-]+"#, options: .regularExpression) != nil
        let text = endsWithCaps ? original + " ! identity" : original
        var message: UnsafeMutablePointer<CChar>?
        var code: Int32 = 0
        guard let bin = cgst_parse_bin(text, &message, &code) else {
            let reason = message.map { String(cString: $0) } ?? "unknown parse error"
            g_free(message)
            throw Pipeline.parseError(description: source.description, reason: reason, code: code)
        }
        _ = gst_bin_add(pipeline.element.bin, bin)
        // The source's outputs are the src pads nothing inside the bin links to, plus the
        // "sometimes" pads of elements that have not produced them yet (rtspsrc, demuxers).
        let binPointer = UnsafeMutableRawPointer(bin).assumingMemoryBound(to: GstBin.self)
        var attached = 0
        var node = binPointer.pointee.children
        while let n = node {
            node = n.pointee.next
            guard let child = n.pointee.data?.assumingMemoryBound(to: GstElement.self) else { continue }
            let dynamic = Self.hasSometimesSrcPads(child) && child.pointee.numsrcpads == 0
            let openPads = Self.unlinkedSrcPads(child)
            guard dynamic || !openPads.isEmpty else { continue }
            linker.attachSource(tail: child, pads: openPads, hasDynamicPads: dynamic)
            attached += 1
        }
        if attached == 0 {
            throw .invalidDescription(description: source.description,
                                      reason: "nothing in it produces output; end it with a source element")
        }
    }

    private static func unlinkedSrcPads(_ element: UnsafeMutablePointer<GstElement>) -> [UnsafeMutablePointer<GstPad>] {
        var pads: [UnsafeMutablePointer<GstPad>] = []
        var node = element.pointee.srcpads
        while let n = node {
            if let pad = n.pointee.data?.assumingMemoryBound(to: GstPad.self), gst_pad_is_linked(pad) == 0 {
                pads.append(pad)
            }
            node = n.pointee.next
        }
        return pads
    }

    private static func hasSometimesSrcPads(_ element: UnsafeMutablePointer<GstElement>) -> Bool {
        guard let klass = UnsafeMutableRawPointer(element.pointee.object.object.g_type_instance.g_class)?
            .assumingMemoryBound(to: GstElementClass.self) else { return false }
        var node = gst_element_class_get_pad_template_list(klass)
        while let n = node {
            if let t = n.pointee.data?.assumingMemoryBound(to: GstPadTemplate.self),
               t.pointee.direction == GST_PAD_SRC, t.pointee.presence == GST_PAD_SOMETIMES { return true }
            node = n.pointee.next
        }
        return false
    }

    /// Starts decoding. Errors from the source (missing file, unreachable host) are thrown here
    /// when GStreamer reports them while starting, otherwise later through `nextEvent`.
    public func start(timeout: Double = 15) throws(GstError) {
        try pipeline.play(timeout: timeout)
    }

    /// Waits until the set of streams is known (or `timeout`): whether there is audio decides
    /// the shape of the output. Warnings the source posts meanwhile go to `onWarning` (a
    /// stream without a decoder, rtspsrc giving up on UDP): they explain a slow or odd start.
    public func waitForStreams(timeout: Double, onWarning: (String) -> Void = { _ in }) throws(GstError) -> (video: Bool, audio: Bool) {
        let deadline = Date(timeIntervalSinceNow: timeout)
        while Date() < deadline {
            if linker.settled { break }
            if video.count > 0 && linker.hasAudio { break }
            switch pipeline.nextEvent(timeout: 0.02) {
            case .error(let e): throw e
            case .warning(let w): onWarning(w)
            case .endOfStream, nil: break
            }
            if videoReader.hasEnded { break }
        }
        if !linker.hasVideo { throw .noVideoStream(source: source.description) }
        if !linker.hasAudio {
            // No audio pad: nothing will ever end these queues.
            modelAudio.finish()
            audio.finish()
        }
        return (linker.hasVideo, linker.hasAudio)
    }

    /// Video decoders in the pipeline with libav direct rendering on and off (every one is
    /// turned off; see `cgst_decode_without_direct_rendering`).
    public var directRendering: (on: Int, off: Int) {
        var on: Int32 = 0, off: Int32 = 0
        cgst_count_direct_rendering(pipeline.element.pointer, &on, &off)
        return (Int(on), Int(off))
    }

    public var hasAudio: Bool { linker.hasAudio }
    /// Whether every decoder said that no more streams will come (false when `waitForStreams`
    /// gave up waiting for that and went on with the streams it had).
    public var streamsSettled: Bool { linker.settled }
    /// Whether an audio track feeds the audio queues now. It changes mid-stream when the source
    /// switches to a program with or without audio (an MPEG-TS whose PMT changes).
    public var audioFlowing: Bool { linker.audioFlowing }

    /// Ends both audio queues: the session calls it when the audio track went away, since the
    /// removed track's end never reaches them (decodebin keeps a switched-away stream's EOS).
    public func finishAudio() {
        modelAudio.finish()
        audio.finish()
    }

    /// Keeps every later frame at this size: when the source changes resolution mid-stream
    /// (a camera reconfigured, a stream spliced), GStreamer scales (letterboxing to keep the
    /// aspect) instead of the outputs having to be rebuilt under their clients.
    public func lockVideoSize(width: Int, height: Int) {
        guard let filter = pipeline.element(named: "fr_vcaps") else { return }
        filter.set("caps", "video/x-raw,format=RGB,width=\(width),height=\(height),pixel-aspect-ratio=1/1")
    }
    /// Geometry and frame rate of the latest decoded frame (nil before the first one).
    public var videoFormat: VideoFormat? { formatBox.get() }

    /// Duration of the source when it has one (files), from a duration query.
    public var duration: MediaTime? {
        var ns: gint64 = 0
        guard gst_element_query_duration(pipeline.element.pointer, GST_FORMAT_TIME, &ns) != 0, ns > 0 else { return nil }
        return MediaTime(nanoseconds: Int64(ns))
    }
    /// Frames the video gate dropped (empty, short, oversized) and caps changes it saw.
    public var faults: InputFaults { gate.counts }
    public var framesReceived: Int { videoReader.receivedCount }
    public var framesRejected: Int { videoReader.rejectedCount }
    public var framesDropped: Int { video.droppedCount }

    /// Stops decoding and ends every queue.
    public func stop() {
        pipeline.stop()
        video.finish()
        modelAudio.finish()
        audio.finish()
    }

    public func nextEvent(timeout: Double) -> BusEvent? { pipeline.nextEvent(timeout: timeout) }
}
