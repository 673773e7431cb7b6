/// Temporal smoothing of one track's restored faces (planar RGB floats `3 × side × side` in
/// [0, 1], as the decoder writes them): see `SmoothingMode` for the blends, γ weighting the
/// current frame.
///
/// Feed the faces in frame order with `push`; each call returns the sequence number of the face
/// it wrote out, which is the pushed frame for `causal` and `off` and the previous one for
/// `paper` (`latency` frames later). At the end of the track `flush` writes out what is held
/// back. A face with no neighbour (the first of a track, the last one under `paper`, or next to
/// a gap in the sequence numbers) comes out unsmoothed.
///
/// The motion is Farneback flow between 64×64 greys of the restored faces themselves, with
/// the model's parameters, upsampled to warp the 256×256 face. Measured with
/// Tests/Fixtures/flow/smoothing_flow_study.py (3 GRID tracks × 40 frames, flicker simulated as
/// per-frame noise on the clean crops, causal γ 0.7, RMSE to the clean face; unsmoothed 2.26,
/// blend without motion compensation 1.97): flow on the LQ crops' 64² greys (the model input's
/// own flow, free) 1.90, on the restored faces at 64² 1.82, 128² 1.81, 256² 1.80, at 1.1, 3.4
/// and 10.5 ms per Farneback call in cv2. The LQ crops' flow is cheapest but the degradation
/// (×4 down, H.264) blurs the motion; 64² of the restored faces gets nearly all of the gain of
/// the full size at a tenth of its cost, and its grey is computed once per frame. In the
/// release build one `causal` or `paper` push of a 256² face takes 1.4 ms (grey 0.06, Farneback
/// 0.57, warp 0.69; FlowBenchmarkTests), which is small next to the model.
///
/// Threads: one instance per track, used by one thread at a time (not `Sendable`). Buffers
/// (three faces, two greys, a flow field) are allocated at creation and reused.
public final class TemporalSmoother {
    public let mode: SmoothingMode
    /// Weight of the current frame, 0…1 (1: no smoothing).
    public let gamma: Float
    /// Side of the restored faces (256 for the model).
    public let side: Int
    /// Side of the grey images the flow is computed on.
    public let flowSide: Int
    /// Frames between pushing a face and getting it back: 1 for `paper`, else 0.
    public var latency: Int { mode.latency }
    /// Sequence number of the face held back (`paper`), or of the last output (`causal`).
    public private(set) var lastSequence: Int?

    private let flow: OpticalFlow
    private let warper: FlowWarp
    private var field: FlowField
    // causal: the last output; paper: the held-back input.
    private var held: [Float]
    private var warped: [Float]
    // Grey of the face in `held`, and of the face being pushed.
    private var heldGrey: [UInt8]
    private var newGrey: [UInt8]

    /// - Parameters:
    ///   - gamma: weight of the current frame, in 0…1.
    ///   - side: side of the faces; `flowSide` must divide it.
    ///   - parameters: Farneback's; the default is the model's, which the 64² choice was
    ///     measured with.
    /// - Throws: `FlowError.invalidParameter` for γ outside 0…1, sizes that do not divide, or
    ///   parameters out of range.
    public init(mode: SmoothingMode = .causal, gamma: Float = 0.7, side: Int = 256, flowSide: Int = 64,
                parameters: FarnebackParameters = .model) throws(FlowError) {
        guard gamma >= 0 && gamma <= 1 else {
            throw .invalidParameter("smoothing γ must be in 0…1 (weight of the current frame), got \(gamma)")
        }
        guard side > 0, flowSide > 0, side >= flowSide, side % flowSide == 0 else {
            throw .invalidParameter("flow side \(flowSide) must divide the face side \(side)")
        }
        self.mode = mode
        self.gamma = gamma
        self.side = side
        self.flowSide = flowSide
        self.flow = try OpticalFlow(width: flowSide, height: flowSide, parameters: parameters)
        self.warper = try FlowWarp()
        self.field = flow.makeField()
        let n = 3 * side * side
        self.held = [Float](repeating: 0, count: mode == .off ? 0 : n)
        self.warped = [Float](repeating: 0, count: mode == .off ? 0 : n)
        self.heldGrey = [UInt8](repeating: 0, count: flowSide * flowSide)
        self.newGrey = heldGrey
    }

