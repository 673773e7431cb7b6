/// Everything that can go wrong in a GStreamer pipeline, phrased for the person running it:
/// each message says what happened and what to do about it.
public enum GstError: Error, Equatable, CustomStringConvertible, Sendable {
    case initializationFailed(String)
    /// A gst-launch description that does not parse (typo, unknown property, bad syntax).
    case invalidDescription(description: String, reason: String)
    /// An element or decoder that is not installed.
    case missingPlugin(what: String)
    /// The source cannot be opened or reached (missing file, camera absent, RTSP host down).
    case sourceUnavailable(source: String, reason: String)
    /// A runtime error posted on the bus by an element.
    case streamFailed(element: String, message: String, debug: String?)
    /// The source has no video stream we can decode.
    case noVideoStream(source: String)
    /// A pipeline refused to change state (usually followed by a more precise bus error).
    case stateChangeFailed(pipeline: String, detail: String)
    /// The output could not be built or written.
    case outputFailed(output: String, reason: String)
    /// Nothing arrived from the source in time.
    case timedOut(what: String, seconds: Double)
    /// The source's frames are larger than the daemon accepts.
    case frameTooLarge(source: String, width: Int, height: Int, limit: String)

    public var description: String {
        switch self {
        case .initializationFailed(let m):
            return "GStreamer could not be initialised: \(m). Check that the GStreamer 1.x runtime is installed (see README, Install)."
        case .invalidDescription(let d, let r):
            return "The pipeline description \"\(d)\" is invalid: \(r). Check the element names and properties with gst-inspect-1.0."
        case .missingPlugin(let w):
            return "A GStreamer plugin is missing: \(w). Install gstreamer1.0-plugins-{base,good,bad,ugly} and gstreamer1.0-libav (see README, Install)."
        case .sourceUnavailable(let s, let r):
            return "The source \(s) cannot be opened: \(r). Check that the file, camera or URL exists and is reachable."
        case .streamFailed(let e, let m, let d):
            let detail = d.map { " (\($0))" } ?? ""
            return "GStreamer element '\(e)' failed: \(m)\(detail)."
        case .noVideoStream(let s):
            return "The source \(s) has no decodable video stream. Point it at a source with video."
        case .stateChangeFailed(let p, let d):
            return "The \(p) pipeline could not start: \(d)."
        case .outputFailed(let o, let r):
            return "The output \(o) failed: \(r). Check the path or address and its permissions."
        case .timedOut(let w, let s):
            return "Timed out after \(String(format: "%.1f", s)) s waiting for \(w)."
        case .frameTooLarge(let s, let w, let h, let limit):
            return "The source \(s) sends \(w)x\(h) frames; facerestored takes up to \(limit). Scale them down in the source, "
                + "for example by ending its description with \"! videoscale ! video/x-raw,width=1920,height=1080\"."
        }
    }
}
