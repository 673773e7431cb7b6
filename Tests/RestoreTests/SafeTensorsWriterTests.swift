import Foundation
import Restore
import Testing

@Suite("safetensors writer")
struct SafeTensorsWriterTests {
    @Test("header is aligned JSON with contiguous offsets; data round-trips")
    func roundTrip() throws {
        var w = SafeTensorsWriter()
        w.add("a", floats: [1, 2, 3, 4.5], shape: [2, 2])
        w.add("b", int32s: [-1, 7], shape: [2])
        w.add("c", bytes: [9, 8, 7], shape: [3])
        w.metadata = ["k": "v"]
        let d = try w.data()
        let n = Int(d.prefix(8).withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) })
        #expect((8 + n) % 8 == 0)
        let h = try JSONSerialization.jsonObject(with: d.subdata(in: 8..<(8 + n))) as! [String: Any]
        let a = h["a"] as! [String: Any], b = h["b"] as! [String: Any], c = h["c"] as! [String: Any]
        #expect(a["dtype"] as? String == "F32" && a["shape"] as? [Int] == [2, 2])
        #expect(a["data_offsets"] as? [Int] == [0, 16] && b["data_offsets"] as? [Int] == [16, 24] && c["data_offsets"] as? [Int] == [24, 27])
        #expect((h["__metadata__"] as? [String: String]) == ["k": "v"])
        let floats = d.subdata(in: (8 + n)..<(8 + n + 16)).withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
        #expect(floats == [1, 2, 3, 4.5])
        #expect(Array(d.suffix(3)) == [9, 8, 7])
    }
}