    /// Forgets the track's past (it was lost, or the stream restarted). A face held back by
    /// `paper` is dropped: `flush` first to keep it.
    public func reset() { lastSequence = nil }

    /// Takes the restored face of frame `sequence` and writes the face that is ready into
    /// `output` (resized if needed; reuse it).
    /// - Returns: the sequence number of the face written, nil when nothing was (the first push
    ///   under `paper`).
    /// - Throws: `FlowError.wrongSize` if `face` is not 3 × side × side values (nothing changes
    ///   then); `.openCVFailure` if OpenCV fails.
    public func push(sequence: Int, face: [Float], into output: inout [Float]) throws(FlowError) -> Int? {
        let n = 3 * side * side
        try FlowError.check("restored face (3×\(side)×\(side) planar)", count: face.count, expected: n)
        if output.count != n { output = [Float](repeating: 0, count: n) }
        switch mode {
        case .off:
            output.withUnsafeMutableBufferPointer { o in _ = o.update(fromContentsOf: face) }
            return sequence
        case .causal:
            let follows = lastSequence.map { sequence == $0 + 1 } ?? false
            if gamma < 1 { try FlowGrey.restoredGrey(face: face, faceSide: side, side: flowSide, into: &newGrey) }
            if follows && gamma < 1 {
                // Flow from t to t−1 brings the previous output onto frame t.
                try flow.compute(from: newGrey, to: heldGrey, into: &field)
                try warper.warp(held, width: side, height: side, planes: 3, by: field, into: &warped)
                blend(face, warped, into: &output)
            } else {
                output.withUnsafeMutableBufferPointer { o in _ = o.update(fromContentsOf: face) }
            }
            held.withUnsafeMutableBufferPointer { h in _ = h.update(fromContentsOf: output) }
            swap(&heldGrey, &newGrey)
            lastSequence = sequence
            return sequence
        case .paper:
            if gamma < 1 { try FlowGrey.restoredGrey(face: face, faceSide: side, side: flowSide, into: &newGrey) }
            let previous = lastSequence
            if let previous {
                if sequence == previous + 1 && gamma < 1 {
                    // Flow from t to t+1 brings the next face onto frame t.
                    try flow.compute(from: heldGrey, to: newGrey, into: &field)
                    try warper.warp(face, width: side, height: side, planes: 3, by: field, into: &warped)
                    blend(held, warped, into: &output)
                } else {
                    output.withUnsafeMutableBufferPointer { o in _ = o.update(fromContentsOf: held) }
                }
            }
            held.withUnsafeMutableBufferPointer { h in _ = h.update(fromContentsOf: face) }
            swap(&heldGrey, &newGrey)
            lastSequence = sequence
            return previous
        }
    }

    /// Writes out the face `paper` holds back (unsmoothed: it has no successor) and forgets the
    /// track. Returns its sequence number; nil if nothing is held (always under `causal`/`off`,
    /// which hold nothing back; their state is reset too).
    public func flush(into output: inout [Float]) -> Int? {
        defer { lastSequence = nil }
        guard mode == .paper, let held = lastSequence else { return nil }
        if output.count != self.held.count { output = [Float](repeating: 0, count: self.held.count) }
        output.withUnsafeMutableBufferPointer { o in _ = o.update(fromContentsOf: self.held) }
        return held
    }

    private func blend(_ current: [Float], _ other: [Float], into output: inout [Float]) {
        let g = gamma, h = 1 - gamma
        current.withUnsafeBufferPointer { c in
            other.withUnsafeBufferPointer { w in
                output.withUnsafeMutableBufferPointer { o in
                    for i in 0..<o.count { o[i] = g * c[i] + h * w[i] }
                }
            }
        }
    }
}
