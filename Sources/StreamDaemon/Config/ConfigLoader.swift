import Foundation
import GstBridge
import Restore
import Yams

/// Reads and validates a stream's YAML config, reporting every problem with its line.
enum ConfigLoader {
    static let topLevelKeys = ["source", "live", "outputs", "encoder", "model", "restore", "latency_budget_ms", "metrics"]

    /// A config anyone else can write is a way to run pipelines as the service (a source
    /// description can name any GStreamer element): say so.
    static func permissionWarning(path: String) -> String? {
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: path),
              let mode = (attributes[.posixPermissions] as? NSNumber)?.intValue else { return nil }
        guard mode & 0o022 != 0 else { return nil }
        return "\(path) is writable by \(mode & 0o002 != 0 ? "everyone" : "its group") (mode \(String(mode, radix: 8))); "
            + "anyone who can edit it controls what the service runs: chmod go-w \(path)"
    }

    static func load(path: String) throws -> StreamConfig {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigError(file: path, issues: [ConfigIssue(line: 1, column: 1,
                message: "cannot read the file (missing or not readable)")])
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ConfigError(file: path, issues: [ConfigIssue(line: 1, column: 1, message: "the file is not UTF-8 text")])
        }
        return try parse(text, file: path)
    }

    static func parse(_ text: String, file: String = "<config>") throws -> StreamConfig {
        let root: Node
        do {
            guard let node = try Yams.compose(yaml: text) else {
                throw ConfigError(file: file, issues: [ConfigIssue(line: 1, column: 1, message: "the file is empty; it needs at least 'source' and 'outputs'")])
            }
            root = node
        } catch let error as YamlError {
            throw ConfigError(file: file, issues: [issue(from: error)])
        }
        let r = YAMLReader()
        let config = read(root, r)
        if !r.issues.isEmpty || config == nil {
            throw ConfigError(file: file, issues: r.issues.sorted { ($0.line, $0.column) < ($1.line, $1.column) })
        }
        return config!
    }

    private static func issue(from error: YamlError) -> ConfigIssue {
        switch error {
        case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _), .composer(_, let problem, let mark, _):
            return ConfigIssue(line: mark.line, column: mark.column, message: "YAML syntax: \(problem)")
        default:
            return ConfigIssue(line: 1, column: 1, message: "YAML: \(error)")
        }
    }

    private static func read(_ root: Node, _ r: YAMLReader) -> StreamConfig? {
        guard let top = r.mapping(root, section: "the file", allowed: topLevelKeys) else { return nil }
        var live = r.bool(top["live"], "live")
        var source: SourceSpec?
        if let node = top["source"] {
            if node.scalar != nil, let text = r.string(node, "source") {
                if text.trimmingCharacters(in: .whitespaces).isEmpty { r.fail(node, "'source' is empty") }
                else { source = SourceSpec(parsing: text) }
            } else if let m = r.mapping(node, section: "source", allowed: ["uri", "pipeline", "live"]) {
                if let uri = r.string(m["uri"], "uri") { source = SourceSpec(uri: uri) }
                if let p = r.string(m["pipeline"], "pipeline") { source = SourceSpec(launch: p) }
                if m["uri"] != nil && m["pipeline"] != nil { r.fail(node, "give either 'uri' or 'pipeline', not both") }
                if m["uri"] == nil && m["pipeline"] == nil { r.fail(node, "'source' needs 'uri' or 'pipeline'") }
                if let l = r.bool(m["live"], "live") { live = l }
            }
        } else {
            r.fail(root, "missing 'source' (a URI, a file path or a gst-launch source description)")
        }
        var outputs: [OutputSpec] = []
        var credentials: RTSPCredentials?
        if let node = top["outputs"] {
            if let items = node.sequence {
                for item in items { if let o = readOutput(item, r, credentials: &credentials) { outputs.append(o) } }
                if items.isEmpty { r.fail(node, "'outputs' is empty; add rtsp, record, file or sink") }
            } else {
                r.fail(node, "'outputs' must be a list (lines starting with '- ')")
            }
        } else {
            r.fail(root, "missing 'outputs' (a list of rtsp, record, file or sink)")
        }
        var encoder = EncoderSettings()
        if let node = top["encoder"],
           let m = r.mapping(node, section: "encoder", allowed: ["video_codec", "audio_codec", "bitrate_kbps", "keyframe_seconds"]) {
            if let v = r.choice(m["video_codec"], "video_codec", VideoCodec.self) { encoder.videoCodec = v }
            if let a = r.choice(m["audio_codec"], "audio_codec", AudioCodec.self) { encoder.audioCodec = a }
            if let b = r.int(m["bitrate_kbps"], "bitrate_kbps", range: 100...100_000) { encoder.videoBitrateKbps = b }
            if let k = r.double(m["keyframe_seconds"], "keyframe_seconds", range: 0.1...60) { encoder.keyframeIntervalSeconds = k }
        }
        var restore = RestoreSettings()
        if let m = r.string(top["model"], "model") { restore.model = m }
        if let node = top["restore"],
           let m = r.mapping(node, section: "restore", allowed: ["max_faces", "detection_width", "detect_every", "full_scan_every", "smoothing", "gamma", "code_hysteresis", "audio", "precision"]) {
            if let v = r.int(m["max_faces"], "max_faces", range: 1...32) { restore.maxFaces = v }
            if let v = r.int(m["detection_width"], "detection_width", range: 80...7680) { restore.detectionWidth = v }
            if let v = r.int(m["detect_every"], "detect_every", range: 1...300) { restore.detectEvery = v }
            if let v = r.int(m["full_scan_every"], "full_scan_every", range: 1...3000) { restore.fullScanEvery = v }
            if let v = r.choice(m["smoothing"], "smoothing", RestoreSettings.Smoothing.self) { restore.smoothing = v }
            if let v = r.double(m["gamma"], "gamma", range: 0...1) { restore.gamma = v }
            if let v = r.double(m["code_hysteresis"], "code_hysteresis", range: 0...100) { restore.codeHysteresis = v }
            if let v = r.bool(m["audio"], "audio") { restore.useAudio = v }
            if let v = r.choice(m["precision"], "precision", PrecisionChoice.self) { restore.precision = v }
        }
        let budget = r.double(top["latency_budget_ms"], "latency_budget_ms", range: 10...10_000) ?? 150
        var listen: String?
        if let node = top["metrics"], let m = r.mapping(node, section: "metrics", allowed: ["listen"]) {
            // Loopback unless the operator says otherwise: metrics are not for the network.
            listen = "127.0.0.1:9464"
            if let l = r.string(m["listen"], "listen") {
                if l.split(separator: ":").count < 2 || Int(l.split(separator: ":").last!) == nil {
                    r.fail(m["listen"], "'listen' must be HOST:PORT, e.g. 127.0.0.1:9464")
                } else {
                    listen = l
                }
            }
        }
        guard let source else { return nil }
        return StreamConfig(source: source, live: live, outputs: outputs, encoder: encoder, restore: restore,
                            latencyBudgetMs: budget, metricsListen: listen, rtspCredentials: credentials)
    }

    private static func readOutput(_ node: Node, _ r: YAMLReader, credentials: inout RTSPCredentials?) -> OutputSpec? {
        guard let m = r.mapping(node, section: "an output", allowed: ["rtsp", "record", "file", "sink"]) else { return nil }
        guard m.count == 1, let (kind, value) = m.first else {
            if !m.isEmpty { r.fail(node, "each output has exactly one of rtsp, record, file, sink") }
            return nil
        }
        switch kind {
        case "file":
            if value.scalar != nil { return r.string(value, "file").map { .file(path: $0) } }
            guard let f = r.mapping(value, section: "file", allowed: ["path"]) else { return nil }
            guard let p = r.string(f["path"], "path") else { r.fail(value, "'file' needs 'path'"); return nil }
            return .file(path: p)
        case "rtsp":
            guard let f = r.mapping(value, section: "rtsp", allowed: ["port", "path", "address", "user", "password"]) else { return nil }
            let user = r.string(f["user"], "user"), password = r.string(f["password"], "password")
            if (user == nil) != (password == nil) { r.fail(value, "RTSP authentication needs both 'user' and 'password'") }
            if let user, let password { credentials = RTSPCredentials(user: user, password: password) }
            let port = r.int(f["port"], "port", range: 1...65535) ?? 8554
            var path = r.string(f["path"], "path") ?? "/stream"
            if !path.hasPrefix("/") { path = "/" + path }
            let address = r.string(f["address"], "address") ?? "127.0.0.1"
            return .rtsp(address: address, port: port, path: path)
        case "record":
            guard let f = r.mapping(value, section: "record", allowed: ["directory", "segment_seconds", "container"]) else { return nil }
            guard let dir = r.string(f["directory"], "directory") else { r.fail(value, "'record' needs 'directory'"); return nil }
            let seconds = r.int(f["segment_seconds"], "segment_seconds", range: 1...86_400) ?? 60
            var container = OutputSpec.Container.mkv
            if let c = r.string(f["container"], "container") {
                if let parsed = OutputSpec.Container(pathExtension: c) { container = parsed }
                else { r.fail(f["container"], "'container' must be mkv or mp4, got '\(c)'") }
            }
            return .segments(directory: dir, seconds: seconds, container: container)
        default:
            if value.scalar != nil { return r.string(value, "sink").map { .sink(video: $0, audio: nil) } }
            guard let f = r.mapping(value, section: "sink", allowed: ["video", "audio"]) else { return nil }
            guard let v = r.string(f["video"], "video") else { r.fail(value, "'sink' needs 'video'"); return nil }
            return .sink(video: v, audio: r.string(f["audio"], "audio"))
        }
    }
}
