/// Latency samples in milliseconds with percentiles. Keeps at most `capacity` samples by
/// reservoir sampling (deterministic generator), so memory stays bounded on endless streams.
struct LatencyStats: Sendable {
    private(set) var samples: [Double] = []
    private(set) var count = 0
    let capacity: Int
    private var rng: UInt64 = 0x9E37_79B9_7F4A_7C15

    init(capacity: Int = 100_000) { self.capacity = capacity }

    mutating func add(_ ms: Double) {
        count += 1
        if samples.count < capacity {
            samples.append(ms)
            return
        }
        rng = rng &* 6364136223846793005 &+ 1442695040888963407
        let slot = Int((rng >> 33) % UInt64(count))
        if slot < capacity { samples[slot] = ms }
    }

    /// Nearest-rank percentile, p in 0...100; nil without samples.
    func percentile(_ p: Double) -> Double? {
        guard !samples.isEmpty else { return nil }
        let sorted = samples.sorted()
        let rank = Int((p / 100 * Double(sorted.count)).rounded(.up)) - 1
        return sorted[min(max(rank, 0), sorted.count - 1)]
    }
}
