import CGst

/// GStreamer's own buffer pool for the raw frames an appsrc sends: a buffer comes back to the pool
/// when the pipeline is done with it, so frames are not allocated anew.
///
/// Why: a fresh 2.7 MB buffer per 720p frame is an allocation the size of glibc's mmap threshold,
/// whose pages fault on first write whenever it gets a new mapping; recycling the few buffers in
/// flight takes that off the restoration thread (`perf stat` over `bench live --model none`:
/// 733 k → 75 k page faults in 20 s).
final class FrameBufferPool {
    let size: Int
    private let pool: UnsafeMutablePointer<GstBufferPool>

    /// nil when GStreamer refuses the configuration (the caller then allocates per frame).
    init?(size: Int, minimumBuffers: Int = 3) {
        guard size > 0, let pool = gst_buffer_pool_new() else { return nil }
        let config = gst_buffer_pool_get_config(pool)
        gst_buffer_pool_config_set_params(config, nil, guint(size), guint(minimumBuffers), 0)
        guard gst_buffer_pool_set_config(pool, config) != 0, gst_buffer_pool_set_active(pool, 1) != 0 else {
            gst_object_unref(UnsafeMutableRawPointer(pool))
            return nil
        }
        self.size = size
        self.pool = pool
    }

    deinit {
        // Buffers still in the pipeline hold their own reference to the pool and are freed on return.
        _ = gst_buffer_pool_set_active(pool, 0)
        gst_object_unref(UnsafeMutableRawPointer(pool))
    }

    /// A buffer of `size` bytes, owned by the caller (unref or push it).
    func acquire() -> UnsafeMutablePointer<GstBuffer>? {
        var buffer: UnsafeMutablePointer<GstBuffer>?
        guard gst_buffer_pool_acquire_buffer(pool, &buffer, nil) == GST_FLOW_OK else { return nil }
        return buffer
    }
}
