import Dispatch
import Foundation
import Restore
import Testing

/// One model shared by several streams, each with its own workspace and frame holders, as the
/// daemon runs it: every thread must get exactly the single-threaded result.
@Suite("engine shared by threads")
struct EngineConcurrencyTests {
    /// The restored image and codes for a synthetic window, on the calling thread.
    static func restore(_ model: RestorationModel, seed: UInt64) -> ([Int32], [Float]) {
        let a = model.architecture
        var rng = SeededGenerator(seed: seed)
        // Random draws for 10^5-value inputs are slow in debug builds: a short random table, tiled.
        let table = (0..<997).map { _ in Float.random(in: 0...1, using: &rng) }
        func values(_ n: Int, offset: Int, scale: Float, shift: Float) -> [Float] { (0..<n).map { table[($0 + offset) % 997] * scale + shift } }
        let workspace = model.makeWorkspace()
        let window = (0..<a.window).map { _ in model.makeFrameFeatures() }
        let flow = values(a.flowCount, offset: 1, scale: 4, shift: -2)
        for (t, features) in window.enumerated() {
            let crop = values(a.cropBytes, offset: 7 * t, scale: 255, shift: 0).map { UInt8($0) }
            let fhog = values(a.fhogCount, offset: 11 * t, scale: 0.4, shift: 0)
            let mfcc = values(a.mfccCount, offset: 13 * t, scale: 20, shift: -10)
            crop.withUnsafeBufferPointer { c in
                fhog.withUnsafeBufferPointer { h in
                    mfcc.withUnsafeBufferPointer { m in
                        model.computeFeatures(crop: c, fhog: h, mfcc: m, into: features, workspace: workspace)
                    }
                }
            }
        }
        return flow.withUnsafeBufferPointer { f in
            let out = model.restore(window: window, flow: f, workspace: workspace)
            return (out.codes, Array(out.image))
        }
    }

    @Test("4 threads × 3 windows on one shared model equal the serial results")
    func sharedModel() throws {
        // The 64² variant: the 256² one takes seconds in a debug build.
        let model = try RestorationModel(path: EngineFixtures.path("tiny64-2d-cnn.safetensors"))
        let serial = (0..<4).map { Self.restore(model, seed: UInt64($0)) }
        let results = LockedResults(count: 4)
        DispatchQueue.concurrentPerform(iterations: 4) { i in
            for _ in 0..<3 { results.set(i, Self.restore(model, seed: UInt64(i))) }
        }
        for i in 0..<4 {
            let r = results.get(i)
            #expect(r?.0 == serial[i].0 && r?.1 == serial[i].1, "thread \(i)")
        }
        // Different inputs must give different outputs, or the comparison above proves nothing.
        #expect(serial[0].1 != serial[1].1)
    }

    /// Results written by the worker threads.
    final class LockedResults: @unchecked Sendable {  // every access holds `lock`
        private let lock = NSLock()
        private var values: [([Int32], [Float])?]
        init(count: Int) { values = Array(repeating: nil, count: count) }
        func set(_ i: Int, _ v: ([Int32], [Float])) { lock.withLock { values[i] = v } }
        func get(_ i: Int) -> ([Int32], [Float])? { lock.withLock { values[i] } }
    }
}
