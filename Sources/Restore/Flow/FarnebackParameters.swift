import CVision
import Foundation

/// `cv::calcOpticalFlowFarneback`'s parameters, with OpenCV's names. The default is the model's
/// `FLOW_PARAMS` (training/data.py): the flow input must be computed exactly as in training.
public struct FarnebackParameters: Sendable, Equatable {
    /// Options of `flags` (OpenCV's `OPTFLOW_*` bits).
    public struct Flags: OptionSet, Sendable, Hashable {
        public let rawValue: Int32
        public init(rawValue: Int32) { self.rawValue = rawValue }
        /// The flow passed in is the initial estimate (`OPTFLOW_USE_INITIAL_FLOW`).
        public static let useInitialFlow = Flags(rawValue: CV_FARNEBACK_USE_INITIAL_FLOW)
        /// Gaussian instead of box window (`OPTFLOW_FARNEBACK_GAUSSIAN`).
        public static let gaussianWindow = Flags(rawValue: CV_FARNEBACK_GAUSSIAN)
    }

    /// Scale between pyramid levels, in (0, 1).
    public var pyrScale: Double
    /// Pyramid levels above the image (0: the image only), 0…16.
    public var levels: Int
    /// Averaging window, 1…255 pixels.
    public var winsize: Int
    /// Iterations per pyramid level, 1…100.
    public var iterations: Int
    /// Neighbourhood of the polynomial expansion: 5 or 7.
    public var polyN: Int
    /// Gaussian σ of the polynomial expansion, in (0, 10].
    public var polySigma: Double
    public var flags: Flags

    public init(pyrScale: Double = 0.5, levels: Int = 2, winsize: Int = 9, iterations: Int = 3, polyN: Int = 5,
                polySigma: Double = 1.1, flags: Flags = []) {
        self.pyrScale = pyrScale
        self.levels = levels
        self.winsize = winsize
        self.iterations = iterations
        self.polyN = polyN
        self.polySigma = polySigma
        self.flags = flags
    }

    /// training/data.py's FLOW_PARAMS.
    public static let model = FarnebackParameters()

    /// Throws `FlowError.invalidParameter` naming the first value out of range (the same ranges
    /// the shim checks, so a bad value is caught where it is set, not at the first frame).
    public func validate() throws(FlowError) {
        func bad(_ name: String, _ value: String, _ range: String) -> FlowError {
            .invalidParameter("Farneback \(name) must be \(range), got \(value)")
        }
        guard pyrScale > 0 && pyrScale < 1 else { throw bad("pyr_scale", "\(pyrScale)", "in (0, 1)") }
        guard (0...16).contains(levels) else { throw bad("levels", "\(levels)", "0…16") }
        guard (1...255).contains(winsize) else { throw bad("winsize", "\(winsize)", "1…255") }
        guard (1...100).contains(iterations) else { throw bad("iterations", "\(iterations)", "1…100") }
        guard polyN == 5 || polyN == 7 else { throw bad("poly_n", "\(polyN)", "5 or 7") }
        guard polySigma > 0 && polySigma <= 10 else { throw bad("poly_sigma", "\(polySigma)", "in (0, 10]") }
        guard flags.subtracting([.useInitialFlow, .gaussianWindow]).isEmpty else {
            throw bad("flags", "\(flags.rawValue)", "a combination of 4 (USE_INITIAL_FLOW) and 256 (GAUSSIAN)")
        }
    }

    var cValue: cv_farneback_params {
        cv_farneback_params(pyr_scale: pyrScale, levels: Int32(clamping: levels), winsize: Int32(clamping: winsize),
                            iterations: Int32(clamping: iterations), poly_n: Int32(clamping: polyN),
                            poly_sigma: polySigma, flags: flags.rawValue)
    }
}

extension FarnebackParameters {
    private static let keys: Set<String> = ["pyr_scale", "levels", "winsize", "iterations", "poly_n", "poly_sigma", "flags"]

    /// The parameters from the model file's `flow` metadata, which training/export.py writes as
    /// prose containing `params {json}` (the JSON of FLOW_PARAMS). Every one of the seven keys
    /// must be there and no other: a key this code does not know would change the flow silently.
    public init(modelMetadata flow: String) throws(FlowError) {
        guard let tag = flow.range(of: "params {") else {
            throw .unreadableMetadata("no `params {…}` in \"\(flow.prefix(120))\"")
        }
        let start = flow.index(before: tag.upperBound)
        guard let end = flow[start...].firstIndex(of: "}") else {
            throw .unreadableMetadata("`params {` is not closed")
        }
        let json = String(flow[start...end])
        let values: [String: Double]
        do {
            values = try JSONDecoder().decode([String: Double].self, from: Data(json.utf8))
        } catch {
            throw .unreadableMetadata("\(json) is not a JSON object of numbers")
        }
        let found = Set(values.keys)
        guard found == Self.keys else {
            let missing = Self.keys.subtracting(found).sorted(), unknown = found.subtracting(Self.keys).sorted()
            throw .unreadableMetadata("\(json): missing \(missing), unknown \(unknown)")
        }
        func integer(_ key: String) throws(FlowError) -> Int {
            let v = values[key]!
            guard v == v.rounded(), abs(v) < 1e9 else { throw .unreadableMetadata("\(key) = \(v) is not an integer") }
            return Int(v)
        }
        self.init(pyrScale: values["pyr_scale"]!, levels: try integer("levels"), winsize: try integer("winsize"),
                  iterations: try integer("iterations"), polyN: try integer("poly_n"), polySigma: values["poly_sigma"]!,
                  flags: Flags(rawValue: Int32(try integer("flags"))))
        try validate()
    }
}
