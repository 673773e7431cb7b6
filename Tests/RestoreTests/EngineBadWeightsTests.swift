import Foundation
import Restore
import Testing

/// Broken model files give the right ModelError, naming the file and the tensor, and never crash.
/// Each case is the committed tiny model with one thing changed.
@Suite("engine bad weights")
final class EngineBadWeightsTests {
    let source: SafeTensorsFile
    let directory: URL

    init() throws {
        source = try EngineFixtures.file("tiny.safetensors")
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("engine-bad-weights-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: directory) }

    /// The tiny model rewritten with `change` applied to its tensors and metadata; returns the path.
    func variant(_ name: String, change: (inout [String: (values: [Float], shape: [Int])], inout [String: String]) -> Void) throws -> String {
        var tensors: [String: (values: [Float], shape: [Int])] = [:]
        for (n, t) in source.tensors { tensors[n] = (try source.floats(n), t.shape) }
        var metadata = source.metadata
        change(&tensors, &metadata)
        var writer = SafeTensorsWriter()
        for (n, t) in tensors { writer.add(n, floats: t.values, shape: t.shape) }
        writer.metadata = metadata
        let path = directory.appendingPathComponent(name).path
        try writer.write(to: path)
        return path
    }

    func load(_ path: String) -> ModelError? {
        do {
            _ = try RestorationModel(path: path)
            return nil
        } catch {
            return error
        }
    }

    @Test("the unchanged rewrite loads (so the failures below are the changes')")
    func control() throws {
        #expect(load(try variant("same.safetensors") { _, _ in }) == nil)
    }

    @Test("missing or truncated file → unreadable, naming the file")
    func truncated() throws {
        let whole = try Data(contentsOf: URL(fileURLWithPath: EngineFixtures.path("tiny.safetensors")))
        for keep in [0, 7, 100, whole.count / 2, whole.count - 1] {
            let path = directory.appendingPathComponent("cut-\(keep).safetensors").path
            try whole.prefix(keep).write(to: URL(fileURLWithPath: path))
            guard case .unreadable(let p, _)? = load(path) else {
                Issue.record("\(keep) bytes: \(String(describing: load(path)))")
                continue
            }
            #expect(p == path)
        }
        let absent = directory.appendingPathComponent("absent.safetensors").path
        #expect({ if case .unreadable? = load(absent) { true } else { false } }())
    }

    @Test("a tensor with the wrong shape → wrongShape naming it")
    func wrongShape() throws {
        let path = try variant("shape.safetensors") { t, _ in
            t["decoder.convs.2.weight"]!.shape = [8, 4, 3, 3]  // in and out swapped: same size
        }
        let error = load(path)
        #expect(error == .wrongShape(path: path, tensor: "decoder.convs.2.weight", expected: [4, 8, 3, 3], actual: [8, 4, 3, 3]))
        #expect(error?.description.contains("decoder.convs.2.weight") == true)
    }

    @Test("NaN or infinite weight → badValue naming the tensor and element")
    func nonFinite() throws {
        for (name, value) in [("blocks.1.conv.weight", Float.nan), ("head.bias", Float.infinity)] {
            let path = try variant("nan.safetensors") { t, _ in t[name]!.values[5] = value }
            guard case .badValue(let p, let tensor, let index, _)? = load(path) else {
                Issue.record("\(name): \(String(describing: load(path)))")
                continue
            }
            #expect(p == path && tensor == name && index == 5)
        }
    }

    @Test("values that would make NaN: negative BatchNorm variance, zero MFCC deviation")
    func poisonous() throws {
        for name in ["blocks.0.bn.running_var", "audio.std"] {
            let path = try variant("poison.safetensors") { t, _ in t[name]!.values[3] = -1 }
            guard case .badValue(_, let tensor, 3, _)? = load(path) else {
                Issue.record("\(name): \(String(describing: load(path)))")
                continue
            }
            #expect(tensor == name)
        }
    }

    @Test("not a facerestored model → notAModel with the format found")
    func wrongFormat() throws {
        let other = try variant("other.safetensors") { _, m in m["format"] = "pytorch" }
        #expect(load(other) == .notAModel(path: other, format: "pytorch"))
        let none = try variant("none.safetensors") { _, m in m = [:] }
        #expect(load(none) == .notAModel(path: none, format: nil))
        // A real safetensors file that is something else entirely.
        let foreign = EngineFixtures.root.appendingPathComponent("Tests/Fixtures/safetensors/reference.safetensors").path
        #expect(load(foreign) == .notAModel(path: foreign, format: nil))
    }

    @Test("stage-1 export → stage1")
    func stage1() throws {
        let path = try variant("stage1.safetensors") { _, m in m["stage"] = "1" }
        #expect(load(path) == .stage1(path: path))
        #expect(load(path)?.description.contains("--stage 2") == true)
    }

    @Test("missing and extra tensors")
    func missingAndExtra() throws {
        let missing = try variant("missing.safetensors") { t, _ in t["modulation.conv2.bias"] = nil }
        #expect(load(missing) == .missingTensor(path: missing, tensor: "modulation.conv2.bias", expectedShape: [8]))
        let extra = try variant("extra.safetensors") { t, _ in t["z_proj.weight"] = ([1, 2], [2]) }
        #expect(load(extra) == .unexpectedTensors(path: extra, tensors: ["z_proj.weight"]))
    }

    @Test("architecture metadata: missing, not JSON, missing field, inconsistent, unsupported")
    func architecture() throws {
        let json = source.metadata["architecture"]!
        let cases: [(String, (inout [String: String]) -> Void)] = [
            ("absent", { $0["architecture"] = nil }),
            ("not JSON", { $0["architecture"] = "{" }),
            ("field missing", { $0["architecture"] = json.replacingOccurrences(of: "\"codes\"", with: "\"kodes\"") }),
            ("latent", { $0["architecture"] = json.replacingOccurrences(of: "\"latent\": 16", with: "\"latent\": 8") }),
            ("huge", { $0["architecture"] = json.replacingOccurrences(of: "\"image_size\": 256", with: "\"image_size\": 1048576") }),
            ("modulation level", { $0["architecture"] = json.replacingOccurrences(of: "\"modulation_level\": 4", with: "\"modulation_level\": 8") }),
            ("eps", { $0["batchnorm_eps"] = "zero" }),
        ]
        for (label, change) in cases {
            let path = try variant("arch.safetensors") { _, m in change(&m) }
            guard case .badArchitecture(let p, let reason)? = load(path) else {
                Issue.record("\(label): \(String(describing: load(path)))")
                continue
            }
            #expect(p == path, "\(label): \(reason)")
        }
    }

    @Test("metadata from one profile, weights of another → a shape error, not a crash")
    func mismatchedProfile() throws {
        let path = try variant("mismatch.safetensors") { _, m in
            m["architecture"] = m["architecture"]!.replacingOccurrences(of: "\"code_dim\": 4", with: "\"code_dim\": 5")
        }
        guard case .wrongShape? = load(path) else {
            Issue.record("\(String(describing: load(path)))")
            return
        }
    }
}
