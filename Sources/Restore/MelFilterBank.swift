import Foundation

/// Triangular mel filters on the bins of a real FFT, as Slaney's Auditory Toolbox defines them
/// (librosa's `filters.mel` with `htk=False, norm="slaney"`), built here from that definition
/// because no Swift package ships it.
///
/// The Slaney mel scale is linear below 1 kHz (200/3 Hz per mel, so 1 kHz is mel 15) and
/// logarithmic above (27 mels per factor 6.4 in frequency). `count + 2` points equally spaced in
/// mel between fMin and fMax give the lower edge, centre and upper edge of each triangle; each
/// triangle is scaled by 2 / (upper − lower) so that every filter has the same area ("slaney"
/// normalisation, constant energy per band).
///
/// Weights are kept in Double and only their non-zero span is stored: a filter touches a few
/// bins, so `apply` costs ~bins·2 multiply-adds rather than bins·count.
struct MelFilterBank: Sendable {
    let count: Int
    let binCount: Int
    /// First FFT bin of each filter.
    private let firstBin: [Int]
    /// Range of each filter's weights in `weights`.
    private let spans: [Range<Int>]
    private let weights: [Double]

    init(sampleRate: Int, nFFT: Int, count: Int, fMin: Double, fMax: Double) {
        precondition(count > 0 && nFFT > 0 && fMin < fMax, "mel filter bank parameters out of range")
        self.count = count
        self.binCount = nFFT / 2 + 1
        let lowMel = Self.mel(fromHz: fMin)
        let highMel = Self.mel(fromHz: fMax)
        let edges = (0..<(count + 2)).map { i in
            Self.hz(fromMel: lowMel + (highMel - lowMel) * Double(i) / Double(count + 1))
        }
        let binHz = Double(sampleRate) / Double(nFFT)

        var firstBin: [Int] = []
        var spans: [Range<Int>] = []
        var weights: [Double] = []
        for m in 0..<count {
            let lower = edges[m], centre = edges[m + 1], upper = edges[m + 2]
            let scale = 2 / (upper - lower)
            var first = -1
            let start = weights.count
            for k in 0..<binCount {
                let f = Double(k) * binHz
                let w = max(0, min((f - lower) / (centre - lower), (upper - f) / (upper - centre)))
                if w > 0 {
                    if first < 0 { first = k }
                    // Triangles are convex, so the non-zero bins are contiguous.
                    weights.append(w * scale)
                } else if first >= 0 {
                    break
                }
            }
            // A triangle narrower than one bin covers none (librosa warns and leaves it empty).
            firstBin.append(max(first, 0))
            spans.append(start..<weights.count)
        }
        self.firstBin = firstBin
        self.spans = spans
        self.weights = weights
    }

    /// `power` has `binCount` values; writes `count` band energies into `bands`.
    func apply(power: UnsafePointer<Double>, into bands: UnsafeMutablePointer<Double>) {
        weights.withUnsafeBufferPointer { w in
            for m in 0..<count {
                let span = spans[m]
                var sum = 0.0
                var k = firstBin[m]
                for j in span {
                    sum += w[j] * power[k]
                    k += 1
                }
                bands[m] = sum
            }
        }
    }

    private static let hzPerMelLinear = 200.0 / 3
    private static let breakHz = 1000.0
    private static let breakMel = breakHz / hzPerMelLinear
    private static let logStep = log(6.4) / 27

    static func mel(fromHz f: Double) -> Double {
        f < breakHz ? f / hzPerMelLinear : breakMel + log(f / breakHz) / logStep
    }

    static func hz(fromMel m: Double) -> Double {
        m < breakMel ? m * hzPerMelLinear : breakHz * exp(logStep * (m - breakMel))
    }
}
