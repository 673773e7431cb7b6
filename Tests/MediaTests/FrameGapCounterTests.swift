import Media
import Testing

@Suite("Frames missing from a source, read from its timestamps")
struct FrameGapCounterTests {
    private static let frame: UInt64 = 40_000_000  // 25 fps

    private static func count(_ pts: [UInt64?], frameDuration: UInt64? = frame) -> FrameGapCounter {
        var c = FrameGapCounter()
        for p in pts { c.observe(pts: p, frameDuration: frameDuration) }
        return c
    }

    @Test("a regular stream has no gap; a jump of n frame durations is n − 1 missing frames")
    func gaps() {
        let f = Self.frame
        #expect(Self.count((0..<50).map { UInt64($0) * f }).missing == 0)
        // 0, 1, 2, then 5, 6, then 16: frames 3, 4 and 7…15 are missing.
        let c = Self.count([0, f, 2 * f, 5 * f, 6 * f, 16 * f])
        #expect(c.missing == 2 + 9 && c.gaps == 2)
    }

    @Test("jitter under half a frame, an unknown rate, a missing PTS and a step back are not losses")
    func notGaps() {
        let f = Self.frame
        #expect(Self.count([0, f * 14 / 10, f * 28 / 10]).missing == 0)
        #expect(Self.count([0, 10 * f], frameDuration: nil).missing == 0)
        #expect(Self.count([0, nil, f, 2 * f]).missing == 0)
        #expect(Self.count([10 * f, 2 * f, 3 * f]).missing == 0)
    }

    @Test("a new timeline (restart, or a jump of an hour) does not count as lost frames")
    func newTimeline() {
        let f = Self.frame
        var c = FrameGapCounter()
        c.observe(pts: 0, frameDuration: f)
        c.restart()
        c.observe(pts: 100 * f, frameDuration: f)
        c.observe(pts: 101 * f, frameDuration: f)
        c.observe(pts: 101 * f + 7_200_000_000_000, frameDuration: f)
        #expect(c.missing == 0 && c.gaps == 0)
        c.observe(pts: 101 * f + 7_200_000_000_000 + 3 * f, frameDuration: f)
        #expect(c.missing == 2)
    }
}
