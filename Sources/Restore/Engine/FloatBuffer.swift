/// Scratch memory allocated once and reused for every frame: the engine's ops write through raw
/// pointers so that steady-state inference never allocates (an Array would need care to stay
/// uniquely referenced, and its accessors add checks in the inner loops).
///
/// Threads: belongs to one workspace or frame holder, used by one thread at a time.
final class FloatBuffer {
    let pointer: UnsafeMutablePointer<Float>
    let count: Int

    init(count: Int) {
        precondition(count >= 0, "buffer size \(count) is negative")
        self.count = count
        pointer = .allocate(capacity: max(count, 1))
        pointer.initialize(repeating: 0, count: max(count, 1))
    }

    deinit { pointer.deallocate() }

    var buffer: UnsafeBufferPointer<Float> { UnsafeBufferPointer(start: pointer, count: count) }

    func zero() { pointer.update(repeating: 0, count: count) }
}
