import ArgumentParser
import Foundation
import GstBridge
import Logging
import Media
import Restore

/// `facerestored bench live`: a 1280×720@30 talking-face source delivered at its frame rate (as
/// a camera does) through decode → face front end + model → H.264/AAC encode, with the live
/// overload policy. Prints frames/s, the share of frames that fell back to passthrough, added
/// latency, where the CPU went, and resident memory at the start and the end.
///
/// The source is the shipped clip looped and scaled to 720p (letterboxed; two clips side by
/// side for `--faces 2`) by ffmpeg into a temporary file first, so the measurement has real
/// faces and speech and costs no camera.
struct LiveBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "live",
        abstract: "Frames/s, passthrough share, latency, CPU per stage and RSS of a live 720p30 stream with faces.")

    @Option(help: "Seconds of live video.")
    var duration: Int = 60

    @Option(help: "Faces in the picture: 1 (the demo clip) or 2 (two clips side by side).")
    var faces: Int = 1

    @Option(help: "Weights: realtime, quality, none or a .safetensors path.")
    var model: String = "realtime"

    @Option(help: "Temporal smoothing: causal, paper or off.")
    var smoothing: String = "causal"

    @Option(help: "Run the face detector every N frames (the tracker follows in between).")
    var detectEvery: Int = RestoreSettings().detectEvery

    @Option(help: "While faces are tracked, frames between whole-frame detections (1: every detection scans the whole frame).")
    var fullScanEvery: Int = RestoreSettings().fullScanEvery

    @Option(help: "Frames older than this when their turn comes pass through (ms).")
    var latencyBudgetMs: Double = 150

    @Option(help: "Arithmetic of the wide convolutions: auto (bfloat16 on CPUs with AVX512_BF16 or AMX), float32 or bfloat16.")
    var precision: String = "auto"

    func validate() throws {
        guard (5...7200).contains(duration) else { throw ValidationError("--duration must be 5…7200 seconds") }
        guard faces == 1 || faces == 2 else { throw ValidationError("--faces must be 1 or 2") }
        guard (1...300).contains(detectEvery) else { throw ValidationError("--detect-every must be 1…300") }
        guard (1...3000).contains(fullScanEvery) else { throw ValidationError("--full-scan-every must be 1…3000") }
        guard SmoothingMode(rawValue: smoothing) != nil else { throw ValidationError("--smoothing must be causal, paper or off") }
        guard PrecisionChoice(rawValue: precision) != nil else { throw ValidationError("--precision must be one of \(PrecisionChoice.names)") }
    }

    func run() throws {
        // The daemon's heap settings (RunCommand), so the figures are the daemon's.
        MallocTuning.configure()
        let logger = Logger(label: "bench")
        let weights = try ModelLocator.load(model)
        let tmp = FileManager.default.temporaryDirectory.appendingPathComponent("facerestored-live-\(getpid())")
        try FileManager.default.createDirectory(at: tmp, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: tmp) }
        let source = tmp.appendingPathComponent("source.mkv").path
        try LiveBenchSource.make(path: source, faces: faces, seconds: duration)

        var settings = RestoreSettings()
        settings.model = model
        settings.smoothing = SmoothingMode(rawValue: smoothing)!
        settings.detectEvery = detectEvery
        settings.fullScanEvery = fullScanEvery
        settings.precision = PrecisionChoice(rawValue: precision)!
        let frontEnd = try ProcessorFactory.frontEnd(settings, model: weights, logger: logger)
        let options = StreamSession.Options(
            source: SourceSpec(parsing: source), outputs: [.file(path: tmp.appendingPathComponent("out.mp4").path)],
            encoder: EncoderSettings(live: true), live: true, realtime: true,
            policy: OverloadPolicy(latencyBudgetMs: latencyBudgetMs))
        let session = StreamSession(options: options, processor: frontEnd, rtspServer: nil, logger: logger)

        var frames = 0
        // Passthrough frames never reach `process`: the gap to frames out, after the first 2 s
        // (while the output pipeline starts, the first frames wait past their budget).
        var warmUpPassthrough: Int?
        var restorationThreadStart: UInt64?
        // Every RSS reading from the warm-up mark on (its first and last are the ratio's ends), so
        // that the summary can tell growth that levels off (pools filling) from growth that goes on
        // (a leak). Reserved: no allocation while measuring.
        var rssTrace: [Int] = []
        rssTrace.reserveCapacity(duration + 16)
        // Minor page faults and frames out at the warm mark and at the last reading: fresh memory
        // touched per frame in steady state (a per-frame allocation shows as hundreds).
        var faults: (warm: (count: Int, frames: Int)?, last: (count: Int, frames: Int)) = (nil, (0, 0))
        let cpuStart = ProcessStats.process()
        let wallStart = MonotonicClock.now()
        session.onProgress = { done, _ in
            if restorationThreadStart == nil { restorationThreadStart = ProcessStats.current() }
            frames = done
            if done == 60 { warmUpPassthrough = done - frontEnd.counters.framesProcessed }
            // Memory after a 10 s warm-up (allocator pools, encoder buffers) and at the end.
            if done % 30 == 0 {
                let now = ProcessStats.residentKB()
                let reading = (count: ProcessStats.minorFaults(), frames: done)
                if done >= 300 {
                    if rssTrace.isEmpty { faults.warm = reading }
                    if rssTrace.count < rssTrace.capacity { rssTrace.append(now) } else { rssTrace[rssTrace.count - 1] = now }
                }
                faults.last = reading
            }
        }
        let report = try session.run()
        let wall = Double(MonotonicClock.now() - wallStart) / 1e9
        let processCPU = ProcessStats.process() - cpuStart
        let restorationCPU = Double(ProcessStats.current() - (restorationThreadStart ?? ProcessStats.current())) / 1e9

        let passShare = Double(report.passthrough) / Double(max(report.framesOut, 1))
        print("facerestored bench live — \(ProcessorFactory.describe(weights, precision: settings.precision.resolved)), smoothing \(smoothing), "
              + "detection every \(detectEvery) frames (whole frame every \(fullScanEvery)), \(faces) face(s), 1280x720@30 for \(duration) s, \(ProcessInfo.processInfo.activeProcessorCount) cores")
        print(String(format: "frames out %d of %d in, %.2f fps; passthrough %d (%.2f %%), dropped %d at the input, %d at the encoder",
                     report.framesOut, report.framesIn, report.fps, report.passthrough, 100 * passShare, report.dropped,
                     report.encoderDropped))
        if let w = warmUpPassthrough {
            print("  of which \(w) in the first 2 s (start-up), \(report.passthrough - w) after")
        }
        print(String(format: "added latency (appsink → appsrc) p50 %.1f ms, p95 %.1f ms, p99 %.1f ms",
                     report.latency.percentile(50) ?? .nan, report.latency.percentile(95) ?? .nan, report.latency.percentile(99) ?? .nan))
        print("time per stage in % of one core over the run (wall time, waits for a core included; tracking and crop+FHOG run on "
              + "the analysis thread, the other stages on the restoration thread):")
        let t = frontEnd.totalTimes
        let stages = [t.track, t.crop, t.features, t.model, t.smoothing, t.paste]
        let names = ["track+detect", "crop+FHOG", "FHOG", "model", "smoothing", "paste"]
        for (name, ns) in zip(names, stages) where ns > 0 {
            print("  " + name.padding(toLength: 14, withPad: " ", startingAt: 0)
                  + String(format: "%6.1f %%   (%.2f ms per frame out)", 100 * Double(ns) / 1e9 / wall, Double(ns) / 1e6 / Double(max(frames, 1))))
        }
        print(String(format: "  restoration thread CPU %.1f %%, other threads (analysis, decode, encode, I/O) %.1f %%, process %.1f %% of %d cores",
                     100 * restorationCPU / wall, 100 * (processCPU - restorationCPU) / wall, 100 * processCPU / wall,
                     ProcessInfo.processInfo.activeProcessorCount))
        let rssRatio = rssTrace.last.map { Double($0) / Double(rssTrace[0]) } ?? .nan
        if let warm = rssTrace.first, let last = rssTrace.last {
            print(String(format: "RSS %d kB after 10 s → %d kB at the end (ratio %.3f)", warm, last, rssRatio))
            if let shape = RSSTrend(readings: rssTrace) { print("  " + shape.description) }
        }
        let a = report.frameArrays
        print("frame arrays (input and restored copies): \(a.reused) recycled, \(a.allocated) allocated, \(a.copiedOnWrite) copied on write")
        if let (crops, fhog) = frontEnd.preparedArrayCounters {
            print("crop and FHOG arrays (analysis side): \(crops.reused) + \(fhog.reused) recycled, \(crops.allocated) + \(fhog.allocated) allocated, "
                  + "\(crops.copiedOnWrite + fhog.copiedOnWrite) copied on write")
        }
        let b = report.outputBuffers
        print("output frame buffers: \(b.pooled) from the pool, \(b.oneOff) one-off (the encoder was behind)")
        var faultsPerFrame = Double.nan
        if let warm = faults.warm, faults.last.frames > warm.frames {
            faultsPerFrame = Double(faults.last.count - warm.count) / Double(faults.last.frames - warm.frames)
            print(String(format: "page faults after the first 10 s: %.1f per frame out (%d over %d frames)",
                         faultsPerFrame, faults.last.count - warm.count, faults.last.frames - warm.frames))
        }
        print(String(format: "fps=%.2f passthrough_share=%.4f latency_p50_ms=%.1f latency_p95_ms=%.1f rss_ratio=%.3f page_faults_per_frame=%.1f",
                     report.fps, passShare, report.latency.percentile(50) ?? .nan, report.latency.percentile(95) ?? .nan,
                     rssRatio, faultsPerFrame))
    }
}

