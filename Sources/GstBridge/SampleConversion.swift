import CGst
import Media

/// Copies GStreamer samples into Swift values. Rows of RGB video are 4-byte aligned in
/// GStreamer; Swift frames are tightly packed, so the copy drops the padding.
enum SampleConversion {
    static func videoFormat(of caps: UnsafeMutablePointer<GstCaps>) -> VideoFormat? {
        var info = GstVideoInfo()
        guard gst_video_info_from_caps(&info, caps) != 0 else { return nil }
        return VideoFormat(width: Int(info.width), height: Int(info.height),
                           frameRate: FrameRate(Int(info.fps_n), Int(info.fps_d)))
    }

    static func videoFrame(_ sample: OpaquePointer, sequence: Int, arrival: UInt64,
                           pool: FrameStoragePool) -> (VideoFrame, VideoFormat)? {
        guard let caps = gst_sample_get_caps(sample), let buffer = gst_sample_get_buffer(sample) else { return nil }
        var info = GstVideoInfo()
        guard gst_video_info_from_caps(&info, caps) != 0 else { return nil }
        let width = Int(info.width), height = Int(info.height)
        let stride = Int(info.stride.0)
        guard width > 0, height > 0, stride >= width * 3 else { return nil }
        var map = GstMapInfo()
        guard gst_buffer_map(buffer, &map, GST_MAP_READ) != 0 else { return nil }
        defer { gst_buffer_unmap(buffer, &map) }
        guard Int(map.size) >= stride * (height - 1) + width * 3, let base = map.data else { return nil }
        let rowBytes = width * 3
        let pixels = pool.fill(count: rowBytes * height) { out in
            if stride == rowBytes {
                out.baseAddress!.update(from: base, count: rowBytes * height)
            } else {
                for row in 0..<height {
                    (out.baseAddress! + row * rowBytes).update(from: base + row * stride, count: rowBytes)
                }
            }
        }
        let rt = cgst_sample_running_time(sample)
        let pts = rt == clockTimeNone ? MediaTime.zero : MediaTime(nanoseconds: Int64(rt))
        let d = cgst_buffer_duration(buffer)
        let format = VideoFormat(width: width, height: height, frameRate: FrameRate(Int(info.fps_n), Int(info.fps_d)))
        let frame = VideoFrame(width: width, height: height, pixels: pixels, pts: pts,
                               duration: d == clockTimeNone ? nil : MediaTime(nanoseconds: Int64(d)),
                               sequence: sequence, arrivalNanos: arrival)
        return (frame, format)
    }

    static func audioChunk(_ sample: OpaquePointer) -> AudioChunk? {
        guard let caps = gst_sample_get_caps(sample), let buffer = gst_sample_get_buffer(sample),
              let structure = gst_caps_get_structure(caps, 0) else { return nil }
        var rate: gint = 0, channels: gint = 0
        guard gst_structure_get_int(structure, "rate", &rate) != 0,
              gst_structure_get_int(structure, "channels", &channels) != 0,
              rate > 0, channels > 0 else { return nil }
        var map = GstMapInfo()
        guard gst_buffer_map(buffer, &map, GST_MAP_READ) != 0 else { return nil }
        defer { gst_buffer_unmap(buffer, &map) }
        let valueCount = Int(map.size) / MemoryLayout<Float>.size
        let usable = valueCount - valueCount % Int(channels)
        guard usable > 0, let base = map.data else { return nil }
        let samples = [Float](unsafeUninitializedCapacity: usable) { out, count in
            UnsafeMutableRawPointer(out.baseAddress!).copyMemory(from: base, byteCount: usable * 4)
            count = usable
        }
        let rt = cgst_sample_running_time(sample)
        let discont = (buffer.pointee.mini_object.flags & GST_BUFFER_FLAG_DISCONT.rawValue) != 0
        return AudioChunk(sampleRate: Int(rate), channels: Int(channels), samples: samples,
                          pts: rt == clockTimeNone ? .zero : MediaTime(nanoseconds: Int64(rt)),
                          discontinuity: discont)
    }
}
