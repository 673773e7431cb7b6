import CGst

/// The output's frame buffers, recycled through a GstBufferPool: a buffer goes back to the pool
/// when the encoder and every branch have let go of it, and the next frame is copied into it.
///
/// Why: a fresh 2.8 MB `gst_buffer_new_allocate` per 720p frame is malloc churn of the kind that
/// leaves glibc's heap fragmented after a reconnect (see Media's FrameStoragePool). The pool has
/// no upper bound (max 0), so acquiring never blocks and never fails while the pool is active:
/// when every buffer is still downstream it allocates one more. It is only reconfigured when
/// the buffer size changes.
final class RecycledBufferPool: @unchecked Sendable {
    private var pool: UnsafeMutablePointer<GstBufferPool>?
    private var size = 0

    /// A writable buffer of `size` bytes (contents unspecified), or nil when GStreamer has none.
    func acquire(size wanted: Int) -> UnsafeMutablePointer<GstBuffer>? {
        if pool == nil || size != wanted { configure(size: wanted) }
        if let pool {
            var buffer: UnsafeMutablePointer<GstBuffer>?
            if gst_buffer_pool_acquire_buffer(pool, &buffer, nil) == GST_FLOW_OK, let buffer { return buffer }
        }
        return gst_buffer_new_allocate(nil, gsize(wanted), nil)
    }

    private func configure(size wanted: Int) {
        release()
        size = wanted
        guard let p = gst_buffer_pool_new() else { return }
        let config = gst_buffer_pool_get_config(p)
        gst_buffer_pool_config_set_params(config, nil, guint(wanted), 0, 0)
        guard gst_buffer_pool_set_config(p, config) != 0, gst_buffer_pool_set_active(p, 1) != 0 else {
            cgst_object_unref(p)
            return
        }
        pool = p
    }

    private func release() {
        guard let p = pool else { return }
        // Buffers still downstream keep the pool alive and are freed when they come back.
        _ = gst_buffer_pool_set_active(p, 0)
        cgst_object_unref(p)
        pool = nil
    }

    deinit { release() }
}
