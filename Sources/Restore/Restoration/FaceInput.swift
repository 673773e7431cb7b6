/// What the front end extracts for one face in one frame before the model sees it.
struct FaceInput {
    let region: FaceBox
    /// 256×256×3 RGB crop.
    let crop: [UInt8]
    /// dlib FHOG 31×64×64, planar.
    let fhog: [Float]
    let audio: AudioContext
}
