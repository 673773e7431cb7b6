/// The faces `FacePreparer` made for the frames restoration may still ask for, by frame. A face
/// nobody took (its frame passed through, or its track's box changed) goes back to the
/// preparer's pools once its frame is out of reach.
final class PreparedFaceStore {
    let preparer: FacePreparer
    /// Frames behind the newest that restoration can still ask for (its lookahead, twice, and a
    /// margin).
    private let reach: Int
    private var byFrame: [Int: [PreparedFace]] = [:]
    /// Faces handed to restoration, and faces that went back unused.
    private(set) var taken = 0
    private(set) var unused = 0

    init(preparer: FacePreparer, lookahead: Int) {
        self.preparer = preparer
        self.reach = 2 * lookahead + 2
    }

    func record(_ faces: [PreparedFace], sequence: Int) {
        if !faces.isEmpty { byFrame[sequence] = faces }
        for (s, stale) in byFrame where s < sequence - reach {
            for face in stale {
                unused += 1
                preparer.recycle(crop: face.crop)
                preparer.recycle(fhog: face.fhog)
            }
            byFrame[s] = nil
        }
    }

    /// The face prepared for `track` in frame `sequence`, if it was made for this very box; the
    /// store lets go of it.
    func take(sequence: Int, track: FaceTrack) -> PreparedFace? {
        guard var faces = byFrame[sequence], let i = faces.firstIndex(where: { $0.trackID == track.id && $0.box == track.box }) else {
            return nil
        }
        let face = faces.remove(at: i)
        byFrame[sequence] = faces.isEmpty ? nil : faces
        taken += 1
        return face
    }
}
