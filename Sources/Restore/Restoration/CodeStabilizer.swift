/// Flicker control for one face track: hysteresis on the codebook indices.
///
/// A codebook restorer picks, per latent position, the code with the highest logit. When two
/// codes are nearly tied, noise in the input flips the choice from frame to frame and the
/// decoded face shimmers — the flicker users of codebook restorers complain about most. Here a
/// position keeps its previous code unless the new best beats it by `margin` logits. The share
/// of positions whose code changed is reported as the code-switch rate (next to TLME).
public struct CodeStabilizer: Sendable {
    /// Logit advantage a new code needs over the previous one; 0 = plain argmax.
    public let margin: Float
    public private(set) var previous: [Int32] = []
    /// Positions compared and positions switched since the start (for the switch rate).
    public private(set) var positionsCompared = 0
    public private(set) var positionsSwitched = 0

    public init(margin: Float) {
        precondition(margin >= 0 && margin.isFinite, "hysteresis margin must be finite and non-negative")
        self.margin = margin
    }

    /// Share of latent positions whose code changed between consecutive frames of the track.
    public var switchRate: Double {
        positionsCompared == 0 ? 0 : Double(positionsSwitched) / Double(positionsCompared)
    }

    /// Forget the previous frame (a new track, or the track was lost).
    public mutating func reset() { previous.removeAll(keepingCapacity: true) }

    /// Chooses the codes of one frame from planar logits [codes × positions] into `codes`.
    /// Returns how many positions switched code compared with the previous frame.
    @discardableResult
    public mutating func choose(logits: [Float], codes count: Int, into out: inout [Int32]) -> Int {
        logits.withUnsafeBufferPointer { choose(logits: $0, codes: count, into: &out) }
    }

    /// As above, on the model's logits buffer (no copy per frame).
    @discardableResult
    public mutating func choose(logits: UnsafeBufferPointer<Float>, codes count: Int, into out: inout [Int32]) -> Int {
        let positions = logits.count / count
        precondition(positions * count == logits.count, "logits are not codes × positions")
        if out.count != positions { out = [Int32](repeating: 0, count: positions) }
        let hasPrevious = previous.count == positions
        var switched = 0
        for p in 0..<positions {
            var best = 0
            var bestLogit = logits[p]
            for k in 1..<count where logits[k * positions + p] > bestLogit {
                best = k
                bestLogit = logits[k * positions + p]
            }
            var chosen = Int32(best)
            if hasPrevious {
                let old = Int(previous[p])
                if old != best && bestLogit - logits[old * positions + p] <= margin { chosen = Int32(old) }
                if chosen != previous[p] { switched += 1 }
            }
            out[p] = chosen
        }
        if hasPrevious {
            positionsCompared += positions
            positionsSwitched += switched
        }
        if previous.count != positions {
            previous = out
        } else {
            for p in 0..<positions { previous[p] = out[p] }
        }
        return switched
    }
}
