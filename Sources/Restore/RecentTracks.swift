/// The tracks of the frames still waiting in the lookahead window: tracking runs when a frame
/// arrives, restoration when its window is complete, `lookahead` frames later.
struct RecentTracks {
    /// Frames kept behind the newest: the window's lookahead plus margin for flushing.
    let keep: Int
    private var bySequence: [Int: [FaceTrack]] = [:]

    init(lookahead: Int) { keep = 4 * (lookahead + 1) }

    mutating func record(_ tracks: [FaceTrack], sequence: Int) {
        bySequence[sequence] = tracks
        // Sequences arrive one by one, so exactly one entry falls out of range per frame.
        bySequence[sequence - keep] = nil
    }

    func tracks(for sequence: Int) -> [FaceTrack] { bySequence[sequence] ?? [] }
}
