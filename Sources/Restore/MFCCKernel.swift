import CFFTW
import Foundation

/// The arithmetic of one MFCC frame, shared by `MFCC` (batch) and `MFCCStream` so that both give
/// bit-identical frames for the same samples and the same clip floor.
///
/// A frame is split in two steps because librosa's `top_db` clip sits between them and needs the
/// maximum over all frames: `logMel` (window → FFTW → power → mel → dB, unclipped) and then
/// `cepstrum` (clip at a floor → DCT-II). The spectrum is single precision (FFTW's float
/// transform, as the project requires); the mel sums, logarithm and DCT run in Double, which is
/// cheap at 80×80 and keeps the result within float rounding of librosa.
///
/// Not Sendable: it owns FFTW scratch buffers. One instance per thread.
final class MFCCKernel {
    let config: MFCCConfig
    private let fft: RealFFT
    /// Periodic Hann window of `winLength` (scipy's `get_window("hann", N, fftbins=True)`).
    private let window: [Double]
    private let melBank: MelFilterBank
    /// DCT-II with orthonormal scaling, `nMFCC` rows × `nMels` columns.
    ///
    /// A dense matrix rather than FFTW's REDFT10: only the first `nMFCC` of `nMels` outputs are
    /// wanted, 80×80 multiply-adds per frame cost ~2 µs, and the sum stays in Double.
    private let dct: [Double]
    private var power: [Double]
    private var bands: [Double]
    private var clipped: [Double]
    /// 10·log10(max(amin, ref)) with librosa's ref = 1.0, i.e. 0 dB for power 1.
    private let referenceDb: Double

    init(config: MFCCConfig) throws(MFCCError) {
        try config.validate()
        self.config = config
        self.fft = try RealFFT(size: config.nFFT)
        let n = config.winLength
        self.window = (0..<n).map { 0.5 - 0.5 * cos(2 * Double.pi * Double($0) / Double(n)) }
        self.melBank = MelFilterBank(sampleRate: config.sampleRate, nFFT: config.nFFT, count: config.nMels,
                                     fMin: config.fMin, fMax: config.fMax ?? Double(config.sampleRate) / 2)
        let nm = config.nMels
        var dct = [Double](repeating: 0, count: config.nMFCC * nm)
        for k in 0..<config.nMFCC {
            let scale = k == 0 ? (1 / Double(nm)).squareRoot() : (2 / Double(nm)).squareRoot()
            for m in 0..<nm {
                dct[k * nm + m] = scale * cos(Double.pi * Double(k) * Double(2 * m + 1) / Double(2 * nm))
            }
        }
        self.dct = dct
        self.power = [Double](repeating: 0, count: config.binCount)
        self.bands = [Double](repeating: 0, count: nm)
        self.clipped = [Double](repeating: 0, count: nm)
        self.referenceDb = 10 * log10(max(config.amin, 1.0))
    }

    /// Writes the unclipped log-mel spectrum (dB) of frame `frame` into `out` (`nMels` values)
    /// and returns its largest value.
    ///
    /// `samples[j]` is input sample `firstIndex + j`. Samples outside the buffer read as zero:
    /// before sample 0 that is librosa's centre padding (`pad_mode="constant"`), after the last
    /// one it is the end padding. A caller streaming audio must only ask for frames whose window
    /// lies within what it holds, except when flushing the end.
    func logMel(frame: Int, samples: UnsafeBufferPointer<Float>, firstIndex: Int,
                into out: UnsafeMutablePointer<Double>) -> Double {
        let input = fft.input
        let offset = config.windowOffset
        let start = config.windowStart(ofFrame: frame) - firstIndex
        let count = samples.count
        // The FFT frame outside [offset, offset + winLength) is the zero part of the centred
        // window; RealFFT zeroed it at creation and nothing writes there.
        window.withUnsafeBufferPointer { w in
            for n in 0..<w.count {
                let j = start + n
                let x: Float = (j >= 0 && j < count) ? samples[j] : 0
                input[offset + n] = Float(w[n] * Double(x))
            }
        }
        fft.execute()
        let spectrum = fft.output
        var largest = -Double.infinity
        power.withUnsafeMutableBufferPointer { p in
            for k in 0..<p.count {
                let re = Double(spectrum[k].0), im = Double(spectrum[k].1)
                p[k] = re * re + im * im
            }
            bands.withUnsafeMutableBufferPointer { b in
                melBank.apply(power: UnsafePointer(p.baseAddress!), into: b.baseAddress!)
                for m in 0..<b.count {
                    let db = 10 * log10(max(config.amin, b[m])) - referenceDb
                    out[m] = db
                    largest = max(largest, db)
                }
            }
        }
        return largest
    }

    /// Clips the log-mel values at `floor` (when given) and writes the `nMFCC` coefficients.
    func cepstrum(logMel: UnsafePointer<Double>, floor: Double?, into out: UnsafeMutablePointer<Float>) {
        let nm = config.nMels
        clipped.withUnsafeMutableBufferPointer { x in
            for m in 0..<nm { x[m] = floor.map { max(logMel[m], $0) } ?? logMel[m] }
            dct.withUnsafeBufferPointer { d in
                for k in 0..<config.nMFCC {
                    var sum = 0.0
                    let row = k * nm
                    for m in 0..<nm { sum += d[row + m] * x[m] }
                    out[k] = Float(sum)
                }
            }
        }
    }
}
