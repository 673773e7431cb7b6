import Foundation
import Restore

/// The reference outputs in Tests/Fixtures/dlib, written by dlib's own code
/// (make_dlib_fixtures.cpp), and the raw frames they were computed from.
struct DlibReference: Decodable {
    struct Detection: Decodable {
        let left, top, right, bottom, score: Double
        let filter_index: Int
        let landmarks: [[Double]]

        /// The box in FaceBox terms (dlib boxes are inclusive: width = right − left + 1).
        var box: FaceBox { FaceBox(x: left, y: top, width: right - left + 1, height: bottom - top + 1) }
        var points: [LandmarkPoint] { landmarks.map { LandmarkPoint(x: $0[0], y: $0[1]) } }
    }
    struct Frame: Decodable {
        let file: String
        let width, height, upsample: Int
        let detections: [Detection]
    }
    struct Crop: Decodable {
        let x, y: Int
        let file: String?
        let plane_sums: [Double]
    }
    struct FHOG: Decodable {
        let frame: String
        let cell_size, filter_padding, planes, rows, cols: Int
        let crops: [Crop]
    }
    let dlib_version: String
    let frames: [Frame]
    let fhog: FHOG

    /// Tests/Fixtures/dlib, found by walking up from this file.
    static let directory: URL = {
        var dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        while dir.path != "/" {
            let candidate = dir.appendingPathComponent("Tests/Fixtures/dlib")
            if FileManager.default.fileExists(atPath: candidate.path) { return candidate }
            dir.deleteLastPathComponent()
        }
        fatalError("Tests/Fixtures/dlib not found above \(#filePath)")
    }()

    static func load() throws -> DlibReference {
        let data = try Data(contentsOf: directory.appendingPathComponent("dlib_reference.json"))
        return try JSONDecoder().decode(DlibReference.self, from: data)
    }

    static func bytes(_ name: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: directory.appendingPathComponent(name)))
    }

    /// A float32 little-endian file.
    static func floats(_ name: String) throws -> [Float] {
        let data = try Data(contentsOf: directory.appendingPathComponent(name))
        return data.withUnsafeBytes { raw in
            (0..<data.count / 4).map { Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 4 * $0, as: UInt32.self))) }
        }
    }

    /// A square crop of a packed RGB image.
    static func crop(_ rgb: [UInt8], width: Int, x: Int, y: Int, side: Int) -> [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(side * side * 3)
        for row in y..<(y + side) {
            let start = (row * width + x) * 3
            out.append(contentsOf: rgb[start..<(start + side * 3)])
        }
        return out
    }

    /// True when Debian's libdlib-data model is installed (the landmark tests need it).
    static var hasLandmarksModel: Bool {
        FileManager.default.isReadableFile(atPath: LandmarkPredictor.defaultModelPath)
    }
}
