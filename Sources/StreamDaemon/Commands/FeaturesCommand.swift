import ArgumentParser
import Foundation
import GstBridge
import Media
import Restore

/// `facerestored features IN -o features.safetensors`: the front end's output per frame and
/// track, computed by the same code the daemon runs, for the training pipeline.
struct FeaturesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "features",
        abstract: "Write per-frame, per-track boxes, 256² crops, FHOG and MFCC contexts to a safetensors file.")

    @Argument(help: "Input video (file path, URI or gst-launch source description).")
    var input: String

    @Option(name: .shortAndLong, help: "Output .safetensors file.")
    var output: String

    @OptionGroup var tracking: TrackingOptions

    @Option(help: "MFCC frames per audio context (odd: 3, 5 or 7).")
    var contextSize = 5

    @Flag(help: "Leave the crops out (smaller file).")
    var noCrops = false

    func validate() throws {
        guard contextSize % 2 == 1, (1...15).contains(contextSize) else {
            throw ValidationError("--context-size must be odd, 1…15")
        }
    }

    func run() throws {
        let logger = LogSetup.logger()
        let source = try openableSource(input)
        let frontEnd = try FaceFrontEnd(tracker: FaceTracker(settings: tracking.settings, detector: try FaceDetector()),
                                        contextSize: contextSize, logger: logger)
        let collected = FeatureTable(contextSize: contextSize, keepCrops: !noCrops)
        frontEnd.featureSink = { collected.append($0) }
        // The decoded frames are discarded: the output pipeline writes to fakesink.
        let options = StreamSession.Options(source: source, outputs: [.sink(video: "fakesink sync=false", audio: nil)],
                                            encoder: EncoderSettings(), live: false, policy: .never)
        let session = StreamSession(options: options, processor: frontEnd, rtspServer: nil, logger: logger)
        let report = try session.run()
        var writer = collected.writer()
        writer.metadata = [
            "source": source.description, "frames": String(report.framesIn), "has_audio": String(report.hasAudio),
            "fhog_layout": "31x64x64 planar (channel, row, column), dlib cell size 4, padded to 64x64",
            "crop": "256x256 RGB uint8, non-aligned square (FaceCrop expansion 1.8, lift 0.12)",
            "mfcc": "librosa-equivalent, 16 kHz, n_mfcc=80, n_fft=512, win 400, hop 160; context frames centred on the frame PTS",
            "detect_every": String(tracking.detectEvery), "context_size": String(contextSize),
        ]
        try writer.write(to: output)
        logger.info("wrote \(output): \(collected.count) face-frames from \(report.framesIn) frames; \(ProcessorFactory.summary(frontEnd))")
    }
}

/// Accumulates the front end's features (called on the restoration thread only).
final class FeatureTable: @unchecked Sendable {
    let contextSize: Int
    let keepCrops: Bool
    private(set) var count = 0
    private var frameIndex: [Int32] = [], trackID: [Int32] = [], pts: [Int64] = []
    private var boxes: [Float] = [], regions: [Float] = [], fhog: [Float] = [], mfcc: [Float] = []
    private var missing: [Int32] = [], crops: [UInt8] = []

    init(contextSize: Int, keepCrops: Bool) {
        self.contextSize = contextSize
        self.keepCrops = keepCrops
    }

    func append(_ faces: [FaceFeatures]) {
        for f in faces {
            count += 1
            frameIndex.append(Int32(f.frameSequence))
            trackID.append(Int32(f.trackID))
            pts.append(f.pts.nanoseconds)
            boxes += [f.box.x, f.box.y, f.box.width, f.box.height].map(Float.init)
            regions += [f.region.x, f.region.y, f.region.width, f.region.height].map(Float.init)
            fhog += f.fhog
            mfcc += f.audio.features
            missing.append(Int32(f.audio.missingFrames))
            if keepCrops { crops += f.crop }
        }
    }

    func writer() -> SafeTensorsWriter {
        var w = SafeTensorsWriter()
        w.add("frame_index", int32s: frameIndex, shape: [count])
        w.add("track_id", int32s: trackID, shape: [count])
        w.add("pts_ns", int64s: pts, shape: [count])
        w.add("box_xywh", floats: boxes, shape: [count, 4])
        w.add("crop_region_xywh", floats: regions, shape: [count, 4])
        w.add("fhog", floats: fhog, shape: [count, 31, 64, 64])
        w.add("mfcc_context", floats: mfcc, shape: [count, contextSize, 80])
        w.add("mfcc_missing_frames", int32s: missing, shape: [count])
        if keepCrops { w.add("crops", bytes: crops, shape: [count, 256, 256, 3]) }
        return w
    }
}
