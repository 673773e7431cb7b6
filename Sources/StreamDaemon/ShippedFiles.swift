import Foundation

/// Finds files the project ships (the demo clip, the default weights) whether the binary runs
/// from a checkout (`.build/release/facerestored`) or from an install (`PREFIX/bin` with
/// `PREFIX/share/facerestored`).
enum ShippedFiles {
    /// Where `relative` (e.g. `models/realtime.safetensors`) may be, most specific first.
    static func candidates(_ relative: String) -> [String] {
        let exe = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        var out: [String] = []
        var dir = exe.deletingLastPathComponent()
        for _ in 0..<6 {
            out.append(dir.appendingPathComponent(relative).path)
            out.append(dir.appendingPathComponent("share/facerestored/\(relative)").path)
            dir = dir.deletingLastPathComponent()
        }
        out.append(URL(fileURLWithPath: FileManager.default.currentDirectoryPath).appendingPathComponent(relative).path)
        return out
    }

    static func find(_ relative: String) -> String? {
        candidates(relative).first { FileManager.default.fileExists(atPath: $0) }
    }
}

/// The shipped demo clip (GRID corpus, CC BY 4.0).
enum DemoClip {
    static let name = "grid_bbaf2n.mpg"
    static var path: String { ShippedFiles.find("data/\(name)") ?? "data/\(name)" }
}
