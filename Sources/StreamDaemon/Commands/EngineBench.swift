import ArgumentParser
import Foundation
import Restore

/// `facerestored bench engine` (alias `bench model`): milliseconds per face-frame of the Swift
/// engine on the chosen weights (EngineBenchmark: one new frame's features plus one restore per
/// frame, as a stream runs), its GFLOP/s against OpenBLAS sgemm, and — when the training
/// scripts and PyTorch are there — the same weights in PyTorch with the same thread count, in
/// interleaved rounds of one run so that the ratios are not skewed by a busy or drifting machine.
struct EngineBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "engine",
        abstract: "Milliseconds per face-frame of the restoration engine, vs sgemm and PyTorch.",
        aliases: ["model"])

    @Option(help: "Weights: realtime, quality, or a .safetensors path.")
    var model: String = "realtime"

    @Option(help: "Frames measured per round (each round reports its median).")
    var iterations: Int = 20

    @Option(help: "Rounds of engine, sgemm and PyTorch, interleaved; ratios are taken within each round.")
    var rounds: Int = 5

    @Option(help: "OpenBLAS threads (the daemon uses 1 per stream).")
    var threads: Int = 1

    @Option(help: "Arithmetic of the wide convolutions: auto (bfloat16 on CPUs with AVX512_BF16 or AMX, else float32), float32 or bfloat16. With bfloat16 each round also runs float32, for the ratio.")
    var precision: String = "auto"

    @Flag(help: "Also time every decoder convolution in float32 and in oneDNN bfloat16, alternately.")
    var layers = false

    @Flag(help: "Skip the PyTorch comparison (training/bench_torch.py with /usr/bin/python3).")
    var noTorch = false

    func validate() throws {
        guard iterations >= 1 && iterations <= 100_000 else { throw ValidationError("--iterations must be in 1…100000") }
        guard rounds >= 1 && rounds <= 100 else { throw ValidationError("--rounds must be in 1…100") }
        guard threads >= 1 && threads <= 64 else { throw ValidationError("--threads must be in 1…64") }
        guard PrecisionChoice(rawValue: precision) != nil else { throw ValidationError("--precision must be one of \(PrecisionChoice.names)") }
    }

    /// One round: the engine, sgemm and PyTorch measured back to back.
    private struct Round {
        let engine: EngineBenchmark.Result
        /// The float32 engine in the same round, when `engine` is bfloat16.
        let float32: EngineBenchmark.Result?
        let sgemmGflops: Double
        let torchMs: Double?
    }

    func run() throws {
        guard let weights = try ModelLocator.load(model) else {
            throw CLIError("--model none has no engine to measure; use realtime, quality or a path")
        }
        BLASThreads.set(threads)
        let chosen = PrecisionChoice(rawValue: precision)!.resolved
        // FLOPs per streamed face-frame, written by training/export.py from training/flops.py.
        let gflop = weights.metadata["gflop_per_face_frame"].flatMap(Double.init)
        let torch = noTorch ? nil : ShippedFiles.find("training/bench_torch.py").flatMap { s in ModelLocator.path(of: model).map { (s, $0) } }
        // Why rounds: this VM's speed drifts by 30 % within minutes, so a ratio of two figures
        // taken a minute apart measured the drift as much as the engine. Each round's ratios
        // compare measurements seconds apart; the median round is reported.
        var all: [Round] = []
        for _ in 0..<rounds {
            let r = try EngineBenchmark.run(model: weights, name: model, iterations: iterations, precision: chosen)
            let f = chosen == .float32 ? nil : try EngineBenchmark.run(model: weights, name: model, iterations: iterations)
            let roof = SgemmRoofline.measure()
            let t = torch.flatMap { Self.torchMilliseconds(script: $0.0, model: $0.1, threads: threads, iterations: iterations) }
            all.append(Round(engine: r, float32: f, sgemmGflops: roof.gflops, torchMs: t))
        }
        let byTime = all.sorted { $0.engine.perFaceFrameMs < $1.engine.perFaceFrameMs }
        let r = byTime[byTime.count / 2].engine
        print("facerestored bench engine — \(ProcessorFactory.describe(weights, precision: chosen))")
        print(r)
        if let f = byTime[byTime.count / 2].float32 { print(f) }
        let plural = threads == 1 ? "" : "s"
        // The roofline and PyTorch columns compare like with like: the float32 engine (run in
        // every round) against float32 sgemm and float32 PyTorch; bfloat16 gets its own columns.
        let withBF16 = chosen == .bfloat16
        print(String(format: "round  engine ms  sgemm GFLOP/s  engine GFLOP/s  %% of sgemm  PyTorch ms  Swift faster%@  (float32 engine; %d rounds of %d frames, %d thread%@)",
                     withBF16 ? "  bf16 ms  bf16 faster" : "", rounds, iterations, threads, plural))
        var roofRatios: [Double] = [], speedups: [Double] = []
        for (i, x) in all.enumerated() {
            let ms = (x.float32 ?? x.engine).perFaceFrameMs
            let gf = gflop.map { $0 / (ms / 1000) }
            if let gf { roofRatios.append(gf / x.sgemmGflops) }
            if let t = x.torchMs { speedups.append(t / ms) }
            var cells = [gf.map { String(format: "%.1f", $0) }, gf.map { String(format: "%.0f %%", 100 * $0 / x.sgemmGflops) },
                         x.torchMs.map { String(format: "%.2f", $0) }, x.torchMs.map { String(format: "%.2f×", $0 / ms) }]
            var widths = [14, 10, 10, 12]
            if withBF16 {
                cells += [String(format: "%.2f", x.engine.perFaceFrameMs), String(format: "%.2f×", ms / x.engine.perFaceFrameMs)]
                widths += [7, 11]
            }
            let padded = zip(cells, widths).map { cell, width in
                let text = cell ?? "-"
                return String(repeating: " ", count: max(0, width - text.count)) + text
            }
            print(String(format: "%5d  %9.2f  %13.1f  ", i + 1, ms, x.sgemmGflops) + padded.joined(separator: "  "))
        }
        let sgemm = Self.median(all.map(\.sgemmGflops))!
        if let gflop, let roof = Self.median(roofRatios) {
            print(String(format: "engine: %.3f GFLOP per face-frame; median round %.0f %% of sgemm (range %.0f–%.0f %%; conv/linear FLOPs over the whole time, "
                         + "im2col, activations, lookup, modulation included)", gflop, 100 * roof, 100 * roofRatios.min()!, 100 * roofRatios.max()!))
        } else {
            print("engine GFLOP/s: the weights carry no gflop_per_face_frame (exported before it was recorded)")
        }
        var torchLine = ""
        if let speedup = Self.median(speedups) {
            let torchMs = Self.median(all.compactMap(\.torchMs))!
            print(String(format: "PyTorch (training/bench_torch.py, same weights, float32, %d thread%@): median round the float32 Swift engine is %.2f× faster (range %.2f–%.2f×)",
                         threads, plural, speedup, speedups.min()!, speedups.max()!))
            torchLine = String(format: " torch_ms=%.2f speedup_vs_pytorch=%.2f", torchMs, speedup)
        } else if torch != nil {
            print("PyTorch comparison skipped: /usr/bin/python3 with torch could not run training/bench_torch.py")
        }
        var precisionLine = ""
        let bf16Speedups = all.compactMap { x in x.float32.map { $0.perFaceFrameMs / x.engine.perFaceFrameMs } }
        if let speedup = Self.median(bf16Speedups), let f32 = Self.median(all.compactMap(\.float32?.perFaceFrameMs)) {
            print(String(format: "bfloat16 convolutions (oneDNN): median round %.2f× faster than the float32 engine per face-frame (range %.2f–%.2f×; float32 median %.2f ms)",
                         speedup, bf16Speedups.min()!, bf16Speedups.max()!, f32))
            precisionLine = String(format: " float32_ms=%.2f bf16_speedup=%.2f", f32, speedup)
        }
        if layers { try Self.printLayers(weights, iterations: iterations) }
        let ms = Self.median(all.map(\.engine.perFaceFrameMs))!
        let float32Ms = Self.median(all.map { ($0.float32 ?? $0.engine).perFaceFrameMs })!
        let roofRatio = Self.median(roofRatios) ?? .nan
        print(String(format: "per_face_frame_ms=%.2f features_ms=%.2f restore_ms=%.2f face_frames_per_s=%.1f budget_ratio_30fps=%.2f sgemm_gflops=%.1f engine_gflops=%.1f roofline_ratio=%.2f",
                     ms, r.featuresMs, r.restoreMs, 1000 / ms, ms / (1000.0 / 30),
                     sgemm, gflop.map { $0 / (float32Ms / 1000) } ?? .nan, roofRatio) + torchLine + precisionLine + " precision=\(chosen.rawValue)")
    }

    private static func printLayers(_ model: RestorationModel, iterations: Int) throws {
        let layers = try DecoderLayerBenchmark.run(model: model, iterations: max(iterations, 10))
        print("decoder convolutions, median ms (float32 im2col + sgemm | oneDNN bfloat16 with reorders; alternating):")
        for l in layers {
            let name = l.name.padding(toLength: 30, withPad: " ", startingAt: 0)
            print(String(format: "  %@ %7.3f | %7.3f  %5.2f×  %@, runs in %@", name, l.float32Ms, l.bfloat16Ms, l.float32Ms / l.bfloat16Ms,
                         l.kernel, l.chosen.rawValue))
        }
        let f = layers.reduce(0) { $0 + $1.float32Ms }, b = layers.reduce(0) { $0 + $1.bfloat16Ms }
        print(String(format: "  all %.2f | %.2f ms  %.2f×", f, b, f / b))
    }

    static func median(_ values: [Double]) -> Double? {
        guard !values.isEmpty else { return nil }
        let s = values.sorted()
        return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
    }

    /// Median ms per face-frame of PyTorch on the same file, or nil when it cannot run here.
    private static func torchMilliseconds(script: String, model: String, threads: Int, iterations: Int) -> Double? {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        p.arguments = [script, model, "--threads", String(threads), "--iterations", String(iterations)]
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
