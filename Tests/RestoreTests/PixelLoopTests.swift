import Media
@testable import Restore
import Testing

/// The per-pixel loops of the crop, the paste and the downscale avoid libm rounding and integer
/// division for speed; these tests hold them to the plain formulas they replace, bit for bit.
@Suite("Fast pixel loops equal the plain formulas")
struct PixelLoopTests {
    // Noise from SeededGenerator (MFCCFixtures.swift), so that a failure reproduces.
    func noiseFrame(width: Int, height: Int, seed: UInt64) -> VideoFrame {
        var rng = SeededGenerator(seed: seed)
        let px = (0..<(width * height * 3)).map { _ in UInt8.random(in: 0...255, using: &rng) }
        return VideoFrame(width: width, height: height, pixels: px, pts: .zero, sequence: 0, arrivalNanos: 0)
    }

    @Test("byte rounding is rounded() half away from zero, clamped, on halves, near-halves and out-of-range values")
    func byteRounding() {
        var values: [Double] = [-3, -0.5, -0.49, 0, 0.49999999999999994, 0.5, 1.5, 2.5, 254.5, 254.49999999999997, 255, 255.4, 255.6, 300]
        var rng = SeededGenerator(seed: 7)
        for _ in 0..<100_000 { values.append(Double.random(in: -10...270, using: &rng)) }
        for k in 0...255 { values += [Double(k) + 0.5, (Double(k) + 0.5).nextDown, (Double(k) + 0.5).nextUp] }
        for v in values {
            #expect(ByteRounding.byte(v) == UInt8(min(255, max(0, v.rounded()))), "\(v)")
            let f = Float(v)
            #expect(ByteRounding.byte(f) == UInt8(min(255, max(0, f.rounded()))), "\(f)")
            #expect(ByteRounding.floor(v) == Int(v.rounded(.down)), "\(v)")
        }
    }

    @Test("the multiply-shift division equals integer division over a block sum's whole range")
    func exactDivision() {
        for n in 1...300 {
            let d = ExactDivision(n)
            for x in 0...(256 * n) where d(x) != x / n {
                Issue.record("n \(n), x \(x): \(d(x)) ≠ \(x / n)")
                return
            }
        }
        var rng = SeededGenerator(seed: 11)
        for _ in 0..<200_000 {
            let n = Int.random(in: 1...5000, using: &rng), x = Int.random(in: 0...(256 * n), using: &rng)
            #expect(ExactDivision(n)(x) == x / n, "n \(n), x \(x)")
        }
    }

    @Test("the downscale is the area mean of the plain formula, for integer and fractional factors")
    func downscale() {
        for (w, h, target) in [(1280, 720, 640), (1920, 1080, 640), (1000, 563, 640), (643, 361, 640), (333, 200, 100)] {
            let frame = noiseFrame(width: w, height: h, seed: UInt64(w * h))
            let factor = FrameDownscaler.factor(width: w, targetWidth: target)
            let fast = FrameDownscaler.downscale(frame, factor: factor)
            let plain = Self.plainDownscale(frame, factor: factor)
            #expect(fast.width == plain.width && fast.height == plain.height)
            #expect(fast.pixels == plain.pixels, "\(w)×\(h) → \(target)")
        }
    }

    @Test("the crop equals bilinear sampling with rounded(), inside, across the border and enlarged")
    func crop() {
        let frame = noiseFrame(width: 640, height: 360, seed: 3)
        let crop = FaceCrop()
        for region in [FaceBox(x: 100.3, y: 50.7, width: 180.2, height: 180.2), FaceBox(x: -40.5, y: -20.25, width: 300, height: 300),
                       FaceBox(x: 500, y: 250, width: 90.9, height: 90.9), FaceBox(x: 10, y: 10, width: 256, height: 256)] {
            #expect(crop.sample(frame, region: region) == Self.plainCrop(frame, region: region, size: crop.size), "\(region)")
        }
    }

