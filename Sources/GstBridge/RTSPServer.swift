import CGst
import Foundation

/// An RTSP server (gst-rtsp-server) that serves one mount. Encoded buffers from the output
/// pipeline are relayed into the media pipeline of each prepared stream, rebased onto that
/// media's clock. The server outlives output pipelines, so clients stay connected when the
/// source is restarted.
public final class RTSPServer: @unchecked Sendable {
    public let address: String
    public let port: Int
    public let path: String
    public let hasAudio: Bool

    private let server: UnsafeMutablePointer<GstRTSPServer>
    private let context: OpaquePointer
    private let loop: OpaquePointer
    private var loopThread: Thread?
    private let lock = NSLock()
    private var medias: [Media] = []
    private var videoCaps: String?
    private var audioCaps: String?
    /// Asks the encoder for a keyframe so that a new client gets a picture at once.
    var requestKeyframe: (@Sendable () -> Void)?

    /// One prepared media pipeline and the appsrcs that feed it.
    private final class Media {
        let media: UnsafeMutablePointer<GstRTSPMedia>
        let video: AppSource
        let audio: AppSource?
        let element: Element
        var basePTS: UInt64?
        var baseRunningTime: UInt64 = 0
        /// Latest timestamp pushed into this media: a new timeline must start after it.
        var lastOut: UInt64 = 0
        init(media: UnsafeMutablePointer<GstRTSPMedia>, element: Element, video: AppSource, audio: AppSource?) {
            self.media = media
            self.element = element
            self.video = video
            self.audio = audio
        }
    }

    /// Starts serving `rtsp://address:port/path`. Throws if the port cannot be bound.
    public init(address: String = "127.0.0.1", port: Int, path: String, hasAudio: Bool,
                audioCodec: AudioCodec = .aac, credentials: RTSPCredentials? = nil) throws(GstError) {
        try Gst.initialize()
        let mount = path.hasPrefix("/") ? path : "/" + path
        self.address = address
        self.port = port
        self.path = mount
        self.hasAudio = hasAudio
        server = gst_rtsp_server_new()
        gst_rtsp_server_set_address(server, address)
        gst_rtsp_server_set_service(server, String(port))
        let audioPay: String
        switch audioCodec {
        case .opus: audioPay = "opusparse ! rtpopuspay name=pay1 pt=97"
        case .aac, .raw: audioPay = "aacparse ! rtpmp4gpay name=pay1 pt=97"
        }
        let launch = "( appsrc name=fr_rtsp_vsrc is-live=true format=time ! h264parse ! rtph264pay name=pay0 pt=96 config-interval=-1 "
            + (hasAudio ? "appsrc name=fr_rtsp_asrc is-live=true format=time ! \(audioPay) " : "") + ")"
        let factory = gst_rtsp_media_factory_new()!
        gst_rtsp_media_factory_set_launch(factory, launch)
        gst_rtsp_media_factory_set_shared(factory, 1)
        if let credentials {
            cgst_rtsp_require_basic_auth(server, factory, credentials.user, credentials.password)
        }
        let mounts = gst_rtsp_server_get_mount_points(server)!
        gst_rtsp_mount_points_add_factory(mounts, mount, factory)
        cgst_object_unref(mounts)
        context = g_main_context_new()
        loop = g_main_loop_new(context, 0)
        let sourceID = gst_rtsp_server_attach(server, context)
        if sourceID == 0 {
            // Every stored property is set, so throwing runs deinit, which releases the loop, the
            // context and the server (releasing them here too freed them twice: a port in use
            // then hung the daemon in deinit instead of reporting it).
            throw .outputFailed(output: "rtsp://\(address):\(port)\(mount)",
                                reason: "cannot listen on port \(port): another program holds it, or a port below 1024 needs CAP_NET_BIND_SERVICE; stop that program or choose another `port:`")
        }
        let box = Unmanaged.passRetained(WeakServer(self)).toOpaque()
        _ = cgst_connect_media_configure(factory, { _, media, data in
            guard let media, let server = Unmanaged<WeakServer>.fromOpaque(data!).takeUnretainedValue().server else { return }
            server.configure(media)
        }, box, { data in Unmanaged<WeakServer>.fromOpaque(data!).release() })
        // The main loop is thread-safe GLib state; the box only carries the pointer across.
        let loopRef = LoopHandle(loop: loop)
        let thread = Thread { g_main_loop_run(loopRef.loop) }
        thread.name = "rtsp-server"
        thread.start()
        loopThread = thread
        // deinit's quit must find the loop running: a quit sent before `g_main_loop_run` starts
        // is lost, and the thread would outlive the loop it runs.
        while g_main_loop_is_running(loop) == 0 { usleep(100) }
    }

    deinit {
        if loopThread != nil {
            g_main_loop_quit(loop)
            while g_main_loop_is_running(loop) != 0 { usleep(1000) }
        }
        lock.withLock { medias.removeAll() }
        g_main_context_unref(context)
        g_main_loop_unref(loop)
        cgst_object_unref(server)
    }

