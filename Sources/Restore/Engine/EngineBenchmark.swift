import Foundation

/// Milliseconds per face-frame of the engine, streaming as a stream does: every frame one
/// `computeFeatures` (the new frame) and one `restore` (the window's centre), on synthetic inputs
/// (the arithmetic does not depend on the values). Single stream, the current BLAS thread count.
public enum EngineBenchmark {
    public struct Result: Sendable, CustomStringConvertible {
        public let model: String
        public let iterations: Int
        public let blasThreads: Int
        /// Median milliseconds of one computeFeatures.
        public let featuresMs: Double
        /// Median milliseconds of one restore (logits, argmax, lookup, decoder with modulation).
        public let restoreMs: Double
        /// featuresMs + restoreMs: the engine's cost per face-frame.
        public var perFaceFrameMs: Double { featuresMs + restoreMs }
        public let workspaceBytes: Int
        public let precision: EnginePrecision

        public var description: String {
            String(format: "%@, %@: %.2f ms per face-frame (computeFeatures %.2f ms + restore %.2f ms; median of %d, %d BLAS thread%@, workspace %.1f MB)",
                   model, precision.rawValue, perFaceFrameMs, featuresMs, restoreMs, iterations, blasThreads, blasThreads == 1 ? "" : "s",
                   Double(workspaceBytes) / 1e6)
        }
    }

    public static func run(modelPath: String, iterations: Int = 50, precision: EnginePrecision = .float32) throws(ModelError) -> Result {
        try run(model: try RestorationModel(path: modelPath), name: URL(fileURLWithPath: modelPath).lastPathComponent,
                iterations: iterations, precision: precision)
    }

    /// - Throws: `ModelError.precisionUnavailable` when `precision` cannot run on this CPU.
    public static func run(model: RestorationModel, name: String, iterations: Int = 50,
                           precision: EnginePrecision = .float32) throws(ModelError) -> Result {
        let a = model.architecture
        var rng = SplitMix(seed: 42)
        let side = a.imageSize
        // A smooth face-sized pattern with noise: realistic value ranges for the ReLUs.
        let crop = (0..<a.cropBytes).map { i -> UInt8 in
            let p = i / 3, y = p / side, x = p % side
            return UInt8(truncatingIfNeeded: (x + 2 * y + (i % 3) * 40) / 3 + Int(rng.next() % 16))
        }
        let fhog = (0..<a.fhogCount).map { _ in rng.unit() * 0.4 }
        let mfcc = (0..<a.mfccCount).map { _ in rng.unit() * 20 - 10 }
        let flow = (0..<a.flowCount).map { _ in rng.unit() * 4 - 2 }
        let workspace = try model.makeWorkspace(precision: precision)
        var window = (0..<a.window).map { _ in model.makeFrameFeatures() }
        var featureTimes: [Double] = [], restoreTimes: [Double] = []
        let clock = ContinuousClock()
        crop.withUnsafeBufferPointer { c in
            fhog.withUnsafeBufferPointer { h in
                mfcc.withUnsafeBufferPointer { m in
                    flow.withUnsafeBufferPointer { f in
                        for w in window { model.computeFeatures(crop: c, fhog: h, mfcc: m, into: w, workspace: workspace) }
                        // Two warm-up frames: first-touch page faults and OpenBLAS's buffers.
                        for i in -2..<iterations {
                            // The oldest frame's holder takes the new frame, as a stream's cache does.
                            let newest = window.removeFirst()
                            window.append(newest)
                            let t0 = clock.now
                            model.computeFeatures(crop: c, fhog: h, mfcc: m, into: newest, workspace: workspace)
                            let t1 = clock.now
                            _ = model.restore(window: window, flow: a.useModulation ? f : nil, workspace: workspace)
                            let t2 = clock.now
                            if i >= 0 {
                                featureTimes.append(milliseconds(t1 - t0))
                                restoreTimes.append(milliseconds(t2 - t1))
                            }
                        }
                    }
                }
            }
        }
        return Result(model: "\(name) (\(a.profile)/\(a.variant))", iterations: iterations, blasThreads: BLASThreads.current,
                      featuresMs: median(featureTimes), restoreMs: median(restoreTimes), workspaceBytes: workspace.byteCount,
                      precision: precision)
    }

    private static func milliseconds(_ d: Duration) -> Double {
        Double(d.components.seconds) * 1e3 + Double(d.components.attoseconds) * 1e-15
    }

    private static func median(_ values: [Double]) -> Double {
        guard !values.isEmpty else { return 0 }
        let s = values.sorted()
        return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
    }

    /// Deterministic inputs without Foundation's random generator (seeded, reproducible figures).
    private struct SplitMix {
        var state: UInt64
        init(seed: UInt64) { state = seed }
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        mutating func unit() -> Float { Float(next() >> 40) / Float(1 << 24) }
    }
}
