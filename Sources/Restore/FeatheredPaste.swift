import Media

/// One restored face to put back: the crop the model saw, what it made of it, and where.
public struct PastePatch: Sendable {
    public let region: FaceBox
    public let original: [UInt8]
    public let restored: [UInt8]
    public init(region: FaceBox, original: [UInt8], restored: [UInt8]) {
        self.region = region
        self.original = original
        self.restored = restored
    }
}

/// Puts restored crops back into the full frame.
///
/// What is pasted is the *change* the model made (restored − original crop), resampled to the
/// frame and faded out towards the crop's border. Why: where the model changes nothing the frame
/// stays bit-exact (no resampling blur, no seam, no colour step at the square's edge), and for the
/// small faces of real cameras the crop is an upsampling, so adding the change is the same as
/// replacing the face. Overlapping faces share the correction by their mask weights, so a pixel
/// is never corrected twice.
public struct FeatheredPaste: Sendable {
    public let size: Int
    /// Width of the fade, as a fraction of the crop side.
    public let feather: Double

    public init(size: Int = 256, feather: Double = 0.12) {
        self.size = size
        self.feather = feather
    }

    /// Mask weight at crop coordinates (u, v) in pixels: 1 inside, smooth fall to 0 at the edge.
    public func weight(u: Double, v: Double) -> Double { min(edgeRamp(u), edgeRamp(v)) }

    public func paste(_ patches: [PastePatch], into frame: inout VideoFrame) {
        for group in Self.overlapping(patches.map { bounds(of: $0.region, width: frame.width, height: frame.height) }) {
            pasteGroup(group.map { patches[$0] }, into: &frame)
        }
    }

    /// The patches of one overlap group, whose regions touch no other group's pixels.
    /// `buffered` forces the region-buffer path for a lone face (tests compare both paths).
    func pasteGroup(_ patches: [PastePatch], into frame: inout VideoFrame, buffered: Bool = false) {
        let w = frame.width
        var minX = frame.width, minY = frame.height, maxX = 0, maxY = 0
        for p in patches {
            let b = bounds(of: p.region, width: frame.width, height: frame.height)
            minX = min(minX, b.x0); minY = min(minY, b.y0); maxX = max(maxX, b.x1); maxY = max(maxY, b.y1)
        }
        guard maxX > minX, maxY > minY else { return }
        let rw = maxX - minX, rh = maxY - minY
        if patches.count == 1 && !buffered {
            // A face alone (the usual case, also for several faces apart): its mask weight never
            // exceeds 1, so the normalisation below divides by 1 and the correction can go
            // straight into the frame, without the two region-sized float buffers (for two
            // faces across a 720p frame ~10 MB, mapped and faulted in anew each frame) and
            // their second pass.
            let p = patches[0]
            precondition(p.original.count == size * size * 3 && p.restored.count == size * size * 3, "patch size mismatch")
            frame.pixels.withUnsafeMutableBufferPointer { px in
                var unused: [Float] = [], unusedWeights: [Float] = []
                accumulate(p, minX: minX, minY: minY, rw: rw, rh: rh, correction: &unused, weights: &unusedWeights,
                           direct: (px.baseAddress!, w))
            }
            return
        }
        var correction = [Float](repeating: 0, count: rw * rh * 3)
        var weights = [Float](repeating: 0, count: rw * rh)
        for p in patches {
            precondition(p.original.count == size * size * 3 && p.restored.count == size * size * 3, "patch size mismatch")
            accumulate(p, minX: minX, minY: minY, rw: rw, rh: rh, correction: &correction, weights: &weights)
        }
        frame.pixels.withUnsafeMutableBufferPointer { px in
            for y in 0..<rh {
                for x in 0..<rw {
                    let m = weights[y * rw + x]
                    guard m > 0 else { continue }
                    let norm = max(1, m)
                    let o = ((minY + y) * w + minX + x) * 3
                    for c in 0..<3 {
                        let delta = correction[(y * rw + x) * 3 + c] / norm
                        if delta == 0 { continue }
                        px[o + c] = ByteRounding.byte(Float(px[o + c]) + delta)
                    }
                }
            }
        }
    }

    /// The pixel rectangle [x0, x1) × [y0, y1) a region covers inside the frame (empty when
    /// it lies outside).
    private func bounds(of r: FaceBox, width: Int, height: Int) -> (x0: Int, y0: Int, x1: Int, y1: Int) {
        (max(0, Int(r.x.rounded(.down))), max(0, Int(r.y.rounded(.down))),
         min(width, Int((r.x + r.width).rounded(.up))), min(height, Int((r.y + r.height).rounded(.up))))
    }

    /// Indices of the rectangles grouped by overlap (connected components, in first-index
    /// order). No pixel is covered by two groups, so each group is pasted on its own with the
    /// same result as all together.
    static func overlapping(_ rects: [(x0: Int, y0: Int, x1: Int, y1: Int)]) -> [[Int]] {
        var parent = Array(rects.indices)
        func root(_ i: Int) -> Int {
            var i = i
            while parent[i] != i { parent[i] = parent[parent[i]]; i = parent[i] }
            return i
        }
        for a in rects.indices {
            for b in rects.indices where b > a {
                let p = rects[a], q = rects[b]
                let bothNonEmpty = p.x0 < p.x1 && p.y0 < p.y1 && q.x0 < q.x1 && q.y0 < q.y1
                if bothNonEmpty && p.x0 < q.x1 && q.x0 < p.x1 && p.y0 < q.y1 && q.y0 < p.y1 { parent[root(b)] = root(a) }
            }
        }
        var groups: [Int: [Int]] = [:], order: [Int] = []
        for i in rects.indices {
            let r = root(i)
            if groups[r] == nil { order.append(r) }
            groups[r, default: []].append(i)
        }
        return order.map { groups[$0]! }
    }