/// Builds the benchmark's source file with ffmpeg (a dependency of the project's scripts).
enum LiveBenchSource {
    static func make(path: String, faces: Int, seconds: Int) throws {
        let first = DemoClip.path
        let second = ShippedFiles.find("data/grid_lbax4n.mpg") ?? first
        let loops = String(seconds / 3 + 1)
        var args = ["-v", "error", "-y", "-stream_loop", loops, "-i", first]
        let filter: String
        if faces == 1 {
            filter = "[0:v]scale=-2:720:flags=bicubic,pad=1280:720:(ow-iw)/2:0,fps=30[v]"
        } else {
            args += ["-stream_loop", loops, "-i", second]
            filter = "[0:v][1:v]hstack,scale=1280:-2:flags=bicubic,pad=1280:720:0:(oh-ih)/2,fps=30[v]"
        }
        args += ["-filter_complex", filter, "-map", "[v]", "-map", "0:a", "-t", String(seconds),
                 "-c:v", "libx264", "-preset", "veryfast", "-crf", "20", "-g", "30", "-c:a", "aac", path]
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/ffmpeg")
        p.arguments = args
        do { try p.run() } catch {
            throw CLIError("bench live needs ffmpeg to build its 720p source (/usr/bin/ffmpeg: \(error)); run scripts/install-deps.sh")
        }
        p.waitUntilExit()
        guard p.terminationStatus == 0 else { throw CLIError("ffmpeg could not build the 720p benchmark source (exit \(p.terminationStatus))") }
    }
}
