import Testing
@testable import StreamDaemon

@Suite struct HeapTrimScheduleTests {
    /// The seconds (checked every 0.1 s over `seconds`) at which trims fall.
    private func trims(_ schedule: HeapTrimSchedule, over seconds: Double) -> [Double] {
        var s = schedule
        var at: [Double] = []
        for tick in 0...Int(seconds * 10) {
            let t = Double(tick) / 10
            if s.isDue(at: t) { at.append(t) }
        }
        return at
    }

    @Test func earlyTrimsThenEveryPeriod() {
        let at = trims(HeapTrimSchedule(first: 2, period: 30), over: 130)
        #expect(at == [2, 6, 14, 30, 60, 90, 120])
    }

    @Test func defaultScheduleSettlesAtTenSeconds() {
        #expect(trims(HeapTrimSchedule(), over: 45) == [2, 6, 14, 24, 34, 44])
    }

    @Test func lateCheckTrimsOnceAndReschedulesFromThen() {
        var s = HeapTrimSchedule(first: 2, period: 30)
        // Checked at 1.9 s, then not until 50 s (missed several slots): one trim, not a burst;
        // the next gap (4 s) counts from then.
        let due = [1.9, 50, 53.9, 54].map { s.isDue(at: $0) }
        #expect(due == [false, true, false, true])
    }

    @Test func constantPeriodWhenFirstEqualsPeriod() {
        #expect(trims(HeapTrimSchedule(first: 30, period: 30), over: 95) == [30, 60, 90])
    }
}