    @Test("one face is pasted straight into the frame exactly as the buffered path for overlapping faces does")
    func singlePatchPaste() {
        let frame = noiseFrame(width: 640, height: 360, seed: 5)
        let crop = FaceCrop(), paste = FeatheredPaste()
        var rng = SeededGenerator(seed: 9)
        for region in [FaceBox(x: 40.3, y: 30.6, width: 220.7, height: 220.7), FaceBox(x: -30, y: -12.5, width: 180, height: 180)] {
            let original = crop.sample(frame, region: region)
            let restored = original.map { UInt8(clamping: Int($0) + Int.random(in: -40...40, using: &rng)) }
            let face = PastePatch(region: region, original: original, restored: restored)
            var direct = frame, buffered = frame
            paste.paste([face], into: &direct)
            paste.pasteGroup([face], into: &buffered, buffered: true)
            #expect(direct.pixels != frame.pixels, "the change was not applied")
            #expect(direct.pixels == buffered.pixels, "\(region)")
        }
    }

    @Test("the paste equals the per-pixel bilinear formula of the change, faded by the mask, for enlarged and shrunk faces")
    func pasteFormula() {
        let frame = noiseFrame(width: 640, height: 360, seed: 13)
        let crop = FaceCrop(), paste = FeatheredPaste()
        var rng = SeededGenerator(seed: 17)
        for region in [FaceBox(x: 60.4, y: 20.2, width: 300.3, height: 300.3), FaceBox(x: 500.5, y: 250.5, width: 190, height: 190),
                       FaceBox(x: 100, y: 100, width: 128.7, height: 128.7)] {
            let original = crop.sample(frame, region: region)
            let restored = original.map { UInt8(clamping: Int($0) + Int.random(in: -30...30, using: &rng)) }
            var fast = frame
            paste.paste([PastePatch(region: region, original: original, restored: restored)], into: &fast)
            #expect(fast.pixels == Self.plainPaste(frame, region: region, original: original, restored: restored, paste: paste), "\(region)")
        }
    }

    @Test("faces apart are each pasted as the per-pixel formula; only overlapping ones share a buffer")
    func facesApart() {
        let frame = noiseFrame(width: 1280, height: 720, seed: 21)
        let crop = FaceCrop(), paste = FeatheredPaste()
        var rng = SeededGenerator(seed: 23)
        // Two faces across the frame (a region buffer between them was ~10 MB a frame) and one
        // off the bottom edge.
        let regions = [FaceBox(x: 100.5, y: 200.2, width: 260.3, height: 260.3), FaceBox(x: 900.25, y: 150, width: 300, height: 300),
                       FaceBox(x: 500, y: 600.5, width: 200, height: 200)]
        var expected = frame
        var patches: [PastePatch] = []
        for region in regions {
            let original = crop.sample(frame, region: region)
            let restored = original.map { UInt8(clamping: Int($0) + Int.random(in: -30...30, using: &rng)) }
            patches.append(PastePatch(region: region, original: original, restored: restored))
            expected.pixels = Self.plainPaste(expected, region: region, original: original, restored: restored, paste: paste)
        }
        var out = frame
        paste.paste(patches, into: &out)
        #expect(out.pixels == expected.pixels)
    }

    @Test("overlap groups: rectangles sharing a pixel are grouped (also through a third), touching edges are not")
    func overlapGroups() {
        let groups = FeatheredPaste.overlapping([(0, 0, 100, 100),      // 0
                                                 (300, 0, 400, 100),    // 1: apart
                                                 (90, 90, 200, 200),    // 2: overlaps 0
                                                 (400, 0, 500, 100),    // 3: touches 1's edge only
                                                 (190, 190, 250, 250),  // 4: overlaps 2, so joins 0
                                                 (10, 10, 10, 50)])     // 5: empty
        #expect(groups == [[0, 2, 4], [1], [3], [5]])
    }

