import Foundation
import Restore
import Testing

@Suite("engine benchmark")
struct EngineBenchmarkTests {
    @Test("runs and reports finite positive times for both stages")
    func tiny() throws {
        let r = try EngineBenchmark.run(modelPath: EngineFixtures.path("tiny.safetensors"), iterations: 3)
        #expect(r.iterations == 3)
        #expect(r.featuresMs > 0 && r.featuresMs.isFinite && r.restoreMs > 0 && r.restoreMs.isFinite)
        #expect(r.workspaceBytes > 0 && r.description.contains("tiny"))
    }

    /// FACERESTORED_ENGINE_BENCH=path/to/model.safetensors, in a release build
    /// (`swift test -c release -Xswiftc -enable-testing --filter EngineBenchmark`): prints the
    /// figures and holds the realtime profile to the 30 fps budget of one core (other profiles are
    /// only reported: `quality` is for offline use).
    @Test("speed of a real profile", .enabled(if: ProcessInfo.processInfo.environment["FACERESTORED_ENGINE_BENCH"] != nil,
                                             "set FACERESTORED_ENGINE_BENCH to a model path (release build) to measure"))
    func realProfile() throws {
        let path = ProcessInfo.processInfo.environment["FACERESTORED_ENGINE_BENCH"]!
        let r = try EngineBenchmark.run(modelPath: path, iterations: 50)
        print("engine benchmark: \(r)")
        if r.model.contains("(realtime/") { #expect(r.perFaceFrameMs < 33, "\(r)") }
    }
}

@Suite("engine BLAS threads")
struct EngineBLASThreadsTests {
    @Test("the OpenBLAS thread count can be set")
    func settable() {
        let before = BLASThreads.current
        BLASThreads.set(2)
        #expect(BLASThreads.current == 2)
        BLASThreads.set(0)
        #expect(BLASThreads.current == 1, "at least one thread")
        BLASThreads.set(before)
        #expect(BLASThreads.current == before)
    }
}
