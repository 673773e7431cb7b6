import ArgumentParser
import Foundation
import GstBridge
import Media
import Restore

/// `facerestored restore IN -o OUT`: restores a file (or any source) into a file.
struct RestoreCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restore",
        abstract: "Restore the faces of a video file and write the result with its original audio.")

    @Argument(help: "Input: a file path, a URI (file://, rtsp://, http://) or a gst-launch source description.")
    var input: String

    @Option(name: .shortAndLong, help: "Output file (.mp4, .mkv or .mov).")
    var output: String

    @Flag(help: "Write input | restored next to each other.")
    var sideBySide = false

    @Option(help: "Video codec: h264, or raw for lossless RGB in .mkv.")
    var videoCodec: String = "h264"

    @Option(help: "Audio codec: aac, opus, or raw (float in .mkv).")
    var audioCodec: String = "aac"

    @Option(help: "Video bit rate in kbit/s (default: constant quality).")
    var bitrateKbps: Int?

    @Option(help: "Weights: realtime or quality (shipped), none (no restoration), or a .safetensors path.")
    var model: String = "realtime"

    @Option(help: "Temporal smoothing: causal, paper (one more frame of lookahead) or off.")
    var smoothing: String = "causal"

    @Option(help: "Weight of the current frame in the temporal blend (γ, 0…1).")
    var gamma: Double = 0.7

    @Option(help: "Flicker control: logit margin before a latent position changes code (0 = plain argmax).")
    var codeHysteresis: Double = 0.5

    @Option(help: "Arithmetic of the wide convolutions: auto (bfloat16 on CPUs with AVX512_BF16 or AMX), float32 (PyTorch's numerics) or bfloat16.")
    var precision: String = "auto"

    @Option(help: "OpenBLAS threads for the model (default 1, or OPENBLAS_NUM_THREADS): more helps a file on an idle machine; live streams leave the other cores to decoding and encoding.")
    var threads: Int?

    @Flag(help: "Overwrite the output file if it exists.")
    var force = false

    @Flag(name: .shortAndLong, help: "No progress bar.")
    var quiet = false

    @Flag(help: "Debug logging.")
    var verbose = false

    func validate() throws {
        guard VideoCodec(rawValue: videoCodec) != nil else {
            throw ValidationError("unknown --video-codec '\(videoCodec)'; use h264 or raw")
        }
        guard AudioCodec(rawValue: audioCodec) != nil else {
            throw ValidationError("unknown --audio-codec '\(audioCodec)'; use aac, opus or raw")
        }
        guard SmoothingMode(rawValue: smoothing) != nil else {
            throw ValidationError("unknown --smoothing '\(smoothing)'; use causal, paper or off")
        }
        if let threads, !(1...64).contains(threads) { throw ValidationError("--threads must be in 1…64") }
        guard (0...1).contains(gamma) else { throw ValidationError("--gamma must be in 0…1") }
        guard codeHysteresis >= 0 && codeHysteresis <= 100 else { throw ValidationError("--code-hysteresis must be in 0…100") }
        guard PrecisionChoice(rawValue: precision) != nil else { throw ValidationError("--precision must be one of \(PrecisionChoice.names)") }
    }

    private var settings: RestoreSettings {
        var s = RestoreSettings()
        s.model = model
        s.smoothing = SmoothingMode(rawValue: smoothing)!
        s.gamma = gamma
        s.codeHysteresis = codeHysteresis
        s.precision = PrecisionChoice(rawValue: precision)!
        return s
    }

    func run() throws {
        let logger = LogSetup.logger(verbose: verbose)
        let source = try openableSource(input)
        let outURL = URL(fileURLWithPath: output)
        if let inPath = source.localFile, URL(fileURLWithPath: inPath).standardizedFileURL == outURL.standardizedFileURL {
            throw CLIError("the output '\(output)' is the input file; choose another output path")
        }
        try checkOverwrite(output, force: force)
        // Weights first: a bad model file is reported before any output is touched.
        let weights = try ModelLocator.load(model)
        let withoutAudio = ModelLocator.loadWithoutAudio(model) { logger.warning("\($0)") }
        if let threads { BLASThreads.set(threads) }
        logger.info("\(ProcessorFactory.describe(weights, precision: settings.precision.resolved))")
        let encoder = EncoderSettings(videoCodec: VideoCodec(rawValue: videoCodec)!, audioCodec: AudioCodec(rawValue: audioCodec)!,
                                      videoBitrateKbps: bitrateKbps, live: source.looksLive)
        let options = StreamSession.Options(source: source, outputs: [.file(path: output)], encoder: encoder,
                                            live: source.looksLive, policy: source.looksLive ? OverloadPolicy() : .never,
                                            sideBySide: sideBySide)
        let frontEnd = try ProcessorFactory.frontEnd(settings, model: weights, modelWithoutAudio: withoutAudio, logger: logger)
        let session = StreamSession(options: options, processor: frontEnd, rtspServer: nil, logger: logger)
        let progress = ProgressBar(enabled: !quiet && isatty(STDERR_FILENO) != 0)
        session.onProgress = { done, total in progress.update(done: done, total: total) }
        let trap = SignalTrap { _ in session.requestStop() }
        defer { withExtendedLifetime(trap) {} }
        let report: SessionReport
        do {
            report = try session.run()
        } catch {
            progress.finish()
            throw CLIError("\(error)")
        }
        progress.finish()
        logger.info("wrote \(output): \(report.summary)")
        logger.info("\(ProcessorFactory.summary(frontEnd))")
    }
}

/// A message for the person at the terminal; exits with status 1.
struct CLIError: Error, CustomStringConvertible {
    let description: String
    init(_ message: String) { description = message }
}
