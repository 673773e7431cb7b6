import Foundation
import Restore
import Testing

/// Our wrappers (Swift → CVision shim → dlib) against reference outputs written by an independent
/// program calling dlib directly (Tests/Fixtures/dlib/make_dlib_fixtures.cpp). The tests need
/// libdlib-data's 68-point model at its default path.
@Suite("dlib parity: detector, FHOG and landmarks equal dlib's own outputs")
struct DlibParityTests {
    /// FHOG values: the same dlib code compiled with other flags (g++ -O2 vs clang -O3, maybe
    /// FMA contraction) may differ in the last bits; values are ≤ ~0.5.
    static let fhogTolerance: Float = 1e-5

    @Test("FHOG of a 256×256 crop is 64×64×31, planar, zero border ring, equal to dlib's within 1e-5")
    func fhogMatchesDlib() throws {
        let ref = try DlibReference.load()
        #expect(ref.fhog.cell_size == FHOGExtractor.cellSize)
        #expect(ref.fhog.rows == 64 && ref.fhog.cols == 64 && ref.fhog.planes == 31)
        let frame = ref.frames.first { $0.file == ref.fhog.frame }!
        let rgb = try DlibReference.bytes(ref.fhog.frame)
        let extractor = try FHOGExtractor()

        let first = ref.fhog.crops[0]
        let expected = try DlibReference.floats(first.file!)
        #expect(expected.count == 31 * 64 * 64)
        let crop = DlibReference.crop(rgb, width: frame.width, x: first.x, y: first.y, side: 256)
        let features = try extractor.extract(crop: crop)
        #expect(features.count == FHOGExtractor.featureCount)
        #expect(FHOGExtractor.featureCount == 64 * 64 * 31)

        var maxDiff: Float = 0
        for i in features.indices { maxDiff = max(maxDiff, abs(features[i] - expected[i])) }
        #expect(maxDiff <= Self.fhogTolerance, "max |Δ| = \(maxDiff)")

        // Border ring (dlib's padding) is zero, the interior is not.
        var borderMax: Float = 0
        var interiorSum: Float = 0
        for plane in 0..<31 {
            for row in 0..<64 {
                for column in 0..<64 {
                    let v = features[FHOGExtractor.index(plane: plane, row: row, column: column)]
                    if row == 0 || row == 63 || column == 0 || column == 63 { borderMax = max(borderMax, abs(v)) }
                    else { interiorSum += v }
                }
            }
        }
        #expect(borderMax == 0)
        #expect(interiorSum > 100)

        // Plane sums of both crops (the second, shifted by (+3, +1) px, is stored as sums only).
        for ref in ref.fhog.crops {
            let crop = DlibReference.crop(rgb, width: frame.width, x: ref.x, y: ref.y, side: 256)
            var reused = [Float]()
            try extractor.extract(crop: crop, into: &reused)
            for plane in 0..<31 {
                var sum = 0.0
                for row in 0..<64 {
                    for column in 0..<64 { sum += Double(reused[FHOGExtractor.index(plane: plane, row: row, column: column)]) }
                }
                #expect(abs(sum - ref.plane_sums[plane]) <= 1e-3, "crop (\(ref.x),\(ref.y)) plane \(plane)")
            }
        }
    }

    @Test("detector boxes, scores and landmarks equal dlib's on GRID frames (with and without upsampling)")
    func detectorAndLandmarksMatchDlib() throws {
        let ref = try DlibReference.load()
        let detector = try FaceDetector()
        let predictor = try LandmarkPredictor()
        var faces = 0
        for frame in ref.frames {
            let rgb = try DlibReference.bytes(frame.file)
            let found = try detector.detect(rgb: rgb, width: frame.width, height: frame.height, upsample: frame.upsample)
            try #require(found.count == frame.detections.count, "\(frame.file) upsample \(frame.upsample)")
            for (ours, theirs) in zip(found, frame.detections) {
                #expect(ours.box == theirs.box, "\(frame.file) upsample \(frame.upsample)")
                #expect(abs(ours.score - theirs.score) <= 1e-4, "score \(ours.score) vs \(theirs.score)")
                // Landmarks on dlib's box, and on ours (the same box, so the same points).
                let onTheirs = try predictor.predict(rgb: rgb, width: frame.width, height: frame.height, box: theirs.box)
                #expect(onTheirs == theirs.points, "\(frame.file) upsample \(frame.upsample)")
                let onOurs = try predictor.predict(rgb: rgb, width: frame.width, height: frame.height, box: ours.box)
                #expect(onOurs.count == LandmarkPredictor.pointCount)
                #expect(onOurs == theirs.points)
                faces += 1
            }
        }
        #expect(faces >= 3)
    }
}