    /// One patch, pixel by pixel: bilinear (horizontal, then vertical) of restored − original at
    /// the pixel's crop position, times the mask weight, added and rounded.
    static func plainPaste(_ frame: VideoFrame, region: FaceBox, original: [UInt8], restored: [UInt8], paste: FeatheredPaste) -> [UInt8] {
        var px = frame.pixels
        let size = paste.size, scale = Double(size) / region.width
        let d = zip(restored, original).map { Float($0) - Float($1) }
        for y in max(0, Int(region.y.rounded(.down)))..<min(frame.height, Int((region.y + region.height).rounded(.up))) {
            for x in max(0, Int(region.x.rounded(.down)))..<min(frame.width, Int((region.x + region.width).rounded(.up))) {
                let u = (Double(x) + 0.5 - region.x) * scale, v = (Double(y) + 0.5 - region.y) * scale
                let m = Float(paste.weight(u: u, v: v))
                guard m > 0 else { continue }
                let ua = min(max(Int((u - 0.5).rounded(.down)), 0), size - 1), ub = min(ua + 1, size - 1)
                let va = min(max(Int((v - 0.5).rounded(.down)), 0), size - 1), vb = min(va + 1, size - 1)
                let t = Float(min(max(u - 0.5 - Double(ua), 0), 1)), ty = Float(min(max(v - 0.5 - Double(va), 0), 1))
                for c in 0..<3 {
                    let top = d[(va * size + ua) * 3 + c] + (d[(va * size + ub) * 3 + c] - d[(va * size + ua) * 3 + c]) * t
                    let bottom = d[(vb * size + ua) * 3 + c] + (d[(vb * size + ub) * 3 + c] - d[(vb * size + ua) * 3 + c]) * t
                    let delta = m * (top + (bottom - top) * ty)
                    if delta == 0 { continue }
                    let i = (y * frame.width + x) * 3 + c
                    px[i] = UInt8(min(255, max(0, (Float(px[i]) + delta).rounded())))
                }
            }
        }
        return px
    }

    static func plainDownscale(_ frame: VideoFrame, factor: Double) -> (pixels: [UInt8], width: Int, height: Int) {
        let ow = max(1, Int((Double(frame.width) * factor).rounded())), oh = max(1, Int((Double(frame.height) * factor).rounded()))
        let sx = Double(frame.width) / Double(ow), sy = Double(frame.height) / Double(oh)
        var out = [UInt8](repeating: 0, count: ow * oh * 3)
        for y in 0..<oh {
            let y0 = Int(Double(y) * sy), y1 = max(y0 + 1, min(frame.height, Int(Double(y + 1) * sy)))
            for x in 0..<ow {
                let x0 = Int(Double(x) * sx), x1 = max(x0 + 1, min(frame.width, Int(Double(x + 1) * sx)))
                for c in 0..<3 {
                    var sum = 0
                    for yy in y0..<y1 { for xx in x0..<x1 { sum += Int(frame.pixels[(yy * frame.width + xx) * 3 + c]) } }
                    let n = (y1 - y0) * (x1 - x0)
                    out[(y * ow + x) * 3 + c] = UInt8((sum + n / 2) / n)
                }
            }
        }
        return (out, ow, oh)
    }

    static func plainCrop(_ frame: VideoFrame, region: FaceBox, size: Int) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: size * size * 3)
        let scale = region.width / Double(size), w = frame.width, h = frame.height
        for v in 0..<size {
            let fy = region.y + (Double(v) + 0.5) * scale - 0.5
            let y0 = Int(fy.rounded(.down)), ty = fy - Double(y0)
            let ya = min(max(y0, 0), h - 1), yb = min(max(y0 + 1, 0), h - 1)
            for u in 0..<size {
                let fx = region.x + (Double(u) + 0.5) * scale - 0.5
                let x0 = Int(fx.rounded(.down)), tx = fx - Double(x0)
                let xa = min(max(x0, 0), w - 1), xb = min(max(x0 + 1, 0), w - 1)
                for c in 0..<3 {
                    let p = { (y: Int, x: Int) in Double(frame.pixels[(y * w + x) * 3 + c]) }
                    let top = p(ya, xa) + (p(ya, xb) - p(ya, xa)) * tx, bottom = p(yb, xa) + (p(yb, xb) - p(yb, xa)) * tx
                    out[(v * size + u) * 3 + c] = UInt8(min(255, max(0, (top + (bottom - top) * ty).rounded())))
                }
            }
        }
        return out
    }
}
