import CGst
import Foundation

/// Connects whatever the source produces to the fixed video and audio branches.
///
/// Every src pad of the source's last element (static ones now, "sometimes" pads such as
/// rtspsrc's later) gets its own decodebin; each decoded pad goes to the video branch, the audio
/// branch, or — for extra streams — a fakesink, so an unlinked pad never stops the pipeline.
/// A branch whose pad went away takes the next pad of its kind: a demuxer that switches
/// programs mid-stream (an MPEG-TS whose PMT gains or loses an audio track) has decodebin
/// remove its old pads and add new ones, and those must reach the branches, not a fakesink.
/// Runs on GStreamer's threads; its own state is guarded by `lock`.
final class DecodeLinker: @unchecked Sendable {
    private let pipeline: UnsafeMutablePointer<GstElement>
    private let videoSink: Element
    private let audioSink: Element
    private let lock = NSLock()
    private var videoLinked = false
    private var audioLinked = false
    private var decoders = 0
    /// Decoders (by address) that said no more pads will come, at least once.
    private var decodersSettled = Set<UInt>()
    private var sourceSettled = true
    /// Whether the audio branch is fed now: set when a pad links to it, re-read whenever a
    /// decoder's set of pads is complete again (a program switch removes pads before it adds).
    private var audioPresent = false

    init(pipeline: Element, videoSink: Element, audioSink: Element) {
        self.pipeline = pipeline.pointer
        self.videoSink = videoSink
        self.audioSink = audioSink
    }

    /// Whether a video (audio) stream was ever linked to its branch.
    var hasVideo: Bool { lock.withLock { videoLinked } }
    var hasAudio: Bool { lock.withLock { audioLinked } }
    /// Whether an audio stream feeds the audio branch now (see `audioPresent`).
    var audioFlowing: Bool { lock.withLock { audioPresent } }
    /// True once every decodebin (and a dynamic source) said no more pads will come.
    var settled: Bool { lock.withLock { sourceSettled && decoders > 0 && decodersSettled.count == decoders } }

    /// For an element of the source bin: decode its open src pads and any it adds later.
    func attachSource(tail: UnsafeMutablePointer<GstElement>, pads: [UnsafeMutablePointer<GstPad>], hasDynamicPads: Bool) {
        if hasDynamicPads {
            lock.withLock { sourceSettled = false }
            // Runs after gst_parse's own delayed links: a pad the description already links
            // ("decodebin ! videoconvert") is left alone.
            connectPadAdded(tail, after: true, handler: { linker, pad in
                if gst_pad_is_linked(pad) == 0 { linker.decode(pad) }
            })
            connectNoMorePads(tail) { linker, _ in linker.lock.withLock { linker.sourceSettled = true } }
        }
        for pad in pads { decode(pad) }
    }

    /// For a uridecodebin: its pads are already decoded.
    func attachDecoder(_ decoder: UnsafeMutablePointer<GstElement>) {
        lock.withLock { decoders += 1 }
        connectPadAdded(decoder, after: false, handler: { linker, pad in linker.route(pad) })
        connectNoMorePads(decoder) { linker, element in
            linker.lock.withLock {
                linker.decodersSettled.insert(UInt(bitPattern: element))
                linker.audioPresent = Self.isLinked(linker.audioSink)
            }
        }
    }

    private func decode(_ pad: UnsafeMutablePointer<GstPad>) {
        guard let decodebin = gst_element_factory_make("decodebin", nil) else { return }
        attachDecoder(decodebin)
        _ = gst_bin_add(UnsafeMutableRawPointer(pipeline).assumingMemoryBound(to: GstBin.self), decodebin)
        _ = gst_element_sync_state_with_parent(decodebin)
        if let sinkPad = gst_element_get_static_pad(decodebin, "sink") {
            _ = gst_pad_link_maybe_ghosting(pad, sinkPad)
            cgst_object_unref(sinkPad)
        }
    }

