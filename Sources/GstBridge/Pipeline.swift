import CGst
import Foundation
import Media

/// What a pipeline's bus reported.
public enum BusEvent: Sendable {
    case endOfStream
    case error(GstError)
    case warning(String)
}

/// Owns a GstPipeline built from a gst-launch description, and its bus.
public final class Pipeline: @unchecked Sendable {
    /// "input", "output", …: used in messages.
    public let label: String
    public let launchDescription: String
    let element: Element
    private let bus: UnsafeMutablePointer<GstBus>
    /// Names the user's source in errors raised by source elements.
    private let sourceLabel: String?
    /// Warnings popped while looking for errors during `play`, handed out by `nextEvent` next.
    private let heldWarnings = LockedValue<[String]>([])

    /// Parses `description` (gst-launch syntax) into a pipeline.
    public init(description: String, label: String, sourceLabel: String? = nil) throws(GstError) {
        try Gst.initialize()
        var message: UnsafeMutablePointer<CChar>?
        var code: Int32 = 0
        guard let raw = cgst_parse_launch(description, &message, &code) else {
            let reason = message.map { String(cString: $0) } ?? "unknown parse error"
            g_free(message)
            throw Pipeline.parseError(description: sourceLabel ?? description, reason: reason, code: code)
        }
        self.label = label
        self.launchDescription = description
        self.sourceLabel = sourceLabel
        self.element = Element(owning: raw)
        self.bus = gst_element_get_bus(raw)
    }

    deinit {
        gst_element_set_state(element.pointer, GST_STATE_NULL)
        cgst_object_unref(bus)
    }

    static func parseError(description: String, reason: String, code: Int32) -> GstError {
        // GST_PARSE_ERROR_NO_SUCH_ELEMENT == 1: a typo or an element whose plugin is missing.
        if code == 1 {
            return .invalidDescription(description: description,
                                       reason: "\(reason) (a typo, or its plugin is not installed)")
        }
        return .invalidDescription(description: description, reason: reason)
    }

    /// A named element of the pipeline (gst_bin_get_by_name).
    public func element(named name: String) -> Element? {
        guard let e = gst_bin_get_by_name(element.bin, name) else { return nil }
        return Element(owning: e)
    }

    /// The first element made by `factory` anywhere in the pipeline (inside decodebins too).
    public func element(madeBy factory: String) -> Element? {
        cgst_find_by_factory(element.pointer, factory).map { Element(owning: $0) }
    }

    /// Sets the pipeline to PLAYING and waits until it is there (or is live and flowing).
    /// Errors posted on the bus while starting are thrown as typed errors. A pipeline fed by
    /// appsrc cannot preroll before it gets data: pass `waitForPreroll: false` for those.
    public func play(timeout: Double = 10, waitForPreroll: Bool = true) throws(GstError) {
        let result = gst_element_set_state(element.pointer, GST_STATE_PLAYING)
        if result == GST_STATE_CHANGE_FAILURE {
            throw firstBusError() ?? .stateChangeFailed(pipeline: label, detail: "no details were posted")
        }
        if result == GST_STATE_CHANGE_NO_PREROLL { return }
        if !waitForPreroll {
            if let error = pollError() { throw error }
            return
        }
        let deadline = Date(timeIntervalSinceNow: timeout)
        while Date() < deadline {
            if let error = pollError() { throw error }
            let step = gst_element_get_state(element.pointer, nil, nil, 50_000_000)
            if step == GST_STATE_CHANGE_SUCCESS || step == GST_STATE_CHANGE_NO_PREROLL { return }
            if step == GST_STATE_CHANGE_FAILURE {
                throw firstBusError() ?? .stateChangeFailed(pipeline: label, detail: "no details were posted")
            }
        }
        throw .timedOut(what: "the \(label) pipeline to start", seconds: timeout)
    }

