import Foundation
import Testing
@testable import StreamDaemon

/// Seeded property-based fuzzing of the config loader: mutated configs must give a config or a
/// ConfigError, never a crash or a hang. 10^4 inputs here; FACERESTORED_FUZZ_ITERATIONS=100000
/// runs the 10^5 of the reliability target.
@Suite("Config loader fuzzing")
struct ConfigFuzzTests {
    static let seedConfig = """
        source:
          uri: "rtsp://user:pw@cam/stream"
        outputs:
          - rtsp: {port: 8554, path: /face, user: a, password: b}
          - record: {directory: /tmp/rec, segment_seconds: 60, container: mkv}
          - file: out.mp4
          - sink: {video: autovideosink, audio: autoaudiosink}
        encoder: {video_codec: h264, audio_codec: aac, bitrate_kbps: 4000, keyframe_seconds: 1}
        model: realtime
        restore: {max_faces: 4, detect_every: 5, smoothing: causal, gamma: 0.7, audio: true}
        latency_budget_ms: 150
        metrics: {listen: 127.0.0.1:9464}
        """

    static let tokens = ["{", "}", "[", "]", ":", "- ", "\n", "  ", "\"", "'", "&a", "*a", "!!int", "|", ">", "#",
                         "-1", "1e309", "NaN", "~", "null", "true", "?", "%YAML 1.2", "---", "...", "\t", "\u{0}",
                         "\u{FEFF}", "é", String(repeating: "[", count: 64), String(repeating: "a", count: 300)]

    static func mutate(_ text: String, _ rng: inout SeededGenerator) -> String {
        var bytes = Array(text.utf8)
        for _ in 0..<(1 + rng.below(4)) {
            let at = rng.below(bytes.count + 1)
            switch rng.below(4) {
            case 0 where !bytes.isEmpty: bytes.remove(at: min(at, bytes.count - 1))
            case 1: bytes.insert(contentsOf: Array(tokens[rng.below(tokens.count)].utf8), at: at)
            case 2 where !bytes.isEmpty: bytes[min(at, bytes.count - 1)] = UInt8(truncatingIfNeeded: rng.next())
            default:
                let cut = rng.below(bytes.count + 1)
                bytes = Array(bytes[..<min(cut, bytes.count)]) + Array(bytes[min(at, bytes.count)...])
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    @Test("mutated configs give a typed result, never a crash, and errors carry a position")
    func fuzz() {
        let iterations = Int(ProcessInfo.processInfo.environment["FACERESTORED_FUZZ_ITERATIONS"] ?? "") ?? 10_000
        var rng = SeededGenerator(seed: 42)
        var accepted = 0, rejected = 0
        let started = Date()
        for _ in 0..<iterations {
            let input = Self.mutate(Self.seedConfig, &rng)
            do {
                _ = try ConfigLoader.parse(input, file: "fuzz.yaml")
                accepted += 1
            } catch let e as ConfigError {
                rejected += 1
                #expect(!e.issues.isEmpty && e.issues.allSatisfy { $0.line >= 1 && $0.column >= 1 })
            } catch {
                Issue.record("untyped error \(error) for input \(input.debugDescription)")
            }
        }
        print("config fuzz: \(iterations) inputs, \(accepted) accepted, \(rejected) rejected, "
              + String(format: "%.1f s", Date().timeIntervalSince(started)))
        #expect(accepted + rejected == iterations)
        #expect(accepted > 0 && rejected > 0)
    }
}
