import Foundation
import GstBridge
import Media

/// While the source is down, RTSP clients keep receiving the last restored frame (and silence),
/// so they stay connected and resume seamlessly when the source returns.
final class HeldPicture {
    private let output: OutputPipeline
    private let frame: VideoFrame
    private let audio: (rate: Int, channels: Int)?
    private let period: MediaTime
    private var next: MediaTime
    private let startedAt = MonotonicClock.now()

    init(frame: VideoFrame, format: VideoFormat, audio: (rate: Int, channels: Int)?, outputs: [OutputSpec],
         encoder: EncoderSettings, server: RTSPServer) throws {
        self.frame = frame
        self.audio = audio
        period = format.frameRate.frameDuration ?? MediaTime(nanoseconds: 40_000_000)
        next = .zero
        output = try OutputPipeline(outputs: outputs, video: format, audio: audio, settings: encoder, rtspServer: server)
        try output.start()
    }

    /// Pushes the frames (and silence) that are due by now.
    func tick() {
        let elapsed = MediaTime(nanoseconds: Int64(MonotonicClock.now() - startedAt))
        while next <= elapsed {
            let f = VideoFrame(width: frame.width, height: frame.height, pixels: frame.pixels, pts: next,
                               duration: period, sequence: 0, arrivalNanos: MonotonicClock.now())
            output.push(f)
            if let audio {
                let count = Int(Int64(audio.rate) * period.nanoseconds / 1_000_000_000) * audio.channels
                output.push(AudioChunk(sampleRate: audio.rate, channels: audio.channels,
                                       samples: [Float](repeating: 0, count: count), pts: next))
            }
            next = next + period
        }
    }

    func stop() { output.abort() }
}
