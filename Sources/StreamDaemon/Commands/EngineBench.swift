import ArgumentParser
import Foundation
import Restore

/// `facerestored bench engine` (alias `bench model`): milliseconds per face-frame of the Swift
/// engine on the chosen weights (EngineBenchmark: one new frame's features plus one restore per
/// frame, as a stream runs), its GFLOP/s against OpenBLAS sgemm, and — when the training
/// scripts and PyTorch are there — the same weights in PyTorch with the same thread count, all
/// in one run so that the ratios are not skewed by a busy machine.
struct EngineBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "engine",
        abstract: "Milliseconds per face-frame of the restoration engine, vs sgemm and PyTorch.",
        aliases: ["model"])

    @Option(help: "Weights: realtime, quality, or a .safetensors path.")
    var model: String = "realtime"

    @Option(help: "Frames measured (the median is reported).")
    var iterations: Int = 50

    @Option(help: "OpenBLAS threads (the daemon uses 1 per stream).")
    var threads: Int = 1

    @Flag(help: "Skip the PyTorch comparison (training/bench_torch.py with /usr/bin/python3).")
    var noTorch = false

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
        var torchLine = ""
        if !noTorch, let script = ShippedFiles.find("training/bench_torch.py"), let path = ModelLocator.path(of: model) {
            if let torchMs = Self.torchMilliseconds(script: script, model: path, threads: threads) {
                print(String(format: "PyTorch (training/bench_torch.py, same weights, %d thread%@): %.2f ms per face-frame → Swift is %.2f× faster",
                             threads, threads == 1 ? "" : "s", torchMs, torchMs / r.perFaceFrameMs))
                torchLine = String(format: " torch_ms=%.2f speedup_vs_pytorch=%.2f", torchMs, torchMs / r.perFaceFrameMs)
            } else {
                print("PyTorch comparison skipped: /usr/bin/python3 with torch could not run training/bench_torch.py")
            }
        }
        print(String(format: "per_face_frame_ms=%.2f features_ms=%.2f restore_ms=%.2f face_frames_per_s=%.1f budget_ratio_30fps=%.2f sgemm_gflops=%.1f engine_gflops=%.1f roofline_ratio=%.2f",
                     r.perFaceFrameMs, r.featuresMs, r.restoreMs, 1000 / r.perFaceFrameMs, r.perFaceFrameMs / (1000.0 / 30),
                     roof.gflops, engineGflops ?? .nan, (engineGflops ?? .nan) / roof.gflops) + torchLine)
    }

    /// Median ms per face-frame of PyTorch on the same file, or nil when it cannot run here.
    private static func torchMilliseconds(script: String, model: String, threads: Int) -> Double? {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        p.arguments = [script, model, "--threads", String(threads), "--iterations", "30"]
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        guard (try? p.run()) != nil else { return nil }
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        guard p.terminationStatus == 0 else { return nil }
        let text = String(decoding: data, as: UTF8.self)
        guard let line = text.split(separator: "\n").first(where: { $0.hasPrefix("torch_ms_per_face_frame=") }) else { return nil }
        return Double(line.dropFirst("torch_ms_per_face_frame=".count))
    }
}
