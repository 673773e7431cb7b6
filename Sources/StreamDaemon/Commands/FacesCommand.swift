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

    @OptionGroup var tracking: TrackingOptions

    @Flag(help: "Overwrite the output file if it exists.")
    var force = false

    func run() throws {
        let logger = LogSetup.logger()
        let source = try openableSource(input)
        try checkOverwrite(output, force: force)
        let annotator = TrackAnnotator(tracker: FaceTracker(settings: tracking.settings, detector: try FaceDetector()))
        let options = StreamSession.Options(source: source, outputs: [.file(path: output)], encoder: EncoderSettings(),
                                            live: source.looksLive, policy: .never)
        let session = StreamSession(options: options, processor: annotator, rtspServer: nil, logger: logger)
        let report = try session.run()
        let c = annotator.counters
        logger.info("wrote \(output): \(report.framesOut) frames, \(c.tracksStarted) tracks, \(c.framesWithoutFace) frames without a face, \(c.detectionsRun) detections")
    }
}
