import Foundation
import Testing

@Suite("Pipelines release what they hold")
struct LeakTests {
    /// Runs in a child process: RSS is per process, and the test runner's other tests would be
    /// measured with it (that made an in-process version of this test fail at random).
    @Test("building, running and dropping input + output pipelines 40 times does not grow memory")
    func repeatedPipelines() throws {
        let r = try TestSupport.run(TestSupport.binary, ["bench", "churn", "--warmup", "8", "--cycles", "40"], timeout: 300)
        #expect(r.status == 0, "\(r.stderr)")
        print(r.stdout)
        let field = r.stdout.split(whereSeparator: { $0 == " " || $0 == "\n" })
            .first { $0.hasPrefix("rss_growth_kb=") }
        let growth = try #require(field.flatMap { Int($0.dropFirst("rss_growth_kb=".count)) }, "no figure in: \(r.stdout)")
        // A leaked pipeline holds at least its frame queues (~MBs each); allow allocator noise.
        #expect(growth < 20_000, "RSS grew by \(growth) kB")
    }
}
