/// Decides, frame by frame, whether there is time to restore or the frame must pass through.
///
/// Live sources are never blocked: when frames wait too long or pile up, restoring them would
/// only add latency, so they leave unrestored and are counted.
public struct OverloadPolicy: Sendable {
    /// A frame older than this when its turn comes passes through.
    public var latencyBudgetNanos: UInt64
    /// More frames than this waiting in the queue: pass through until the backlog clears.
    public var maxBacklog: Int

    public init(latencyBudgetMs: Double = 150, maxBacklog: Int = 3) {
        // An infinite budget (files) never expires.
        self.latencyBudgetNanos = latencyBudgetMs.isFinite ? UInt64(max(0, latencyBudgetMs) * 1e6) : .max
        self.maxBacklog = maxBacklog
    }

    /// Files: every frame is restored, however long it takes.
    public static let never = OverloadPolicy(latencyBudgetMs: .infinity, maxBacklog: .max)

    /// False for files (`never`): nothing is ever late, so latency is not worth any trade.
    public var hasDeadline: Bool { latencyBudgetNanos != .max }

    public func shouldPassThrough(frameArrival: UInt64, now: UInt64, backlog: Int) -> Bool {
        if backlog > maxBacklog { return true }
        return now > frameArrival && now - frameArrival > latencyBudgetNanos
    }
}