    /// Stops the pipeline and releases its resources (files are closed by then).
    public func stop() {
        gst_element_set_state(element.pointer, GST_STATE_NULL)
        _ = gst_element_get_state(element.pointer, nil, nil, 2_000_000_000)
    }

    /// Pops the next error/warning/EOS message, waiting up to `timeout` seconds.
    public func nextEvent(timeout: Double) -> BusEvent? {
        if let held = heldWarnings.update({ $0.isEmpty ? nil : $0.removeFirst() }) { return .warning(held) }
        return popBus(timeout: timeout)
    }

    /// The bus alone, without the held warnings: `pollError` holds what it pops here, and going
    /// through `nextEvent` would hand it the same warning back forever.
    private func popBus(timeout: Double) -> BusEvent? {
        let mask = GST_MESSAGE_ERROR.rawValue | GST_MESSAGE_EOS.rawValue | GST_MESSAGE_WARNING.rawValue
        let ns = GstClockTime(max(0, timeout) * 1e9)
        guard let message = gst_bus_timed_pop_filtered(bus, ns, GstMessageType(rawValue: mask)) else { return nil }
        defer { cgst_message_unref(message) }
        return translate(message)
    }

    /// Waits for EOS (true) or an error (thrown), up to `timeout` seconds (false on time-out).
    public func waitForEndOfStream(timeout: Double) throws(GstError) -> Bool {
        let deadline = Date(timeIntervalSinceNow: timeout)
        while Date() < deadline {
            switch nextEvent(timeout: min(0.1, max(0, deadline.timeIntervalSinceNow))) {
            case .endOfStream: return true
            case .error(let e): throw e
            case .warning, nil: continue
            }
        }
        return false
    }

    private func pollError() -> GstError? {
        while let event = popBus(timeout: 0) {
            switch event {
            case .error(let e): return e
            case .warning(let w): heldWarnings.update { $0.append(w) }
            case .endOfStream: break
            }
        }
        return nil
    }

    private func firstBusError() -> GstError? {
        let deadline = Date(timeIntervalSinceNow: 1)
        while Date() < deadline {
            if case .error(let e) = nextEvent(timeout: 0.1) { return e }
        }
        return nil
    }

    private func translate(_ message: UnsafeMutablePointer<GstMessage>) -> BusEvent? {
        let type = message.pointee.type
        if type == GST_MESSAGE_EOS { return .endOfStream }
        var debug: UnsafeMutablePointer<CChar>?
        var missing: gboolean = 0
        var resource: gboolean = 0
        guard let text = cgst_message_parse_error(message, &debug, &missing, &resource) else { return nil }
        defer { g_free(text); g_free(debug) }
        let source = cgst_message_src_name(message).map { String(cString: $0) } ?? "?"
        let body = String(cString: text)
        let detail = debug.map { String(cString: $0) }
        if type == GST_MESSAGE_WARNING { return .warning("\(source): \(body)") }
        if source.hasPrefix("typefind") {
            // decodebin could not even tell the format: an empty, truncated or non-media file.
            return .error(.sourceUnavailable(source: sourceLabel ?? source,
                                             reason: "its format is not recognised (\(body.trimmingCharacters(in: CharacterSet(charactersIn: ".")))); it may be empty, truncated or not a video"))
        }
        if missing != 0 { return .error(.missingPlugin(what: "\(body) [\(source)]")) }
        if resource != 0 {
            if let sourceLabel {
                return .error(.sourceUnavailable(source: sourceLabel, reason: "\(body) [\(source)]"))
            }
            return .error(.outputFailed(output: source, reason: body))
        }
        return .error(.streamFailed(element: source, message: body, debug: detail.map(Self.shorten)))
    }

    /// GStreamer debug strings carry source paths and call stacks; the last line is the useful one.
    private static func shorten(_ debug: String) -> String {
        let last = debug.split(separator: "\n").last.map(String.init) ?? debug
        return last.count > 300 ? String(last.prefix(300)) + "…" : last
    }
}
