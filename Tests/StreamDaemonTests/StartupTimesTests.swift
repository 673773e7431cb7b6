import Testing
@testable import StreamDaemon

@Suite("A session's start-up phases")
struct StartupTimesTests {
    @Test("each phase is timed from the end of the one before; the total runs from the start")
    func phases() {
        var t = StartupTimes(began: 1_000_000_000)
        t.mark("connect", at: 1_250_000_000)
        t.mark("streams", at: 6_250_000_000)
        t.mark("first video frame", at: 6_300_000_000)
        #expect(t.phases.map(\.name) == ["connect", "streams", "first video frame"])
        #expect(t.phases.map(\.seconds) == [0.25, 5.0, 0.05])
        #expect(t.total == 5.3)
        #expect(t.description == "5.30 s (connect 0.25 s, streams 5.00 s, first video frame 0.05 s)")
    }
}