    /// Adds the patch's weighted correction and mask weight into the region buffers, or, with
    /// `direct` (the frame's pixels and width), applies the correction to the frame itself.
    private func accumulate(_ p: PastePatch, minX: Int, minY: Int, rw: Int, rh: Int,
                            correction: inout [Float], weights: inout [Float],
                            direct: (pixels: UnsafeMutablePointer<UInt8>, width: Int)? = nil) {
        let scale = Double(size) / p.region.width
        let x0 = max(minX, Int(p.region.x.rounded(.down))), x1 = min(minX + rw, Int((p.region.x + p.region.width).rounded(.up)))
        let y0 = max(minY, Int(p.region.y.rounded(.down))), y1 = min(minY + rh, Int((p.region.y + p.region.height).rounded(.up)))
        guard x1 > x0, y1 > y0 else { return }
        // The change in crop space, once; zero where the model changed nothing.
        var delta = [Float](repeating: 0, count: size * size * 3)
        var changed = false
        for i in 0..<delta.count where p.restored[i] != p.original[i] {
            delta[i] = Float(p.restored[i]) - Float(p.original[i])
            changed = true
        }
        if direct != nil && !changed { return }
        // Column lookups are the same for every row: bilinear indices, fractions and mask factors.
        let columns = x1 - x0
        var ua = [Int](repeating: 0, count: columns), ub = ua
        var tx = [Float](repeating: 0, count: columns), mu = tx
        for j in 0..<columns {
            let u = (Double(x0 + j) + 0.5 - p.region.x) * scale
            let fu = u - 0.5
            ua[j] = min(max(ByteRounding.floor(fu), 0), size - 1)
            ub[j] = min(ua[j] + 1, size - 1)
            tx[j] = Float(min(max(fu - Double(ua[j]), 0), 1))
            mu[j] = Float(edgeRamp(u))
        }
        // The mask once per channel, for the direct path's flat loop.
        let mu3 = direct == nil ? [] : mu.flatMap { [$0, $0, $0] }
        // Bilinear in two steps with the same float expressions as the direct formula (so the
        // result is bit for bit the same): each source row the output touches is interpolated
        // across the output columns once, not once per output row that reads it; an enlarged
        // face reads every source row about twice.
        var hA = [Float](repeating: 0, count: columns * 3), hB = hA
        var rowsIn: (a: Int, b: Int) = (-1, -1)
        func interpolateRow(_ row: Int, into h: inout [Float], _ d: UnsafeBufferPointer<Float>) {
            let base = row * size * 3
            h.withUnsafeMutableBufferPointer { out in
                for j in 0..<columns {
                    let a = base + ua[j] * 3, b = base + ub[j] * 3, t = tx[j]
                    for c in 0..<3 { out[j * 3 + c] = d[a + c] + (d[b + c] - d[a + c]) * t }
                }
            }
        }
        delta.withUnsafeBufferPointer { d in
            correction.withUnsafeMutableBufferPointer { corr in
                weights.withUnsafeMutableBufferPointer { wts in
                    for y in y0..<y1 {
                        let v = (Double(y) + 0.5 - p.region.y) * scale
                        let mv = Float(edgeRamp(v))
                        guard mv > 0 else { continue }
                        let fv = v - 0.5
                        let va = min(max(ByteRounding.floor(fv), 0), size - 1), vb = min(va + 1, size - 1)
                        let ty = Float(min(max(fv - Double(va), 0), 1))
                        // vb follows from va, so the pair changes exactly when va does.
                        if changed && va != rowsIn.a {
                            if va == rowsIn.b { swap(&hA, &hB) } else { interpolateRow(va, into: &hA, d) }
                            interpolateRow(vb, into: &hB, d)
                            rowsIn = (va, vb)
                        }
                        let outRow = (y - minY) * rw - minX
                        hA.withUnsafeBufferPointer { top in
                            hB.withUnsafeBufferPointer { bottom in
                                if let direct {
                                    // The buffered path's value, divided by its norm of 1, with no
                                    // branch per sample so the loop vectorises: where the mask or the
                                    // change is 0 the sum is the pixel itself, which rounds to itself.
                                    let row = direct.pixels + (y * direct.width + x0) * 3
                                    mu3.withUnsafeBufferPointer { mask in
                                        for k in 0..<(columns * 3) {
                                            let t = top[k], b = bottom[k]
                                            let delta = min(mv, mask[k]) * (t + (b - t) * ty)
                                            row[k] = ByteRounding.byte(Float(row[k]) + delta)
                                        }
                                    }
                                    return
                                }
                                for j in 0..<columns {
                                    let m = min(mv, mu[j])
                                    guard m > 0 else { continue }
                                    let i = outRow + x0 + j
                                    wts[i] += m
                                    guard changed else { continue }
                                    for c in 0..<3 {
                                        let t = top[j * 3 + c], b = bottom[j * 3 + c]
                                        corr[i * 3 + c] += m * (t + (b - t) * ty)
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// 1-D fade: 0 at the crop's edge, 1 from `feather` inwards (smoothstep).
    private func edgeRamp(_ t: Double) -> Double {
        let s = Double(size)
        let d = min(t, s - t)
        let f = feather * s
        guard d < f else { return 1 }
        guard d > 0 else { return 0 }
        let x = d / f
        return x * x * (3 - 2 * x)
    }
}
