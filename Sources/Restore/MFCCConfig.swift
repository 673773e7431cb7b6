import Media

/// The parameters of the model's audio features. The defaults are the model's contract:
/// `librosa.feature.mfcc(y, sr=16000, n_mfcc=80, n_fft=512, win_length=400, hop_length=160,
/// n_mels=80)` with librosa's defaults for everything else (checked against librosa 0.11.0):
/// centred frames with zero padding (`pad_mode="constant"`), periodic Hann window of
/// `winLength` centred in `nFFT`, power spectrum, Slaney mel filters (`htk=False`,
/// `norm="slaney"`, 0 Hz … sr/2), `power_to_db(ref=1.0, amin=1e-10, top_db=80)`, DCT-II with
/// `norm="ortho"`, no liftering.
public struct MFCCConfig: Sendable, Equatable {
    public var sampleRate: Int = 16_000
    public var nFFT: Int = 512
    public var winLength: Int = 400
    public var hopLength: Int = 160
    public var nMels: Int = 80
    public var nMFCC: Int = 80
    public var fMin: Double = 0
    /// nil means sampleRate / 2, librosa's default.
    public var fMax: Double? = nil
    /// Floor of the mel power before the logarithm (librosa's `amin`).
    public var amin: Double = 1e-10
    /// Dynamic range kept below the loudest mel value, in dB (librosa's `top_db`); nil keeps all.
    public var topDb: Double? = 80

    public init() {}

    /// The model's features, as DESIGN.md defines them.
    public static let model = MFCCConfig()

    /// Spacing of MFCC frames on the PTS axis (10 ms for the model).
    public var hopDuration: MediaTime { MediaTime(nanoseconds: sampleTimeNanos(hopLength)) }

    /// Nanoseconds spanned by `count` samples; exact whenever 1e9 is a multiple of the rate
    /// (16 kHz: 62 500 ns per sample), so frame times never drift on long streams. Whole seconds
    /// are split off first: count · 1e9 alone overflows Int64 after 6.7 days at 16 kHz.
    func sampleTimeNanos(_ count: Int) -> Int64 {
        let rate = Int64(sampleRate), n = Int64(count)
        return (n / rate) * 1_000_000_000 + (n % rate) * 1_000_000_000 / rate
    }

    /// Zero columns librosa's `pad_center` puts before the window inside the FFT frame.
    var windowOffset: Int { (nFFT - winLength) / 2 }
    var binCount: Int { nFFT / 2 + 1 }
    /// Frames librosa returns for `count` samples with center=True (none for no samples).
    func frameCount(forSamples count: Int) -> Int { count == 0 ? 0 : 1 + count / hopLength }
    /// Index of the first input sample under frame `i`'s (non-zero) window: frame i is centred
    /// on sample i·hop, and the window covers [centre − nFFT/2 + offset, … + winLength).
    func windowStart(ofFrame i: Int) -> Int { i * hopLength - nFFT / 2 + windowOffset }

    func validate() throws(MFCCError) {
        func bad(_ why: String) -> MFCCError { .invalidConfiguration(why) }
        guard sampleRate > 0 else { throw bad("sampleRate must be positive, got \(sampleRate)") }
        guard nFFT >= 2, nFFT % 2 == 0 else { throw bad("nFFT must be even and ≥ 2, got \(nFFT)") }
        guard winLength > 0, winLength <= nFFT else {
            throw bad("winLength must be in 1…nFFT (\(nFFT)), got \(winLength)")
        }
        guard hopLength > 0 else { throw bad("hopLength must be positive, got \(hopLength)") }
        guard nMels > 0 else { throw bad("nMels must be positive, got \(nMels)") }
        guard nMFCC > 0, nMFCC <= nMels else { throw bad("nMFCC must be in 1…nMels (\(nMels)), got \(nMFCC)") }
        let top = fMax ?? Double(sampleRate) / 2
        guard fMin >= 0, fMin < top, top <= Double(sampleRate) / 2 else {
            throw bad("need 0 ≤ fMin < fMax ≤ sampleRate/2, got fMin \(fMin), fMax \(top)")
        }
        guard amin > 0 else { throw bad("amin must be positive, got \(amin)") }
        if let topDb, !(topDb >= 0) { throw bad("topDb must be ≥ 0 or nil, got \(topDb)") }
    }
}
