import ArgumentParser
import Foundation
import GstBridge
import Media
import Restore

/// `facerestored landmarks VIDEO --features F.safetensors -o L.safetensors`: dlib's 68 landmarks
/// inside the boxes a `features` run stored, on the frames of another video of the same clip
/// (degraded, restored). The evaluation's TLME needs every video measured in the same boxes —
/// the ground truth's — so nothing is detected here.
struct LandmarksCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "landmarks",
        abstract: "dlib 68-point landmarks of a video in the boxes of a `features` file (for TLME).")

    @Argument(help: "The video (file path, URI or gst-launch source description).")
    var video: String

    @Option(help: "A file written by `facerestored features` (its frame_index, track_id and box_xywh are used).")
    var features: String

    @Option(name: .shortAndLong, help: "Output .safetensors: landmarks F32 [N, 68, 2] (x, y in frame pixels), frame_index, track_id.")
    var output: String

    @Option(help: "dlib's 68-point shape predictor.")
    var shapePredictor: String = LandmarkPredictor.defaultModelPath

    @Flag(help: "Overwrite the output file if it exists.")
    var force = false

    func run() throws {
        let logger = LogSetup.logger()
        let source = try openableSource(video)
        try checkOverwrite(output, force: force)
        let table: SafeTensorsFile
        let frameIndex: [Int32], trackID: [Int32], boxes: [Float]
        do {
            table = try SafeTensorsFile(path: features)
            (frameIndex, trackID, boxes) = (try table.int32s("frame_index"), try table.int32s("track_id"), try table.floats("box_xywh"))
        } catch {
            throw CLIError("cannot read the features file '\(features)': \(error); write one with `facerestored features`")
        }
        let n = frameIndex.count
        guard trackID.count == n, boxes.count == 4 * n else {
            throw CLIError("'\(features)': frame_index, track_id and box_xywh disagree on the number of rows; rewrite it with `facerestored features`")
        }
        var rowsOfFrame: [Int: [Int]] = [:]
        for (row, f) in frameIndex.enumerated() { rowsOfFrame[Int(f), default: []].append(row) }
        let predictor = try LandmarkPredictor(modelPath: shapePredictor)

        // NaN marks rows whose frame the video does not have (it is shorter than the clip).
        var points = [Float](repeating: .nan, count: n * LandmarkPredictor.pointCount * 2)
        let input = try InputPipeline(source: source, options: InputOptions(live: false))
        try input.start()
        defer { input.stop() }
        _ = try input.waitForStreams(timeout: 15)
        var frames = 0
        while true {
            var progressed = false
            if case .element(let frame) = input.video.pop(timeout: 0.01) {
                progressed = true
                frames += 1
                for row in rowsOfFrame[frame.sequence] ?? [] {
                    let b = boxes[(4 * row)..<(4 * row + 4)].map(Double.init)
                    let marks = try predictor.predict(in: frame, box: FaceBox(x: b[0], y: b[1], width: b[2], height: b[3]))
                    for (i, p) in marks.enumerated() {
                        points[(row * LandmarkPredictor.pointCount + i) * 2] = Float(p.x)
                        points[(row * LandmarkPredictor.pointCount + i) * 2 + 1] = Float(p.y)
                    }
                }
            }
            // Audio is not needed, but a file source blocks until its audio queue is drained.
            while case .element = input.audio.tryPop() { progressed = true }
            if !progressed && input.video.isDrained && input.audio.isDrained { break }
        }
        let missing = frameIndex.filter { Int($0) >= frames }.count
        var writer = SafeTensorsWriter()
        writer.add("landmarks", floats: points, shape: [n, LandmarkPredictor.pointCount, 2])
        writer.add("frame_index", int32s: frameIndex, shape: [n])
        writer.add("track_id", int32s: trackID, shape: [n])
        writer.metadata = ["video": source.description, "features": features, "shape_predictor": shapePredictor,
                           "frames": String(frames)]
        try writer.write(to: output)
        let note = missing > 0 ? "; \(missing) rows are NaN (the video has only \(frames) frames)" : ""
        logger.info("wrote \(output): landmarks for \(n - missing) of \(n) face-frames from \(frames) frames\(note)")
    }
}
