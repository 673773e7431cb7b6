/// The model's flow input for one centre frame, exactly as training/data.py `flow_inputs`
/// computes it: Farneback on the 64×64 greys (`FlowGrey.modelGrey`) of the LQ crops, from the
/// centre to t−1 and from the centre to t+1, planar `[4][64][64]` =
/// dx(t−1), dy(t−1), dx(t+1), dy(t+1), in 64×64 pixels.
///
/// Every crop is identified by a `Key` (track, frame sequence) so that its grey is computed
/// once although three consecutive windows use it: the greys live in a small least-recently-used
/// store of fixed capacity, allocated at creation. The cache only saves time: a key that was
/// evicted is recomputed. A key must always name the same crop; call `reset()` if that stops
/// being true (sequence numbers restart).
///
/// Threads: one instance per stream's restoration thread (not `Sendable`).
public final class ModelFlowInput {
    public struct Key: Hashable, Sendable {
        public var track: Int
        public var sequence: Int
        public init(track: Int, sequence: Int) {
            self.track = track
            self.sequence = sequence
        }
    }

    public static let side = FlowGrey.modelSide
    /// Floats in one flow input: 4 × 64 × 64.
    public static let count = 4 * side * side

    public let parameters: FarnebackParameters
    /// Greys kept for reuse.
    public let capacity: Int
    /// Greys computed since creation (to check the reuse: about one per new frame and track).
    public private(set) var greysComputed = 0

    private let flow: OpticalFlow
    private var field: FlowField
    private var keys: [Key?]
    private var greys: [[UInt8]]
    private var lastUse: [Int]
    private var clock = 0

    /// - Parameters:
    ///   - parameters: the model's (`FarnebackParameters(modelMetadata:)` or `.model`).
    ///   - capacity: greys kept; 3 per track in flight is enough for full reuse (the window
    ///     of t needs t−1, t, t+1, the next one t, t+1, t+2).
    /// - Throws: `FlowError.invalidParameter` for parameters out of range or capacity < 3.
    public init(parameters: FarnebackParameters = .model, capacity: Int = 24) throws(FlowError) {
        guard capacity >= 3 else { throw .invalidParameter("grey cache capacity must be at least 3, got \(capacity)") }
        self.parameters = parameters
        self.capacity = capacity
        self.flow = try OpticalFlow(width: Self.side, height: Self.side, parameters: parameters)
        self.field = flow.makeField()
        self.keys = [Key?](repeating: nil, count: capacity)
        self.greys = [[UInt8]](repeating: [UInt8](repeating: 0, count: Self.side * Self.side), count: capacity)
        self.lastUse = [Int](repeating: 0, count: capacity)
    }

    /// Forgets every cached grey.
    public func reset() {
        for i in keys.indices { keys[i] = nil }
    }

    /// Forgets the greys of one track (it ended).
    public func forget(track: Int) {
        for i in keys.indices where keys[i]?.track == track { keys[i] = nil }
    }

    /// Writes the flow input for the centre crop into `output` (resized to `count` if needed;
    /// reuse it). At a track's edge pass the nearest present crop (with its own key) for the
    /// missing neighbour, as training's windows repeat the edge frame.
    /// - Parameters: each crop is 256×256 packed RGB bytes with the key that names it.
    /// - Throws: `FlowError.wrongSize` for a crop of another size; `.openCVFailure` if OpenCV fails.
    public func compute(previous: (key: Key, crop: [UInt8]), centre: (key: Key, crop: [UInt8]),
                        next: (key: Key, crop: [UInt8]), into output: inout [Float]) throws(FlowError) {
        if output.count != Self.count { output = [Float](repeating: 0, count: Self.count) }
        let c = try slot(centre.key, centre.crop)
        let p = try slot(previous.key, previous.crop, keeping: c)
        try flow.compute(from: greys[c], to: greys[p], into: &field)
        copy(field, to: &output, plane: 0)
        let n = try slot(next.key, next.crop, keeping: c)
        try flow.compute(from: greys[c], to: greys[n], into: &field)
        copy(field, to: &output, plane: 2)
    }

    /// The cached 64×64 grey of a crop, computing it if needed (for tests and callers that
    /// want the image itself).
    public func grey(_ key: Key, crop: [UInt8]) throws(FlowError) -> [UInt8] {
        greys[try slot(key, crop)]
    }

    /// Index of the slot holding the grey of `key`; `keeping` is a slot that must not be evicted.
    private func slot(_ key: Key, _ crop: [UInt8], keeping: Int = -1) throws(FlowError) -> Int {
        clock += 1
        if let i = keys.firstIndex(of: key) {
            lastUse[i] = clock
            return i
        }
        var victim = keeping == 0 ? 1 : 0
        for i in keys.indices where i != keeping {
            if keys[i] == nil { victim = i; break }
            if lastUse[i] < lastUse[victim] { victim = i }
        }
        keys[victim] = nil  // stays empty if the crop is rejected
        try FlowGrey.modelGrey(crop: crop, into: &greys[victim])
        keys[victim] = key
        lastUse[victim] = clock
        greysComputed += 1
        return victim
    }

    private func copy(_ field: FlowField, to output: inout [Float], plane: Int) {
        let n = Self.side * Self.side
        for i in 0..<n {
            output[plane * n + i] = field.dx[i]
            output[(plane + 1) * n + i] = field.dy[i]
        }
    }
}
