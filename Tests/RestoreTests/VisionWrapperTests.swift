import Foundation
import Restore
import Testing

/// Failure paths of the dlib wrappers: bad model files become typed errors that say what to do,
/// and degenerate images give an error or nothing, never a crash.
@Suite("dlib wrappers: model-file errors and degenerate inputs")
struct VisionWrapperTests {
    private func temporaryDirectory() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("vision-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    @Test("a missing landmarks model (or a directory) is .landmarksModelUnreadable naming the path and libdlib-data",
          arguments: [false, true])
    func missingModel(directory: Bool) throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = directory ? dir.path : dir.appendingPathComponent("absent.dat").path
        #expect {
            _ = try LandmarkPredictor(modelPath: path)
        } throws: { error in
            guard case let .landmarksModelUnreadable(p, _) = error as? VisionError else { return false }
            let text = String(describing: error)
            return p == path && text.contains(path) && text.contains("libdlib-data") && text.contains("landmarks path")
        }
    }

    @Test("corrupt landmarks models (garbage, empty, truncated) are .landmarksModelCorrupt",
          arguments: ["garbage", "empty", "truncated"])
    func corruptModel(kind: String) throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("\(kind).dat")
        switch kind {
        case "garbage":
            var generator = SystemRandomNumberGenerator()
            try Data((0..<65_536).map { _ in UInt8.random(in: 0...255, using: &generator) }).write(to: url)
        case "empty":
            try Data().write(to: url)
        default:
            // The first 1 MiB of the real model: a valid header, then the stream ends.
            let handle = try FileHandle(forReadingFrom: URL(fileURLWithPath: LandmarkPredictor.defaultModelPath))
            defer { try? handle.close() }
            try (handle.readData(ofLength: 1 << 20)).write(to: url)
        }
        #expect {
            _ = try LandmarkPredictor(modelPath: url.path)
        } throws: { error in
            guard case let .landmarksModelCorrupt(p, _) = error as? VisionError else { return false }
            return p == url.path && String(describing: error).contains("libdlib-data")
        }
    }

    @Test("an all-black frame has no faces")
    func blackFrame() throws {
        let detector = try FaceDetector()
        for (width, height) in [(640, 360), (480, 270)] {
            let faces = try detector.detect(rgb: [UInt8](repeating: 0, count: width * height * 3), width: width, height: height)
            #expect(faces.isEmpty)
        }
        let upsampled = try detector.detect(rgb: [UInt8](repeating: 0, count: 160 * 90 * 3), width: 160, height: 90, upsample: 1)
        #expect(upsampled.isEmpty)
    }

    @Test("tiny images give no faces; empty or mismatched buffers and bad upsample throw")
    func degenerateDetectorInputs() throws {
        let detector = try FaceDetector()
        for side in [1, 2, 7, 40, 79] {
            let pixels = [UInt8](repeating: 128, count: side * side * 3)
            #expect(try detector.detect(rgb: pixels, width: side, height: side).isEmpty)
            #expect(try detector.detect(rgb: pixels, width: side, height: side, upsample: 2).isEmpty)
        }
        #expect(throws: VisionError.self) { try detector.detect(rgb: [], width: 0, height: 0) }
        #expect(throws: VisionError.self) { try detector.detect(rgb: [], width: 10, height: 0) }
        #expect(throws: VisionError.self) { try detector.detect(rgb: [1, 2, 3], width: 2, height: 2) }
        #expect(throws: VisionError.self) { try detector.detect(rgb: [UInt8](repeating: 0, count: 12), width: -2, height: -2) }
        #expect(throws: VisionError.self) { try detector.detect(rgb: [0, 0, 0], width: 1, height: 1, upsample: 5) }
        #expect(throws: VisionError.self) { try detector.detect(rgb: [0, 0, 0], width: 1, height: 1, upsample: -1) }
    }

    @Test("FHOG rejects crops that are not 256×256×3 and keeps a flat crop finite")
    func degenerateFHOGInputs() throws {
        let extractor = try FHOGExtractor()
        #expect(throws: VisionError.self) { try extractor.extract(crop: []) }
        #expect(throws: VisionError.self) { try extractor.extract(crop: [UInt8](repeating: 0, count: 255 * 256 * 3)) }
        let flat = try extractor.extract(crop: [UInt8](repeating: 77, count: 256 * 256 * 3))
        #expect(flat.count == FHOGExtractor.featureCount)
        #expect(flat.allSatisfy { $0.isFinite && $0 == 0 })
    }

    @Test("landmarks: degenerate images throw; boxes at or beyond the edge still give 68 points")
    func degenerateLandmarkInputs() throws {
        let predictor = try LandmarkPredictor()
        #expect(predictor.modelPath == LandmarkPredictor.defaultModelPath)
        let box = FaceBox(x: 0, y: 0, width: 10, height: 10)
        #expect(throws: VisionError.self) { try predictor.predict(rgb: [], width: 0, height: 0, box: box) }
        #expect(throws: VisionError.self) { try predictor.predict(rgb: [0, 0], width: 1, height: 1, box: box) }
        #expect(throws: VisionError.self) {
            try predictor.predict(rgb: [0, 0, 0], width: 1, height: 1, box: FaceBox(x: .nan, y: 0, width: 1, height: 1))
        }
        let grey = [UInt8](repeating: 100, count: 64 * 48 * 3)
        for box in [FaceBox(x: -50, y: -50, width: 200, height: 200), FaceBox(x: 1000, y: 1000, width: 80, height: 80),
                    FaceBox(x: 10, y: 10, width: 0, height: 0), FaceBox(x: 0, y: 0, width: 1, height: 1)] {
            let points = try predictor.predict(rgb: grey, width: 64, height: 48, box: box)
            #expect(points.count == 68)
            #expect(points.allSatisfy { $0.x.isFinite && $0.y.isFinite })
        }
    }
}
