import CGst

/// Owns one reference to a GstElement and releases it in `deinit`.
///
/// `@unchecked Sendable`: GstElement is a thread-safe, reference-counted GObject; the wrapper
/// itself holds no mutable state.
public final class Element: @unchecked Sendable {
    let pointer: UnsafeMutablePointer<GstElement>

    /// Takes over a reference the caller already owns (transfer full).
    init(owning pointer: UnsafeMutablePointer<GstElement>) {
        self.pointer = pointer
    }

    /// Adds a reference to a borrowed pointer (transfer none).
    init(borrowing pointer: UnsafeMutablePointer<GstElement>) {
        cgst_object_ref(pointer)
        self.pointer = pointer
    }

    deinit { cgst_object_unref(pointer) }

    public var name: String {
        guard let n = gst_object_get_name(UnsafeMutableRawPointer(pointer).assumingMemoryBound(to: GstObject.self)) else { return "?" }
        defer { g_free(n) }
        return String(cString: n)
    }

    public func set(_ property: String, _ value: String) { cgst_set_property_string(pointer, property, value) }
    public func set(_ property: String, _ value: Bool) { cgst_set_property_bool(pointer, property, value ? 1 : 0) }
    public func set(_ property: String, uint64 value: UInt64) { cgst_set_property_uint64(pointer, property, guint64(value)) }
    public func hasProperty(_ property: String) -> Bool { cgst_has_property(pointer, property) != 0 }
    /// A property's value as GStreamer serialises it ("GST_RTSP_LOWER_TRANS_TCP", "true", "200"); nil if there is none.
    public func property(_ property: String) -> String? {
        guard let text = cgst_property_string(pointer, property) else { return nil }
        defer { g_free(text) }
        return String(cString: text)
    }

    /// The element's current running time (clock time minus base time); 0 before it has a clock.
    var runningTime: UInt64 {
        guard let clock = gst_element_get_clock(pointer) else { return 0 }
        defer { cgst_object_unref(clock) }
        let now = gst_clock_get_time(clock), base = gst_element_get_base_time(pointer)
        return now > base ? UInt64(now - base) : 0
    }

    var object: UnsafeMutablePointer<GstObject> {
        UnsafeMutableRawPointer(pointer).assumingMemoryBound(to: GstObject.self)
    }
    var bin: UnsafeMutablePointer<GstBin> {
        UnsafeMutableRawPointer(pointer).assumingMemoryBound(to: GstBin.self)
    }
}
