import Foundation
import Restore
import Testing

@Suite("MFCC: batch form equals librosa")
struct MFCCParityTests {
    @Test("librosa.feature.mfcc (top_db = 80) within 1e-3", arguments: ["synthetic", "speech"])
    func matchesLibrosa(name: String) throws {
        let fixture = try MFCCFixture.load(name)
        let result = try MFCC().compute(fixture.input)
        #expect(result.frameCount == fixture.frames)
        #expect(result.coefficientCount == 80)
        let diff = maxAbsDifference(result.values, fixture.mfcc)
        print("MFCC parity \(name): max |swift − librosa| = \(diff)")
        #expect(diff <= 1e-3)
    }

    @Test("power_to_db(top_db=None) pipeline within 1e-3", arguments: ["synthetic", "speech"])
    func matchesLibrosaWithoutClip(name: String) throws {
        let fixture = try MFCCFixture.load(name)
        var config = MFCCConfig.model
        config.topDb = nil
        let diff = maxAbsDifference(try MFCC(config: config).compute(fixture.input).values, fixture.mfccNoTopDb)
        print("MFCC parity \(name), no top_db: max |swift − librosa| = \(diff)")
        #expect(diff <= 1e-3)
    }

    @Test("the fixtures exercise the top_db clip (else the test above proves nothing about it)",
          arguments: ["synthetic", "speech"])
    func clipBitesOnFixtures(name: String) throws {
        let fixture = try MFCCFixture.load(name)
        #expect(maxAbsDifference(fixture.mfcc, fixture.mfccNoTopDb) > 1)
    }

    @Test("digital silence: every band at the amin floor (−100 dB), so c0 = −100·√80 and the rest 0")
    func silence() throws {
        let m = try MFCC().compute([Float](repeating: 0, count: 16_000))
        #expect(m.frameCount == 101)
        let c0 = Float(-100 * 80.0.squareRoot())
        for i in 0..<m.frameCount {
            #expect(abs(m[i, 0] - c0) < 1e-3)
            #expect(m.frame(i).dropFirst().allSatisfy { abs($0) < 1e-3 })
        }
    }

    @Test("empty input gives no frames; one sample gives librosa's single centred frame")
    func tinyInputs() throws {
        let mfcc = try MFCC()
        #expect(mfcc.compute([]).isEmpty)
        let one = mfcc.compute([0.5])
        #expect(one.frameCount == 1)
        #expect(one.values.allSatisfy { $0.isFinite })
        #expect(mfcc.compute([Float](repeating: 0.1, count: 159)).frameCount == 1)
        #expect(mfcc.compute([Float](repeating: 0.1, count: 160)).frameCount == 2)
    }

    @Test("invalid configurations are typed errors that say what is wrong")
    func invalidConfiguration() {
        var config = MFCCConfig.model
        config.nMFCC = 81
        #expect(throws: MFCCError.self) { try MFCC(config: config) }
        config = .model
        config.winLength = 1024
        do {
            _ = try MFCC(config: config)
            Issue.record("a window longer than the FFT was accepted")
        } catch {
            #expect(error.description.contains("winLength"))
        }
    }
}