    public var url: String { "rtsp://\(address):\(port)\(path)" }

    /// Number of prepared media pipelines (one per shared stream with clients).
    public var activeStreams: Int { lock.withLock { medias.count } }

    private struct LoopHandle: @unchecked Sendable { let loop: OpaquePointer }

    private final class WeakServer {
        weak var server: RTSPServer?
        init(_ server: RTSPServer) { self.server = server }
    }

    private func configure(_ media: UnsafeMutablePointer<GstRTSPMedia>) {
        guard let raw = cgst_rtsp_media_element(media) else { return }
        let element = Element(owning: raw)
        guard let v = gst_bin_get_by_name_recurse_up(element.bin, "fr_rtsp_vsrc") else { return }
        let video = AppSource(element: Element(owning: v))
        let audio = hasAudio ? gst_bin_get_by_name_recurse_up(element.bin, "fr_rtsp_asrc").map { AppSource(element: Element(owning: $0)) } : nil
        let entry = Media(media: media, element: element, video: video, audio: audio)
        lock.withLock {
            if let videoCaps { video.setCaps(videoCaps) }
            if let audioCaps { audio?.setCaps(audioCaps) }
            medias.append(entry)
        }
        let box = Unmanaged.passRetained(WeakServer(self)).toOpaque()
        _ = cgst_connect_media_unprepared(media, { media, data in
            guard let server = Unmanaged<WeakServer>.fromOpaque(data!).takeUnretainedValue().server else { return }
            server.lock.withLock { server.medias.removeAll { $0.media == media } }
        }, box, { data in Unmanaged<WeakServer>.fromOpaque(data!).release() })
        requestKeyframe?()
    }

    /// A new output pipeline (after a source reconnect) starts its timestamps anew. Each media
    /// re-bases at the next keyframe onto its own clock, after everything already sent, so that
    /// connected clients see one continuous stream.
    public func beginNewTimeline() {
        lock.withLock {
            for m in medias { m.basePTS = nil }
        }
    }

    /// Relays one encoded buffer. Each media starts at a video keyframe; audio before it is
    /// dropped so that both streams share one time base.
    /// `pts` and `dts` are running times: encoders shift raw timestamps (x264enc by 1000 hours)
    /// and only their segment makes them comparable across streams.
    func relay(_ buffer: UnsafeMutablePointer<GstBuffer>, pts: GstClockTime, dts: GstClockTime, caps: String?, isVideo: Bool) {
        guard pts != clockTimeNone else { return }
        lock.withLock {
            if let caps {
                if isVideo, caps != videoCaps { videoCaps = caps; medias.forEach { $0.video.setCaps(caps) } }
                if !isVideo, caps != audioCaps { audioCaps = caps; medias.forEach { $0.audio?.setCaps(caps) } }
            }
            for m in medias {
                if m.basePTS == nil {
                    guard isVideo, cgst_buffer_is_keyframe(buffer) != 0 else { continue }
                    m.basePTS = UInt64(pts)
                    m.baseRunningTime = max(m.element.runningTime, m.lastOut == 0 ? 0 : m.lastOut + 40_000_000)
                }
                guard let base = m.basePTS, UInt64(pts) >= base else { continue }
                let outPTS = UInt64(pts) - base + m.baseRunningTime
                m.lastOut = max(m.lastOut, outPTS)
                let outDTS: UInt64? = dts == clockTimeNone || UInt64(dts) < base ? nil : UInt64(dts) - base + m.baseRunningTime
                if isVideo { m.video.pushCopy(of: buffer, pts: outPTS, dts: outDTS) }
                else { m.audio?.pushCopy(of: buffer, pts: outPTS, dts: outDTS) }
            }
        }
    }
}

/// User and password RTSP clients must give (HTTP basic authentication).
public struct RTSPCredentials: Sendable, Equatable {
    public let user: String
    public let password: String
    public init(user: String, password: String) {
        self.user = user
        self.password = password
    }
}

/// Relays an output pipeline's encoded appsink into the RTSP server.
final class RTSPRelay: SampleReceiver, @unchecked Sendable {
    private let server: RTSPServer
    private let isVideo: Bool
    init(server: RTSPServer, isVideo: Bool) {
        self.server = server
        self.isVideo = isVideo
    }

    override func receive(_ sample: OpaquePointer) {
        guard let buffer = gst_sample_get_buffer(sample) else { return }
        var capsString: String?
        if let caps = gst_sample_get_caps(sample), let text = gst_caps_to_string(caps) {
            capsString = String(cString: text)
            g_free(text)
        }
        let pts = cgst_sample_running_time(sample)
        let dts = cgst_sample_to_running_time(sample, cgst_buffer_dts(buffer))
        server.relay(buffer, pts: pts, dts: dts, caps: capsString, isVideo: isVideo)
    }
}
