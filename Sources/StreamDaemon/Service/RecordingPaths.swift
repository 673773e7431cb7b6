import Foundation
import GstBridge

/// Keeps a `file:` output of a long-running stream from overwriting what it already recorded.
///
/// Every session (after a reconnect, a reload or a service restart) builds a new output
/// pipeline, and a file sink truncates its file: the recording before the outage would be lost.
/// An existing file is therefore kept, and the session writes `name-1.ext`, `name-2.ext`, …
/// (the first free one), as segment numbering continues for `record:` outputs.
enum RecordingPaths {
    static func fresh(_ outputs: [OutputSpec], exists: (String) -> Bool = { FileManager.default.fileExists(atPath: $0) })
        -> (outputs: [OutputSpec], renamed: [(from: String, to: String)]) {
        var renamed: [(String, String)] = []
        let result = outputs.map { output -> OutputSpec in
            guard case .file(let path) = output, exists(path) else { return output }
            let url = URL(fileURLWithPath: path)
            let ext = url.pathExtension, stem = url.deletingPathExtension().path
            var n = 1
            var candidate: String { ext.isEmpty ? "\(stem)-\(n)" : "\(stem)-\(n).\(ext)" }
            while exists(candidate) { n += 1 }
            renamed.append((path, candidate))
            return .file(path: candidate)
        }
        return (result, renamed)
    }
}
