import CGst
import Foundation
import Media

/// The non-generic face of an appsink reader: C callbacks cannot capture generic parameters.
class SampleReceiver: @unchecked Sendable {
    func receive(_ sample: OpaquePointer) {}
    func end() {}

    func attach(to element: Element) {
        let sink = UnsafeMutableRawPointer(element.pointer).assumingMemoryBound(to: GstAppSink.self)
        let context = Unmanaged.passRetained(self).toOpaque()
        cgst_app_sink_set_callbacks(sink, { sink, userData in
            let receiver = Unmanaged<SampleReceiver>.fromOpaque(userData!).takeUnretainedValue()
            guard let sample = gst_app_sink_pull_sample(sink) else { return GST_FLOW_OK }
            defer { cgst_sample_unref(sample) }
            receiver.receive(sample)
            return GST_FLOW_OK
        }, { _, userData in
            Unmanaged<SampleReceiver>.fromOpaque(userData!).takeUnretainedValue().end()
        }, context, { userData in
            Unmanaged<SampleReceiver>.fromOpaque(userData!).release()
        })
    }
}

/// Receives samples from one appsink on GStreamer's streaming thread, converts them to Swift
/// values and hands them to a bounded queue. The queue is the only thing shared with the
/// consumer; the callback touches no other state.
final class AppSinkReader<Value: Sendable>: SampleReceiver, @unchecked Sendable {
    let queue: BoundedQueue<Value>
    private let convert: @Sendable (OpaquePointer, Int) -> Value?
    private let lock = NSLock()
    private var sequence = 0
    private var rejected = 0
    private var ended = false

    init(queue: BoundedQueue<Value>, convert: @escaping @Sendable (OpaquePointer, Int) -> Value?) {
        self.queue = queue
        self.convert = convert
    }

    /// Samples that could not be converted (malformed caps or buffers).
    var rejectedCount: Int { lock.withLock { rejected } }
    var receivedCount: Int { lock.withLock { sequence } }
    var hasEnded: Bool { lock.withLock { ended } }

    override func receive(_ sample: OpaquePointer) {
        let index = lock.withLock { () -> Int in
            defer { sequence += 1 }
            return sequence
        }
        if let value = convert(sample, index) {
            queue.push(value)
        } else {
            lock.withLock { rejected += 1 }
        }
    }

    /// End of this stream: the consumer drains the queue and then sees its end.
    override func end() {
        lock.withLock { ended = true }
        queue.finish()
    }
}