    private func route(_ pad: UnsafeMutablePointer<GstPad>) {
        let media = Self.mediaType(of: pad)
        // Checked and linked under the lock: two decoders (rtspsrc's streams) may add pads at once.
        let linked: Bool = lock.withLock {
            let target: Element
            if media.hasPrefix("video/x-raw") && !Self.isLinked(videoSink) {
                videoLinked = true
                target = videoSink
            } else if media.hasPrefix("audio/x-raw") && !Self.isLinked(audioSink) {
                audioLinked = true
                audioPresent = true
                target = audioSink
            } else {
                return false
            }
            guard let sinkPad = gst_element_get_static_pad(target.pointer, "sink") else { return false }
            defer { cgst_object_unref(sinkPad) }
            return gst_pad_link(pad, sinkPad) == GST_PAD_LINK_OK
        }
        if linked { return }
        // A second video/audio stream or subtitles: consume and ignore.
        guard let fakesink = gst_element_factory_make("fakesink", nil) else { return }
        cgst_set_property_bool(fakesink, "sync", 0)
        _ = gst_bin_add(UnsafeMutableRawPointer(pipeline).assumingMemoryBound(to: GstBin.self), fakesink)
        _ = gst_element_sync_state_with_parent(fakesink)
        if let sinkPad = gst_element_get_static_pad(fakesink, "sink") {
            _ = gst_pad_link(pad, sinkPad)
            cgst_object_unref(sinkPad)
        }
    }

    /// Whether the branch's entrance has a pad feeding it (a removed pad is unlinked).
    private static func isLinked(_ branch: Element) -> Bool {
        guard let sinkPad = gst_element_get_static_pad(branch.pointer, "sink") else { return false }
        defer { cgst_object_unref(sinkPad) }
        return gst_pad_is_linked(sinkPad) != 0
    }

    static func mediaType(of pad: UnsafeMutablePointer<GstPad>) -> String {
        guard let caps = gst_pad_get_current_caps(pad) ?? gst_pad_query_caps(pad, nil) else { return "" }
        defer { cgst_caps_unref(caps) }
        guard gst_caps_get_size(caps) > 0, let s = gst_caps_get_structure(caps, 0),
              let name = gst_structure_get_name(s) else { return "" }
        return String(cString: name)
    }

    // MARK: signal plumbing (user_data carries a retained box; GLib releases it)

    private final class PadHandler {
        let linker: DecodeLinker
        let body: (DecodeLinker, UnsafeMutablePointer<GstPad>) -> Void
        init(_ linker: DecodeLinker, _ body: @escaping (DecodeLinker, UnsafeMutablePointer<GstPad>) -> Void) {
            self.linker = linker
            self.body = body
        }
    }

    private final class ElementHandler {
        let linker: DecodeLinker
        let body: (DecodeLinker, UnsafeMutablePointer<GstElement>) -> Void
        init(_ linker: DecodeLinker, _ body: @escaping (DecodeLinker, UnsafeMutablePointer<GstElement>) -> Void) {
            self.linker = linker
            self.body = body
        }
    }

    private func connectPadAdded(_ element: UnsafeMutablePointer<GstElement>, after: Bool,
                                 handler: @escaping (DecodeLinker, UnsafeMutablePointer<GstPad>) -> Void) {
        let box = Unmanaged.passRetained(PadHandler(self, handler)).toOpaque()
        _ = cgst_connect_pad_added(element, { _, pad, data in
            let h = Unmanaged<PadHandler>.fromOpaque(data!).takeUnretainedValue()
            if let pad { h.body(h.linker, pad) }
        }, box, { data in Unmanaged<PadHandler>.fromOpaque(data!).release() }, after ? 1 : 0)
    }

    private func connectNoMorePads(_ element: UnsafeMutablePointer<GstElement>,
                                   handler: @escaping (DecodeLinker, UnsafeMutablePointer<GstElement>) -> Void) {
        let box = Unmanaged.passRetained(ElementHandler(self, handler)).toOpaque()
        _ = cgst_connect_no_more_pads(element, { element, data in
            let h = Unmanaged<ElementHandler>.fromOpaque(data!).takeUnretainedValue()
            if let element { h.body(h.linker, element) }
        }, box, { data in Unmanaged<ElementHandler>.fromOpaque(data!).release() })
    }
}
