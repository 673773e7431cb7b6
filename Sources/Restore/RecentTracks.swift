/// The tracks of the frames still waiting in the lookahead window: tracking runs when a frame
/// arrives, restoration when its window is complete, `lookahead` frames later.
struct RecentTracks {
    /// Frames kept behind the newest: the window's lookahead plus margin for flushing.
    let keep: Int
    private var bySequence: [Int: [FaceTrack]] = [:]
    /// Crops and FHOG made by the analysis thread, until the restorer takes them.
    private var visuals: [Int: [VisualInput]] = [:]

    init(lookahead: Int) { keep = 4 * (lookahead + 1) }

    mutating func record(_ tracks: [FaceTrack], visuals: [VisualInput] = [], sequence: Int) {
        bySequence[sequence] = tracks
        self.visuals[sequence] = visuals.isEmpty ? nil : visuals
        // Sequences arrive one by one, so exactly one entry falls out of range per frame (the
        // visuals of a frame passed through unrestored go with it).
        bySequence[sequence - keep] = nil
        self.visuals[sequence - keep] = nil
    }

    func tracks(for sequence: Int) -> [FaceTrack] { bySequence[sequence] ?? [] }

    /// The visual input of `trackID` in frame `sequence`, handed out once (the restorer caches
    /// what it makes of it).
    mutating func takeVisual(sequence: Int, trackID: Int) -> VisualInput? {
        guard let i = visuals[sequence]?.firstIndex(where: { $0.trackID == trackID }) else { return nil }
        return visuals[sequence]?.remove(at: i)
    }
}
