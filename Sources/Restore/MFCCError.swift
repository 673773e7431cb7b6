/// What can go wrong computing audio features; each message says what to do about it.
public enum MFCCError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The parameters cannot describe an MFCC (see the message).
    case invalidConfiguration(String)
    /// A chunk arrived at another rate than the features are defined for.
    case sampleRateMismatch(expected: Int, got: Int)
    /// FFTW returned no plan (out of memory, or a size FFTW rejects).
    case fftwPlanFailed(size: Int)

    public var description: String {
        switch self {
        case .invalidConfiguration(let why):
            return "invalid MFCC configuration: \(why); the model expects MFCCConfig.model"
        case .sampleRateMismatch(let expected, let got):
            return "audio chunk at \(got) Hz but the MFCC is defined at \(expected) Hz; resample before it "
                + "(audioresample ! audio/x-raw,format=F32LE,rate=\(expected),channels=1)"
        case .fftwPlanFailed(let size):
            return "FFTW could not plan a \(size)-point real FFT; check memory and the libfftw3f installation"
        }
    }
}
