import Foundation

/// The shape of resident memory over a benchmark run: its readings at each quarter and the
/// change over each half. Growth that stops in the second half is pools and caches reaching
/// their size; growth as large in the second half as in the first is a leak, which one ratio of
/// end to start cannot tell apart.
struct RSSTrend: CustomStringConvertible, Equatable {
    /// kB at the start, ¼, ½, ¾ and the end of the readings.
    let quarters: [Int]

    /// nil with fewer than 5 readings (too short a run to have quarters).
    init?(readings: [Int]) {
        guard readings.count >= 5 else { return nil }
        let last = readings.count - 1
        quarters = (0...4).map { readings[$0 * last / 4] }
    }

    /// Relative change over the first and the second half.
    var firstHalf: Double { Double(quarters[2]) / Double(quarters[0]) - 1 }
    var secondHalf: Double { Double(quarters[4]) / Double(quarters[2]) - 1 }

    var description: String {
        let mb = quarters.map { String(format: "%.1f", Double($0) / 1024) }.joined(separator: ", ")
        return "RSS at each quarter after the warm-up: \(mb) MB; first half "
            + String(format: "%+.1f %%, second half %+.1f %%", 100 * firstHalf, 100 * secondHalf)
    }
}
