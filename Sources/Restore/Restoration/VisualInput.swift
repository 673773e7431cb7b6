/// The visual half of one face's model input in one frame (crop region, crop and FHOG), made on
/// the analysis thread right after tracking, so that the restoration thread (with two faces the
/// stream's bottleneck) only adds the audio context.
public struct VisualInput: Sendable {
    public let trackID: Int
    public let region: FaceBox
    /// 256×256×3 RGB crop.
    public let crop: [UInt8]
    /// dlib FHOG 31×64×64, planar.
    public let fhog: [Float]
}
