import Foundation

/// Tests/Fixtures/flow, written by make_flow_fixtures.py from training/data.py and cv2.
enum FlowFixture {
    static let directory: URL = {
        var dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        while dir.path != "/" {
            let candidate = dir.appendingPathComponent("Tests/Fixtures/flow")
            if FileManager.default.fileExists(atPath: candidate.path) { return candidate }
            dir.deleteLastPathComponent()
        }
        fatalError("Tests/Fixtures/flow not found above \(#filePath)")
    }()

    static func bytes(_ name: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: directory.appendingPathComponent(name)))
    }

    static func floats(_ name: String) throws -> [Float] {
        let data = try Data(contentsOf: directory.appendingPathComponent(name))
        return data.withUnsafeBytes { raw in
            (0..<data.count / 4).map {
                Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 4 * $0, as: UInt32.self)))
            }
        }
    }

    /// Element `index` of `count` equal parts of `all`.
    static func part<T>(_ all: [T], _ index: Int, of count: Int) -> [T] {
        let n = all.count / count
        return Array(all[(index * n)..<((index + 1) * n)])
    }

    /// The synthetic crop whose 4×4 blocks all have an exact mean on .5 (see the script).
    static func tieCrop() throws -> [UInt8] {
        let palette = try bytes("ties.palette.u8"), ab = try bytes("ties.ab.u8")
        let maskBytes = try bytes("ties.masks.u16")
        var crop = [UInt8](repeating: 0, count: 256 * 256 * 3)
        for by in 0..<64 {
            for bx in 0..<64 {
                let block = by * 64 + bx
                let mask = Int(maskBytes[2 * block]) | Int(maskBytes[2 * block + 1]) << 8
                for i in 0..<4 {
                    for j in 0..<4 {
                        let colour = Int(mask >> (i * 4 + j) & 1 == 1 ? ab[block] : ab[4096 + block])
                        let o = ((by * 4 + i) * 256 + bx * 4 + j) * 3
                        for c in 0..<3 { crop[o + c] = palette[colour * 3 + c] }
                    }
                }
            }
        }
        return crop
    }

    /// The analytic image and flow of a warp case (formulas in manifest.json).
    static func warpInputs(planes: Int, height: Int, width: Int, flowHeight: Int, flowWidth: Int)
        -> (image: [Float], dx: [Float], dy: [Float]) {
        var image = [Float](repeating: 0, count: planes * height * width)
        for p in 0..<planes {
            for y in 0..<height {
                for x in 0..<width { image[(p * height + y) * width + x] = Float((x * 7 + y * 13 + p * 50) % 256) / 255 }
            }
        }
        var dx = [Float](repeating: 0, count: flowHeight * flowWidth), dy = dx
        for y in 0..<flowHeight {
            for x in 0..<flowWidth {
                dx[y * flowWidth + x] = Float((x * 3 + y * 5) % 17 - 8) / 4
                dy[y * flowWidth + x] = Float((x * 11 + y * 2) % 13 - 6) / 4
            }
        }
        return (image, dx, dy)
    }
}

/// Largest |a − b| (infinity if the lengths differ).
func flowMaxAbsDifference(_ a: [Float], _ b: [Float]) -> Float {
    guard a.count == b.count else { return .infinity }
    var m: Float = 0
    for i in a.indices { m = max(m, abs(a[i] - b[i])) }
    return m
}

/// A smooth random texture, planar RGB [3 × side × side] in [0, 1], shifted by (shiftX, shiftY)
/// pixels: value at (x, y) is the texture's at (x − shiftX, y − shiftY), so content moves right
/// and down by the shift.
func flowTexture(side: Int, shiftX: Double = 0, shiftY: Double = 0, seed: Double = 1) -> [Float] {
    var out = [Float](repeating: 0, count: 3 * side * side)
    for p in 0..<3 {
        for y in 0..<side {
            for x in 0..<side {
                let u = (Double(x) - shiftX) / Double(side) * 2 * .pi, v = (Double(y) - shiftY) / Double(side) * 2 * .pi
                let s = sin(3 * u + seed + Double(p)) * cos(2 * v - seed) + 0.5 * sin(5 * u + 7 * v + 2 * seed)
                    + 0.3 * cos(9 * u - 4 * v + Double(p))
                out[(p * side + y) * side + x] = Float(0.5 + 0.25 * s)
            }
        }
    }
    return out
}
