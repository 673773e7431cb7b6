import CGst
import Media

/// Feeds Swift frames and audio into an appsrc with their original timestamps.
public final class AppSource: @unchecked Sendable {
    let element: Element
    /// Video frames only; one producer (the session's restoration thread) pushes them.
    private let frameBuffers = RecycledBufferPool()
    private var appsrc: UnsafeMutablePointer<GstAppSrc> {
        UnsafeMutableRawPointer(element.pointer).assumingMemoryBound(to: GstAppSrc.self)
    }

    init(element: Element) { self.element = element }

    /// Where the pushed frames' buffers came from.
    var frameBufferCounts: FrameBufferCounts { frameBuffers.counters }

    public func setCaps(_ caps: String) {
        guard let c = gst_caps_from_string(caps) else { return }
        gst_app_src_set_caps(appsrc, c)
        cgst_caps_unref(c)
    }

    /// RGB caps matching a frame geometry and rate.
    public static func rgbCaps(width: Int, height: Int, frameRate: FrameRate) -> String {
        "video/x-raw,format=RGB,width=\(width),height=\(height),framerate=\(frameRate),pixel-aspect-ratio=1/1"
    }

    public static func audioCaps(sampleRate: Int, channels: Int) -> String {
        let mask = channels <= 2 ? "" : ",channel-mask=(bitmask)0x0"
        return "audio/x-raw,format=F32LE,layout=interleaved,rate=\(sampleRate),channels=\(channels)\(mask)"
    }

    /// Pushes one RGB frame, re-adding GStreamer's 4-byte row alignment. Returns false when the
    /// pipeline refused it (flushing or stopped).
    @discardableResult
    public func push(_ frame: VideoFrame, pts: MediaTime, duration: MediaTime?) -> Bool {
        let rowBytes = frame.width * 3
        let stride = (rowBytes + 3) & ~3
        guard let buffer = frameBuffers.acquire(size: stride * frame.height) else { return false }
        var map = GstMapInfo()
        guard gst_buffer_map(buffer, &map, GST_MAP_WRITE) != 0, let base = map.data else {
            gst_mini_object_unref(UnsafeMutableRawPointer(buffer).assumingMemoryBound(to: GstMiniObject.self))
            return false
        }
        frame.pixels.withUnsafeBufferPointer { src in
            if stride == rowBytes {
                base.update(from: src.baseAddress!, count: rowBytes * frame.height)
            } else {
                for row in 0..<frame.height {
                    (base + row * stride).update(from: src.baseAddress! + row * rowBytes, count: rowBytes)
                }
            }
        }
        gst_buffer_unmap(buffer, &map)
        return pushBuffer(buffer, pts: pts, duration: duration)
    }

    /// Whether the queue is full: a live (leaky) appsrc then drops a new buffer instead of
    /// queueing it, and the push does not return OK.
    var isFull: Bool {
        let max = gst_app_src_get_max_bytes(appsrc)
        return max > 0 && gst_app_src_get_current_level_bytes(appsrc) >= max
    }

    /// Pushes interleaved F32 audio.
    @discardableResult
    public func push(_ chunk: AudioChunk, pts: MediaTime) -> Bool {
        let bytes = chunk.samples.count * 4
        guard bytes > 0, let buffer = gst_buffer_new_allocate(nil, gsize(bytes), nil) else { return false }
        _ = chunk.samples.withUnsafeBytes { gst_buffer_fill(buffer, 0, $0.baseAddress, gsize(bytes)) }
        return pushBuffer(buffer, pts: pts, duration: chunk.duration)
    }

    /// Pushes an already-encoded buffer (RTSP relay); takes a new reference to it.
    @discardableResult
    func pushCopy(of buffer: UnsafeMutablePointer<GstBuffer>, pts: UInt64, dts: UInt64?) -> Bool {
        guard let copy = gst_buffer_copy(buffer) else { return false }
        cgst_buffer_set_pts(copy, GstClockTime(pts))
        cgst_buffer_set_dts(copy, dts.map { GstClockTime($0) } ?? clockTimeNone)
        return gst_app_src_push_buffer(appsrc, copy) == GST_FLOW_OK
    }

    private func pushBuffer(_ buffer: UnsafeMutablePointer<GstBuffer>, pts: MediaTime, duration: MediaTime?) -> Bool {
        cgst_buffer_set_pts(buffer, GstClockTime(max(0, pts.nanoseconds)))
        if let duration { cgst_buffer_set_duration(buffer, GstClockTime(max(0, duration.nanoseconds))) }
        // gst_app_src_push_buffer takes ownership of the buffer.
        return gst_app_src_push_buffer(appsrc, buffer) == GST_FLOW_OK
    }

    /// Signals the end of this stream.
    public func endOfStream() { _ = gst_app_src_end_of_stream(appsrc) }
}
