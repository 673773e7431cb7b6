/// Per track and frame, what the model computed once and later windows reuse: a frame's
/// encoder features serve the five windows that contain it, its crop the paste and the flow.
///
/// Bounded: entries older than the oldest frame a window can still reach are recycled, and
/// their feature buffers go back to a pool, so a steady stream allocates nothing per frame.
final class TrackFrameCache {
    final class Entry {
        let features: FrameFeatures
        var region = FaceBox(x: 0, y: 0, width: 1, height: 1)
        var crop: [UInt8] = []
        /// The model's output for this frame, RGB planar [3 × 256 × 256] in [0, 1], once restored.
        var restored: [Float] = []
        var hasRestored = false
        init(features: FrameFeatures) { self.features = features }
    }

    struct Key: Hashable {
        let track: Int
        let sequence: Int
    }

    private var entries: [Key: Entry] = [:]
    private var pool: [Entry] = []
    private let makeFeatures: () -> FrameFeatures

    init(makeFeatures: @escaping () -> FrameFeatures) { self.makeFeatures = makeFeatures }

    var count: Int { entries.count }

    subscript(track: Int, sequence: Int) -> Entry? { entries[Key(track: track, sequence: sequence)] }

    /// A fresh (or recycled) entry for a frame of a track.
    func insert(track: Int, sequence: Int) -> Entry {
        let entry = pool.popLast() ?? Entry(features: makeFeatures())
        entry.hasRestored = false
        entries[Key(track: track, sequence: sequence)] = entry
        return entry
    }

    /// Recycles every entry of a frame before `sequence`; their crops go to `recycleCrop`.
    func evict(before sequence: Int, recycleCrop: (([UInt8]) -> Void)? = nil) {
        for (key, entry) in entries where key.sequence < sequence {
            entries[key] = nil
            if let recycleCrop {
                recycleCrop(entry.crop)
                entry.crop = []
            }
            pool.append(entry)
        }
    }

    /// Tracks with at least one cached frame.
    var tracks: Set<Int> { Set(entries.keys.map(\.track)) }
}
