import Foundation

/// Where the shipped demo clip is: next to the installed binary's share folder, or in the
/// source tree when run from a checkout.
enum DemoClip {
    static let name = "grid_bbaf2n.mpg"

    static var path: String {
        let exe = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        var candidates: [URL] = []
        var dir = exe.deletingLastPathComponent()
        for _ in 0..<6 {
            candidates.append(dir.appendingPathComponent("data/\(name)"))
            candidates.append(dir.appendingPathComponent("share/facerestored/data/\(name)"))
            dir = dir.deletingLastPathComponent()
        }
        candidates.append(URL(fileURLWithPath: FileManager.default.currentDirectoryPath).appendingPathComponent("data/\(name)"))
        return candidates.first { FileManager.default.fileExists(atPath: $0.path) }?.path ?? "data/\(name)"
    }
}
