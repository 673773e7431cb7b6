import ArgumentParser
import Foundation
import GstBridge
import Restore

/// Resolves a command-line input to a source, failing early with the file's name when a local
/// file is missing (before any pipeline is built or output touched).
func openableSource(_ input: String) throws -> SourceSpec {
    let source = SourceSpec(parsing: input)
    if let path = source.localFile, !FileManager.default.isReadableFile(atPath: path) {
        throw CLIError("input file '\(path)' does not exist or is not readable")
    }
    return source
}

/// Refuses to replace an existing file unless asked to: nothing already written is lost.
func checkOverwrite(_ output: String, force: Bool) throws {
    if FileManager.default.fileExists(atPath: output) && !force {
        throw CLIError("the output '\(output)' already exists; pass --force to overwrite it")
    }
}

/// The tracker options shared by `faces` and `features`.
struct TrackingOptions: ParsableArguments {
    @Option(help: "Frames between detections.")
    var detectEvery = 5

    @Option(help: "While faces are tracked, frames between whole-frame detections (the rounds in between look around each face).")
    var fullScanEvery = FaceTracker.Settings().fullScanEvery

    @Option(help: "Faces followed at most.")
    var maxFaces = 4

    @Option(help: "Width of the copy the detector runs on.")
    var detectionWidth = 640

    func validate() throws {
        guard detectEvery >= 1 else { throw ValidationError("--detect-every must be at least 1") }
        guard fullScanEvery >= 1 else { throw ValidationError("--full-scan-every must be at least 1") }
        guard (1...32).contains(maxFaces) else { throw ValidationError("--max-faces must be 1…32") }
        guard detectionWidth >= 80 else { throw ValidationError("--detection-width must be at least 80 (dlib's window)") }
    }

    var settings: FaceTracker.Settings {
        var s = FaceTracker.Settings()
        s.detectEvery = detectEvery
        s.fullScanEvery = fullScanEvery
        s.maxFaces = maxFaces
        s.detectionWidth = detectionWidth
        return s
    }
}
