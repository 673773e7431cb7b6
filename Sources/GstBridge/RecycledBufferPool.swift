import CGst
import Media

/// The output's frame buffers, recycled through a GstBufferPool: a buffer goes back to the pool
/// when the encoder and every branch have let go of it, and the next frame is copied into it.
///
/// Why: a fresh 2.8 MB `gst_buffer_new_allocate` per 720p frame is malloc churn of the kind that
/// leaves glibc's heap fragmented after a reconnect (see Media's FrameStoragePool).
///
/// Why bounded: a GstBufferPool never frees a buffer while it is active, so an unbounded one
/// keeps as many as were ever downstream at once. Steady streaming has two or three in flight,
/// but whenever the encoder fell behind the queues before it filled, the pool grew by a frame
/// each time and stayed there: 5 buffers at start-up, 6 after 8 s, 7 after 41 s in a soak
/// session, each step 2.8 MB of RSS that lasted until the session ended (the within-session
/// RSS steps of README "Robustness"). So the pool keeps `limit` buffers, and a frame that
/// finds them all downstream gets a buffer of its own, freed (a mapping of its own, see
/// MallocTuning) when the encoder lets go of it. Acquiring never blocks.
final class RecycledBufferPool: @unchecked Sendable {
    /// Buffers the pool keeps at most. 4: steady streaming has 2–3 in flight; the live queues
    /// (appsrc 3 frames, then 2 + 2) hold more only while the encoder is behind, and a file's
    /// blocking queues that are full did not make one-offs cost anything measurable (README,
    /// "Robustness": `restore --model none` of a 720p clip, same time and page faults).
    let limit: Int
    private var pool: UnsafeMutablePointer<GstBufferPool>?
    private var size = 0
    private let counts = LockedValue(FrameBufferCounts())

    init(limit: Int = 4) {
        precondition(limit > 0, "a buffer pool needs room for at least one buffer")
        self.limit = limit
    }

    var counters: FrameBufferCounts { counts.get() }

    /// A writable buffer of `size` bytes (contents unspecified), or nil when GStreamer has none.
    func acquire(size wanted: Int) -> UnsafeMutablePointer<GstBuffer>? {
        if pool == nil || size != wanted { configure(size: wanted) }
        if let pool {
            var buffer: UnsafeMutablePointer<GstBuffer>?
            var params = GstBufferPoolAcquireParams()
            params.flags = GST_BUFFER_POOL_ACQUIRE_FLAG_DONTWAIT
            // With DONTWAIT an exhausted pool answers GST_FLOW_EOS instead of waiting.
            if gst_buffer_pool_acquire_buffer(pool, &buffer, &params) == GST_FLOW_OK, let buffer {
                counts.update { $0.pooled += 1 }
                return buffer
            }
        }
        counts.update { $0.oneOff += 1 }
        return gst_buffer_new_allocate(nil, gsize(wanted), nil)
    }

    private func configure(size wanted: Int) {
        release()
        size = wanted
        guard let p = gst_buffer_pool_new() else { return }
        let config = gst_buffer_pool_get_config(p)
        gst_buffer_pool_config_set_params(config, nil, guint(wanted), 0, guint(limit))
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

/// Where the output's frame buffers came from over a run (see RecycledBufferPool).
public struct FrameBufferCounts: Sendable, Equatable {
    /// Frames that got one of the pool's buffers.
    public var pooled = 0
    /// Frames that found every pooled buffer still downstream and got one of their own.
    public var oneOff = 0

    public init(pooled: Int = 0, oneOff: Int = 0) {
        self.pooled = pooled
        self.oneOff = oneOff
    }
}
