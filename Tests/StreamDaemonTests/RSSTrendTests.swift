@testable import StreamDaemon
import Testing

@Suite("bench live: the shape of RSS over the run")
struct RSSTrendTests {
    @Test("growth that levels off shows in the first half only; a leak shows in both")
    func plateauAndLeak() throws {
        // 1800 readings: +10 MB over the first 300, then flat.
        let plateau = (0..<1800).map { 200_000 + min($0, 300) * 10_240 / 300 }
        let p = try #require(RSSTrend(readings: plateau))
        #expect(p.quarters == [200_000, 210_240, 210_240, 210_240, 210_240])
        #expect(abs(p.firstHalf - 0.0512) < 1e-4 && p.secondHalf == 0)
        // The same +10 MB, spread evenly: half of it in each half.
        let leak = (0..<1801).map { 200_000 + $0 * 10_240 / 1800 }
        let l = try #require(RSSTrend(readings: leak))
        #expect(l.quarters == [200_000, 202_560, 205_120, 207_680, 210_240])
        #expect(l.secondHalf > 0.024)
        #expect(l.description == "RSS at each quarter after the warm-up: 195.3, 197.8, 200.3, 202.8, 205.3 MB; first half +2.6 %, second half +2.5 %")
    }

    @Test("fewer than 5 readings have no quarters")
    func tooShort() {
        #expect(RSSTrend(readings: [1, 2, 3, 4]) == nil)
        #expect(RSSTrend(readings: [1, 2, 3, 4, 5])?.quarters == [1, 2, 3, 4, 5])
    }
}
