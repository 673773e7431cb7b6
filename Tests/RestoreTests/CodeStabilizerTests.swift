import Testing
@testable import Restore

@Suite("Flicker control: code hysteresis and switch rate")
struct CodeStabilizerTests {
    /// Planar logits [codes × positions] with `winner[p]` ahead of the rest by `lead[p]`.
    private func logits(codes: Int, winner: [Int], lead: [Float], runnerUp: [Int]) -> [Float] {
        let n = winner.count
        var l = [Float](repeating: 0, count: codes * n)
        for p in 0..<n {
            l[runnerUp[p] * n + p] = 1
            l[winner[p] * n + p] = 1 + lead[p]
        }
        return l
    }

    @Test("margin 0 is the plain argmax, frame after frame")
    func zeroMarginIsArgmax() {
        var s = CodeStabilizer(margin: 0)
        var codes: [Int32] = []
        s.choose(logits: logits(codes: 8, winner: [1, 2, 3], lead: [0.1, 0.1, 0.1], runnerUp: [0, 0, 0]), codes: 8, into: &codes)
        #expect(codes == [1, 2, 3])
        let switched = s.choose(logits: logits(codes: 8, winner: [0, 2, 7], lead: [0.01, 0.1, 0.1], runnerUp: [1, 0, 3]),
                                codes: 8, into: &codes)
        #expect(codes == [0, 2, 7])
        #expect(switched == 2)
        #expect(abs(s.switchRate - 2.0 / 3.0) < 1e-12)
    }

    @Test("a near tie keeps the previous code; a clear winner takes over")
    func hysteresisHoldsNearTies() {
        var s = CodeStabilizer(margin: 0.5)
        var codes: [Int32] = []
        s.choose(logits: logits(codes: 4, winner: [1, 1], lead: [2, 2], runnerUp: [0, 0]), codes: 4, into: &codes)
        #expect(codes == [1, 1])
        // Position 0: code 2 ahead of code 1 by 0.3 (< margin) → stays 1. Position 1: by 0.8 → 2.
        var l = [Float](repeating: 0, count: 8)
        l[1 * 2 + 0] = 1; l[2 * 2 + 0] = 1.3
        l[1 * 2 + 1] = 1; l[2 * 2 + 1] = 1.8
        let switched = s.choose(logits: l, codes: 4, into: &codes)
        #expect(codes == [1, 2])
        #expect(switched == 1)
        #expect(s.positionsCompared == 2 && s.positionsSwitched == 1)
    }

    @Test("reset forgets the previous frame: the next choice is the argmax and is not counted")
    func resetStartsAfresh() {
        var s = CodeStabilizer(margin: 100)
        var codes: [Int32] = []
        s.choose(logits: logits(codes: 4, winner: [3], lead: [1], runnerUp: [0]), codes: 4, into: &codes)
        s.reset()
        s.choose(logits: logits(codes: 4, winner: [2], lead: [1], runnerUp: [0]), codes: 4, into: &codes)
        #expect(codes == [2])
        #expect(s.positionsCompared == 0)
        #expect(s.switchRate == 0)
    }
}
