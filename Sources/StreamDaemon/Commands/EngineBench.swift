import ArgumentParser
import Foundation
import Restore

/// `facerestored bench engine`: milliseconds per face-frame of the Swift engine on the chosen
/// weights (EngineBenchmark: one new frame's features plus one restore per frame, as a stream
/// runs), and the face-frames per second that allows on one core.
struct EngineBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "engine",
        abstract: "Milliseconds per face-frame of the restoration engine (features + restore).")

    @Option(help: "Weights: realtime, quality, or a .safetensors path.")
    var model: String = "realtime"

    @Option(help: "Frames measured (the median is reported).")
    var iterations: Int = 50

    @Option(help: "OpenBLAS threads (the daemon uses 1 per stream).")
    var threads: Int = 1

    func validate() throws {
        guard iterations >= 1 && iterations <= 100_000 else { throw ValidationError("--iterations must be in 1…100000") }
        guard threads >= 1 && threads <= 64 else { throw ValidationError("--threads must be in 1…64") }
    }

    func run() throws {
        guard let weights = try ModelLocator.load(model) else {
            throw CLIError("--model none has no engine to measure; use realtime, quality or a path")
        }
        BLASThreads.set(threads)
        let r = EngineBenchmark.run(model: weights, name: model, iterations: iterations)
        print("facerestored bench engine — \(ProcessorFactory.describe(weights))")
        print(r)
        let roof = SgemmRoofline.measure()
        // FLOPs per streamed face-frame, written by training/export.py from training/flops.py.
        let gflop = weights.metadata["gflop_per_face_frame"].flatMap(Double.init)
        let engineGflops = gflop.map { $0 / (r.perFaceFrameMs / 1000) }
        print(String(format: "sgemm %dx%dx%d: %.1f GFLOP/s (%d thread%@)", roof.m, roof.n, roof.k, roof.gflops, threads, threads == 1 ? "" : "s"))
        if let gflop, let engineGflops {
            print(String(format: "engine: %.3f GFLOP per face-frame → %.1f GFLOP/s = %.0f %% of sgemm (conv/linear FLOPs over the whole time, "
                         + "im2col, activations, lookup, modulation included)", gflop, engineGflops, 100 * engineGflops / roof.gflops))
        } else {
            print("engine GFLOP/s: the weights carry no gflop_per_face_frame (exported before it was recorded)")
        }
        print(String(format: "per_face_frame_ms=%.2f features_ms=%.2f restore_ms=%.2f face_frames_per_s=%.1f budget_ratio_30fps=%.2f sgemm_gflops=%.1f engine_gflops=%.1f roofline_ratio=%.2f",
                     r.perFaceFrameMs, r.featuresMs, r.restoreMs, 1000 / r.perFaceFrameMs, r.perFaceFrameMs / (1000.0 / 30),
                     roof.gflops, engineGflops ?? .nan, (engineGflops ?? .nan) / roof.gflops))
    }
}
