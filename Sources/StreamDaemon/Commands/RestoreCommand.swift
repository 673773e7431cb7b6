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
    }

    func run() throws {
        let logger = LogSetup.logger(verbose: verbose)
        let source = try openableSource(input)
        let outURL = URL(fileURLWithPath: output)
        if let inPath = source.localFile, URL(fileURLWithPath: inPath).standardizedFileURL == outURL.standardizedFileURL {
            throw CLIError("the output '\(output)' is the input file; choose another output path")
        }
        try checkOverwrite(output, force: force)
        let encoder = EncoderSettings(videoCodec: VideoCodec(rawValue: videoCodec)!, audioCodec: AudioCodec(rawValue: audioCodec)!,
                                      videoBitrateKbps: bitrateKbps, live: source.looksLive)
        let options = StreamSession.Options(source: source, outputs: [.file(path: output)], encoder: encoder,
                                            live: source.looksLive, policy: source.looksLive ? OverloadPolicy() : .never,
                                            sideBySide: sideBySide)
        let frontEnd = try ProcessorFactory.frontEnd(RestoreSettings(), logger: logger)
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
