import CGst
import Foundation
import Media

/// What the video gate refused or saw change at the input's video branch.
public struct InputFaults: Sendable, Equatable {
    /// Zero-length frames (a capture driver's empty buffer, a broken muxer's empty packet).
    public var emptyFrames = 0
    /// Raw frames shorter than their caps say (they would make videoconvert fail the stream).
    public var malformedFrames = 0
    /// Frames larger than the size limit.
    public var oversizedFrames = 0
    public var resolutionChanges = 0
    public var frameRateChanges = 0
    /// Frames the source skipped (gaps in the decoded timestamps), and in how many gaps.
    public var missingFrames = 0
    public var missingGaps = 0
    /// The first oversized format seen, for the error message.
    public var oversized: VideoFormat?

    public init() {}
}

/// The largest source frame the daemon accepts: DCI 8K (8192×4320), either way round. One
/// RGB copy of it is 106 MB, and a stream keeps about 30 of them in flight; a corrupt or
/// hostile stream announcing 65535×65535 would ask for 12 GB a frame.
public struct FrameSizeLimit: Sendable, Equatable {
    public var maxSide: Int
    public var maxPixels: Int

    public static let standard = FrameSizeLimit(maxSide: 8192, maxPixels: 8192 * 4320)

    public init(maxSide: Int, maxPixels: Int) {
        self.maxSide = maxSide
        self.maxPixels = maxPixels
    }

    public func admits(width: Int, height: Int) -> Bool {
        width > 0 && height > 0 && max(width, height) <= maxSide && width * height <= maxPixels
    }

    public var description: String { "\(maxSide) px a side and \(maxPixels / 1_000_000) megapixels" }
}

/// A pad probe at the entrance of the input's video branch (decoded frames, before conversion
/// to RGB). It drops the frames that would otherwise fail the whole stream or exhaust memory,
/// counts them, and notes caps changes. GStreamer has no element for this: videoconvert errors
/// out on a short buffer instead of skipping it.
final class VideoGate: @unchecked Sendable {
    private let limit: FrameSizeLimit
    private let lock = NSLock()
    private var faults = InputFaults()
    /// The current caps' geometry, rate and frame size in bytes (nil size: not raw video).
    private var format: (width: Int, height: Int, fpsN: Int, fpsD: Int, size: Int?)?
    private var admitted = true
    private var gaps = FrameGapCounter()

    init(limit: FrameSizeLimit) { self.limit = limit }

    var counts: InputFaults { lock.withLock { faults } }

    func attach(to element: Element) {
        guard let pad = gst_element_get_static_pad(element.pointer, "sink") else { return }
        defer { cgst_object_unref(pad) }
        let mask = GstPadProbeType(GST_PAD_PROBE_TYPE_BUFFER.rawValue | GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM.rawValue)
        let box = Unmanaged.passRetained(self).toOpaque()
        _ = gst_pad_add_probe(pad, mask, { _, info, data in
            guard let info, let data else { return GST_PAD_PROBE_OK }
            let gate = Unmanaged<VideoGate>.fromOpaque(data).takeUnretainedValue()
            return gate.inspect(info)
        }, box, { data in
            if let data { Unmanaged<VideoGate>.fromOpaque(data).release() }
        })
    }

    private func inspect(_ info: UnsafeMutablePointer<GstPadProbeInfo>) -> GstPadProbeReturn {
        let type = info.pointee.type.rawValue
        if type & GST_PAD_PROBE_TYPE_BUFFER.rawValue != 0 {
            guard let buffer = info.pointee.data?.assumingMemoryBound(to: GstBuffer.self) else { return GST_PAD_PROBE_OK }
            let pts = cgst_buffer_pts(buffer)
            return admit(bytes: Int(gst_buffer_get_size(buffer)), pts: pts == clockTimeNone ? nil : UInt64(pts))
                ? GST_PAD_PROBE_OK : GST_PAD_PROBE_DROP
        }
        guard let event = info.pointee.data?.assumingMemoryBound(to: GstEvent.self) else { return GST_PAD_PROBE_OK }
        switch event.pointee.type {
        case GST_EVENT_CAPS:
            var caps: UnsafeMutablePointer<GstCaps>?
            gst_event_parse_caps(event, &caps)
            if let caps { capsChanged(caps) }
        case GST_EVENT_SEGMENT, GST_EVENT_FLUSH_STOP:
            // Timestamps before and after a new segment are on different timelines.
            lock.withLock { gaps.restart() }
        default: break
        }
        return GST_PAD_PROBE_OK
    }

    private func capsChanged(_ caps: UnsafeMutablePointer<GstCaps>) {
        var info = GstVideoInfo()
        let isRaw = gst_video_info_from_caps(&info, caps) != 0
        guard isRaw else { return }
        let next = (width: Int(info.width), height: Int(info.height), fpsN: Int(info.fps_n), fpsD: Int(info.fps_d),
                    size: Optional(Int(info.size)))
        lock.withLock {
            if let old = format {
                if old.width != next.width || old.height != next.height { faults.resolutionChanges += 1 }
                // 0/1 is "unknown or variable": decoders often announce it before the real rate.
                let known = old.fpsN > 0 && next.fpsN > 0
                if known && old.fpsN * max(next.fpsD, 1) != next.fpsN * max(old.fpsD, 1) { faults.frameRateChanges += 1 }
            }
            format = next
            admitted = limit.admits(width: next.width, height: next.height)
            if !admitted && faults.oversized == nil {
                faults.oversized = VideoFormat(width: next.width, height: next.height, frameRate: FrameRate(next.fpsN, next.fpsD))
            }
        }
    }

    private func admit(bytes: Int, pts: UInt64?) -> Bool {
        lock.withLock {
            // Every buffer moves the timeline on, refused ones too: they are counted as refused,
            // not as missing.
            let duration = format.flatMap { f in f.fpsN > 0 ? UInt64(1_000_000_000) * UInt64(max(f.fpsD, 1)) / UInt64(f.fpsN) : nil }
            gaps.observe(pts: pts, frameDuration: duration)
            faults.missingFrames = gaps.missing
            faults.missingGaps = gaps.gaps
            if bytes == 0 { faults.emptyFrames += 1; return false }
            if !admitted { faults.oversizedFrames += 1; return false }
            if let size = format?.size, bytes < size { faults.malformedFrames += 1; return false }
            return true
        }
    }
}
