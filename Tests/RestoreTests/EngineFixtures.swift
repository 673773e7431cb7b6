import Foundation
@testable import Restore

/// The engine's PyTorch fixtures (Tests/Fixtures/engine, made by make_fixtures.py) and the
/// repository paths of the other model files the parity test runs on when they exist.
enum EngineFixtures {
    /// The repository root, found from this source file.
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let directory = root.appendingPathComponent("Tests/Fixtures/engine")

    static func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    static func file(_ name: String) throws -> SafeTensorsFile { try SafeTensorsFile(path: path(name)) }

    static func exists(_ relative: String) -> Bool {
        FileManager.default.fileExists(atPath: root.appendingPathComponent(relative).path)
    }
}

/// An owned float array handed to the engine's pointer APIs.
extension Array where Element == Float {
    func pointer<R>(_ body: (UnsafePointer<Float>) -> R) -> R { withUnsafeBufferPointer { body($0.baseAddress!) } }
}

/// [C][T][H][W] (PyTorch's conv3d layout) ↔ frame-major [T][C][H][W] (the engine's).
func frameMajor(_ x: [Float], channels: Int, frames: Int, plane: Int) -> [Float] {
    var out = [Float](repeating: 0, count: x.count)
    for c in 0..<channels {
        for t in 0..<frames {
            for i in 0..<plane { out[(t * channels + c) * plane + i] = x[(c * frames + t) * plane + i] }
        }
    }
    return out
}
