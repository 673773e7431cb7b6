import Foundation
import Restore
import Testing

private let fixtureDir = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("Fixtures/safetensors")

/// Builds a file from a header dictionary and raw payload, for hostile-input tests.
private func file(header: Any, payload: [UInt8], lengthOverride: UInt64? = nil) -> Data {
    let json = try! JSONSerialization.data(withJSONObject: header)
    var d = Data()
    var n = (lengthOverride ?? UInt64(json.count)).littleEndian
    withUnsafeBytes(of: &n) { d.append(contentsOf: $0) }
    d.append(json)
    d.append(contentsOf: payload)
    return d
}

@Suite("safetensors reader")
struct SafeTensorsReaderTests {
    @Test("reads a file written by Hugging Face's safetensors package (F32, F16, I64, U8, empty)")
    func referenceFile() throws {
        let f = try SafeTensorsFile(path: fixtureDir.appendingPathComponent("reference.safetensors").path)
        let expected = try JSONSerialization.jsonObject(with: Data(contentsOf: fixtureDir.appendingPathComponent("reference.json")))
            as! [String: [String: Any]]
        for name in ["f32", "f16"] {
            #expect(f.tensors[name]?.shape == expected[name]!["shape"] as? [Int])
            let values = (expected[name]!["values"] as! [Double]).map(Float.init)
            #expect(try f.floats(name) == values)
        }
        #expect(try f.int64s("i64") == [1, -2, 3_000_000_000])
        #expect(f.tensors["u8"]?.shape == [7] && f.tensors["empty"]?.shape == [0, 4])
        #expect(try f.floats("empty").isEmpty)
        #expect(f.metadata["profile"] == "fixture")
    }

    @Test("round trip with the project's writer")
    func roundTrip() throws {
        var w = SafeTensorsWriter()
        w.add("w", floats: [1, 2, 3, 4, 5, 6], shape: [2, 3])
        w.metadata = ["arch": "x"]
        let f = try SafeTensorsFile(data: try w.data())
        #expect(try f.floats("w") == [1, 2, 3, 4, 5, 6] && f.metadata == ["arch": "x"])
    }

    @Test("hostile files give typed errors naming the problem")
    func hostile() {
        let good: [String: Any] = ["a": ["dtype": "F32", "shape": [2], "data_offsets": [0, 8]]]
        let payload = [UInt8](repeating: 0, count: 8)
        let cases: [(Data, (SafeTensorsError) -> Bool)] = [
            (Data([1, 2, 3]), { if case .truncated = $0 { true } else { false } }),
            (file(header: good, payload: payload, lengthOverride: 1 << 40), { if case .badHeader = $0 { true } else { false } }),
            (file(header: good, payload: [0, 0, 0]), { if case .badOffsets = $0 { true } else { false } }),
            (file(header: ["a": ["dtype": "Q8", "shape": [2], "data_offsets": [0, 8]]], payload: payload),
             { if case .unsupportedDType = $0 { true } else { false } }),
            (file(header: ["a": ["dtype": "F32", "shape": [3], "data_offsets": [0, 8]]], payload: payload),
             { if case .badOffsets = $0 { true } else { false } }),
            (file(header: ["a": ["dtype": "F32", "shape": [-2], "data_offsets": [0, 8]]], payload: payload),
             { if case .badShape = $0 { true } else { false } }),
            (file(header: ["a": ["dtype": "F32", "shape": [1 << 40, 1 << 40], "data_offsets": [0, 8]]], payload: payload),
             { if case .badShape = $0 { true } else { false } }),
            (file(header: ["a": ["dtype": "F32", "shape": [1], "data_offsets": [0, 4]],
                           "b": ["dtype": "F32", "shape": [1], "data_offsets": [2, 6]]], payload: payload),
             { if case .badOffsets = $0 { true } else { false } }),
        ]
        for (data, matches) in cases {
            do {
                _ = try SafeTensorsFile(data: data)
                Issue.record("accepted a hostile file")
            } catch {
                #expect(matches(error), "\(error)")
                #expect(error.description.contains("export") || error.description.contains("truncated"))
            }
        }
        var nan = SafeTensorsWriter()
        nan.add("w", floats: [1, .nan], shape: [2])
        #expect(throws: SafeTensorsError.nonFinite(tensor: "w", index: 1)) { _ = try SafeTensorsFile(data: try nan.data()).floats("w") }
    }

    @Test("seeded fuzzing: mutated files never crash or hang (10^4 here; FACERESTORED_FUZZ_ITERATIONS for more)")
    func fuzz() throws {
        let seed = try Data(contentsOf: fixtureDir.appendingPathComponent("reference.safetensors"))
        let iterations = Int(ProcessInfo.processInfo.environment["FACERESTORED_FUZZ_ITERATIONS"] ?? "") ?? 10_000
        var rng = SeededGenerator(seed: 42)
        func next() -> UInt64 { rng.next() }
        var accepted = 0
        for _ in 0..<iterations {
            var bytes = [UInt8](seed)
            for _ in 0..<(1 + Int(next() % 4)) {
                let at = Int(next() % UInt64(bytes.count))
                switch next() % 3 {
                case 0: bytes[at] = UInt8(truncatingIfNeeded: next())
                case 1: bytes.removeSubrange(at..<min(bytes.count, at + Int(next() % 16)))
                default: bytes.insert(UInt8(truncatingIfNeeded: next()), at: at)
                }
                if bytes.isEmpty { bytes = [0] }
            }
            if let f = try? SafeTensorsFile(data: Data(bytes)) {
                accepted += 1
                for name in f.tensors.keys { _ = try? f.floats(name) }
            }
        }
        print("safetensors fuzz: \(iterations) inputs, \(accepted) accepted")
        #expect(accepted < iterations)
    }
}
