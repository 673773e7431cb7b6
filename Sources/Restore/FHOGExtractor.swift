import CVision

/// dlib's `extract_fhog_features` on a 256×256 RGB face crop with cell size 4: 31 feature planes
/// on a 64×64 grid (the model's FHOG input).
///
/// Padding: dlib drops the outermost cell ring (it has no neighbours for block normalisation),
/// giving 62×62 for 256 px. The grid is padded by passing `filter_rows_padding` =
/// `filter_cols_padding` = 3 to dlib, which is dlib's own mechanism (its HOG scanner pads the same
/// way) and equals a ring of zero cells around dlib's 62×62. Grid cell (r, c) is then the image
/// cell covering pixels [4r, 4r+4) × [4c, 4c+4); rows/columns 0 and 63 are zero.
///
/// Layout: planar `[31][64][64]`, row-major within a plane: value of plane `o` at grid row `r`,
/// column `c` is `features[(o * 64 + r) * 64 + c]` (`FHOGExtractor.index(plane:row:column:)`).
/// Planes 0–17 are contrast-sensitive orientations, 18–26 contrast-insensitive, 27–30 the four
/// gradient-energy features, in dlib's order.
///
/// Threads: keeps dlib scratch images; one instance belongs to one thread at a time (not
/// `Sendable`).
public final class FHOGExtractor {
    /// Side of the square RGB crop, in pixels.
    public static let cropSize = 256
    /// FHOG cell size, in pixels.
    public static let cellSize = 4
    /// Side of the feature grid, in cells (cropSize / cellSize).
    public static let gridSize = 64
    /// Features per grid cell.
    public static let planeCount = Int(CV_FHOG_PLANES)
    /// Floats per crop: planeCount × gridSize × gridSize = 126 976.
    public static let featureCount = planeCount * gridSize * gridSize

    private let handle: OpaquePointer

    public init() throws(VisionError) {
        try VisionBuild.requireRunnableCPU()
        var error = cv_error()
        guard let handle = cv_fhog_create(&error) else {
            throw VisionError.from(error, operation: "creating the FHOG extractor")
        }
        self.handle = handle
    }

    deinit { cv_fhog_destroy(handle) }

    /// Position of one feature in the planar layout.
    @inlinable
    public static func index(plane: Int, row: Int, column: Int) -> Int {
        (plane * gridSize + row) * gridSize + column
    }

    /// Features of one crop (`cropSize × cropSize × 3` bytes of packed RGB), in the layout above.
    public func extract(crop: [UInt8]) throws(VisionError) -> [Float] {
        var features = [Float](repeating: 0, count: Self.featureCount)
        try extract(crop: crop, into: &features)
        return features
    }

    /// Writes the features of one crop into `features`, resized to `featureCount` if needed (reuse
    /// the array across frames to avoid allocating).
    public func extract(crop: [UInt8], into features: inout [Float]) throws(VisionError) {
        let side = Self.cropSize
        try VisionError.checkImage("FHOG", byteCount: crop.count, width: side, height: side)
        if features.count != Self.featureCount {
            features = [Float](repeating: 0, count: Self.featureCount)
        }
        var error = cv_error()
        var rows: Int32 = 0
        var cols: Int32 = 0
        let status = crop.withUnsafeBufferPointer { pixels in
            features.withUnsafeMutableBufferPointer { out in
                cv_fhog_extract(handle, pixels.baseAddress, Int32(side), Int32(side), 3,
                                Int32(Self.cellSize), 1, out.baseAddress, out.count, &rows, &cols, &error)
            }
        }
        guard status == CV_OK.rawValue else { throw VisionError.from(error, operation: "FHOG extraction") }
        guard rows == Self.gridSize, cols == Self.gridSize else {
            throw .dlibFailure(operation: "FHOG extraction",
                               message: "dlib produced a \(rows)×\(cols) grid, expected \(Self.gridSize)×\(Self.gridSize)")
        }
    }
}
