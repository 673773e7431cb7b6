import Foundation

/// Where frames come from: a URI (file://, rtsp://, http://…), a local file path, or a
/// gst-launch description of the source elements (`v4l2src device=/dev/video0`,
/// `rtspsrc location=rtsp://… latency=200`, `videotestsrc is-live=true ! …`).
public struct SourceSpec: Sendable, Equatable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        case uri(String)
        case launch(String)
    }

    public let kind: Kind

    public init(uri: String) { kind = .uri(uri) }
    public init(launch: String) { kind = .launch(launch) }

    /// Interprets a command-line or config value: a URI, an existing file path, or a description.
    public init(parsing text: String) {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.range(of: #"^[a-zA-Z][a-zA-Z0-9+.-]*://\S+$"#, options: .regularExpression) != nil {
            kind = .uri(trimmed)
        } else if FileManager.default.fileExists(atPath: trimmed)
                    || (!trimmed.contains("!") && !trimmed.contains("=") && !trimmed.contains(" ") && !Gst.hasElement(trimmed)) {
            kind = .uri(URL(fileURLWithPath: trimmed).absoluteString)
        } else {
            kind = .launch(trimmed)
        }
    }

    /// Live sources must never be blocked and have no end; files are read as fast as possible.
    public var looksLive: Bool {
        switch kind {
        case .uri:
            return ["rtsp", "rtsps", "rtspt", "rtspu", "rtsph", "udp", "srt", "rtmp", "v4l2"].contains(uriScheme ?? "")
        case .launch(let d):
            let liveElements = ["v4l2src", "rtspsrc", "udpsrc", "srtsrc", "libcamerasrc", "pipewiresrc",
                                "ximagesrc", "rtmpsrc", "souphttpsrc is-live=true", "is-live=true"]
            return liveElements.contains { d.contains($0) }
        }
    }

    /// How an RTSP URI's media travel. rtspsrc reads the scheme: `rtspu://` is UDP only,
    /// `rtspt://` TCP only; for plain `rtsp://` the daemon picks TCP (rtspsrc alone would try
    /// UDP first and wait 5 s for a packet before falling back).
    public enum RTSPTransport: Sendable, Equatable { case tcp, asSchemeSays }

    /// nil when the source is not an RTSP URI.
    public var rtspTransport: RTSPTransport? {
        guard let scheme = uriScheme, scheme.hasPrefix("rtsp") else { return nil }
        return scheme == "rtsp" ? .tcp : .asSchemeSays
    }

    /// A URI's scheme, lower-cased; nil for a description.
    private var uriScheme: String? {
        guard case .uri(let u) = kind else { return nil }
        return u.split(separator: ":").first.map { $0.lowercased() } ?? ""
    }

    /// A local file this source reads, if any (used to report "missing file" before starting).
    public var localFile: String? {
        switch kind {
        case .uri(let u):
            guard let url = URL(string: u), url.isFileURL else { return nil }
            return url.path
        case .launch(let d):
            guard d.hasPrefix("filesrc"),
                  let m = d.range(of: #"location=("[^"]+"|\S+)"#, options: .regularExpression) else { return nil }
            return String(d[m].dropFirst("location=".count)).trimmingCharacters(in: CharacterSet(charactersIn: "\""))
        }
    }

    /// The spec as it may appear in logs: user names and passwords in URLs are replaced.
    public var description: String {
        switch kind {
        case .uri(let u): return CredentialRedactor.redact(u)
        case .launch(let d): return CredentialRedactor.redact(d)
        }
    }
}

/// Removes credentials from anything that may carry a URL, before it reaches a log line.
public enum CredentialRedactor {
    public static func redact(_ text: String) -> String {
        var out = text.replacingOccurrences(
            of: #"([a-zA-Z][a-zA-Z0-9+.-]*://)[^/@\s"]+@"#, with: "$1***@", options: .regularExpression)
        out = out.replacingOccurrences(
            of: #"((?:user-pw|user-id|password|passwd)\s*=\s*)("[^"]*"|\S+)"#, with: "$1***",
            options: [.regularExpression, .caseInsensitive])
        return out
    }
}
