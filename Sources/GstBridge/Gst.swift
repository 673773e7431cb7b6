import CGst

/// Process-wide GStreamer initialisation. `gst_init` is idempotent and thread-safe after the
/// first call; the result of that first call is kept in an immutable global.
public enum Gst {
    private static let initResult: String? = {
        guard let message = cgst_init() else { return nil }
        defer { g_free(message) }
        return String(cString: message)
    }()

    /// Initialises GStreamer once; throws if the runtime is unusable.
    public static func initialize() throws(GstError) {
        if let failure = initResult { throw .initializationFailed(failure) }
    }

    /// True when an element factory of that name is installed.
    public static func hasElement(_ name: String) -> Bool {
        guard (try? initialize()) != nil else { return false }
        guard let factory = gst_element_factory_find(name) else { return false }
        gst_object_unref(UnsafeMutableRawPointer(factory))
        return true
    }

    public static var version: String {
        guard let v = gst_version_string() else { return "unknown" }
        defer { g_free(v) }
        return String(cString: v)
    }
}

/// GStreamer's "no time" value (GST_CLOCK_TIME_NONE does not import into Swift).
let clockTimeNone: GstClockTime = cgst_clock_time_none()
