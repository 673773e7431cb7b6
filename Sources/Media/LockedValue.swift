import Foundation

/// A value written by one thread and read by others, guarded by a lock.
public final class LockedValue<Value: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Value
    public init(_ value: Value) { self.value = value }
    public func get() -> Value { lock.withLock { value } }
    public func set(_ newValue: Value) { lock.withLock { value = newValue } }
    @discardableResult
    public func update<T>(_ body: (inout Value) -> T) -> T { lock.withLock { body(&value) } }
}
