import ArgumentParser
import Foundation
import GstBridge
import Restore

/// `facerestored faces IN -o annotated.mp4`: draws the tracks (boxes, crop regions, ids).
struct FacesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "faces",
        abstract: "Draw the face tracks (box, crop region, id) on a video, to check detection and tracking.")

    @Argument(help: "Input video (file path, URI or gst-launch source description).")
    var input: String

    @Option(name: .shortAndLong, help: "Annotated output video (.mp4 or .mkv).")
    var output: String

    @Option(help: "Frames between detections.")
    var detectEvery = 5

    @Option(help: "Faces followed at most.")
    var maxFaces = 4

    @Option(help: "Width of the copy the detector runs on.")
    var detectionWidth = 640

    @Flag(help: "Overwrite the output file if it exists.")
    var force = false

    func run() throws {
        let logger = LogSetup.logger()
        let source = SourceSpec(parsing: input)
        if let path = source.localFile, !FileManager.default.isReadableFile(atPath: path) {
            throw CLIError("input file '\(path)' does not exist or is not readable")
        }
        if FileManager.default.fileExists(atPath: output) && !force {
            throw CLIError("the output '\(output)' already exists; pass --force to overwrite it")
        }
        var settings = FaceTracker.Settings()
        settings.detectEvery = detectEvery
        settings.maxFaces = maxFaces
        settings.detectionWidth = detectionWidth
        let annotator = TrackAnnotator(tracker: FaceTracker(settings: settings, detector: try FaceDetector()))
        let options = StreamSession.Options(source: source, outputs: [.file(path: output)], encoder: EncoderSettings(),
                                            live: source.looksLive, policy: .never)
        let session = StreamSession(options: options, processor: annotator, rtspServer: nil, logger: logger)
        let report = try session.run()
        let c = annotator.counters
        logger.info("wrote \(output): \(report.framesOut) frames, \(c.tracksStarted) tracks, \(c.framesWithoutFace) frames without a face, \(c.detectionsRun) detections")
    }
}
