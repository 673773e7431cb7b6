import Foundation

/// The librosa fixtures in Tests/Fixtures/mfcc (made by make_mfcc_fixtures.py).
struct MFCCFixture {
    let name: String
    let input: [Float]
    /// librosa.feature.mfcc with the model's parameters (top_db = 80), frame-major.
    let mfcc: [Float]
    /// The same with power_to_db(top_db=None), frame-major.
    let mfccNoTopDb: [Float]
    let frames: Int
    /// The frame holding the largest unclipped log-mel value (librosa's top_db reference).
    let loudestFrame: Int

    struct Missing: Error, CustomStringConvertible {
        let description: String
    }

    static func load(_ name: String) throws -> MFCCFixture {
        let dir = try directory()
        let manifest = try JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent("manifest.json")))
        guard let entry = ((manifest as? [String: Any])?["fixtures"] as? [String: Any])?[name] as? [String: Any],
              let frames = entry["frames"] as? Int, let samples = entry["samples"] as? Int,
              let loudest = entry["loudest_frame"] as? Int else {
            throw Missing(description: "manifest.json has no fixture '\(name)'; rerun make_mfcc_fixtures.py")
        }
        let fixture = MFCCFixture(name: name, input: try floats(dir, "\(name).input.f32"),
                                  mfcc: try floats(dir, "\(name).mfcc.f32"),
                                  mfccNoTopDb: try floats(dir, "\(name).mfcc_notopdb.f32"), frames: frames,
                                  loudestFrame: loudest)
        guard fixture.input.count == samples, fixture.mfcc.count == frames * 80, fixture.mfccNoTopDb.count == frames * 80 else {
            throw Missing(description: "fixture '\(name)' does not match its manifest; rerun make_mfcc_fixtures.py")
        }
        return fixture
    }

    /// Walks up from this source file to Tests/Fixtures/mfcc.
    static func directory(from file: String = #filePath) throws -> URL {
        var dir = URL(fileURLWithPath: file).deletingLastPathComponent()
        while dir.path != "/" {
            let candidate = dir.appendingPathComponent("Fixtures/mfcc")
            if FileManager.default.fileExists(atPath: candidate.appendingPathComponent("manifest.json").path) {
                return candidate
            }
            dir.deleteLastPathComponent()
        }
        throw Missing(description: "Tests/Fixtures/mfcc not found above \(file)")
    }

    private static func floats(_ dir: URL, _ file: String) throws -> [Float] {
        let data = try Data(contentsOf: dir.appendingPathComponent(file))
        return data.withUnsafeBytes { raw in
            (0..<(data.count / 4)).map { Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 4, as: UInt32.self))) }
        }
    }
}

func maxAbsDifference(_ a: some Collection<Float>, _ b: some Collection<Float>) -> Float {
    precondition(a.count == b.count, "compared arrays differ in length: \(a.count) vs \(b.count)")
    return zip(a, b).reduce(0) { max($0, abs($1.0 - $1.1)) }
}

/// Deterministic generator for chunk sizes and test signals (SplitMix64).
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
