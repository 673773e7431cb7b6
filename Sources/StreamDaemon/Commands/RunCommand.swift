import ArgumentParser
import Foundation
import GstBridge
import Logging
import Metrics
import Prometheus
import Restore

/// `facerestored run --config FILE`: runs one live stream until stopped.
struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run one stream from its YAML config until SIGINT/SIGTERM.")

    @Option(name: .shortAndLong, help: "The stream's YAML config file.")
    var config: String

    @Flag(help: "Debug logging.")
    var verbose = false

    func run() throws {
        let logger = LogSetup.logger(verbose: verbose)
        let cfg: StreamConfig
        do {
            cfg = try ConfigLoader.load(path: config)
        } catch let error as ConfigError {
            throw CLIError("invalid config:\n\(error)")
        }
        // The server outlives sessions, so RTSP clients stay connected across source restarts.
        let servers = RTSPServerCache(config: cfg, logger: logger)
        let notifier = SystemdNotifier()
        let stop = LockedFlag()
        let current = SessionBox()
        let trap = SignalTrap { _ in
            notifier.stopping()
            stop.set()
            current.session?.requestStop()
        }
        defer { withExtendedLifetime(trap) {} }
        var encoder = cfg.encoder
        encoder.live = cfg.isLive
        let options = StreamSession.Options(source: cfg.source, outputs: cfg.outputs, encoder: encoder, live: cfg.isLive,
                                            policy: cfg.isLive ? OverloadPolicy(latencyBudgetMs: cfg.latencyBudgetMs) : .never)
        let streamingNow = LockedFlagValue()
        var metricsServer: MetricsServer?
        if let listen = cfg.metricsListen {
            // swift-metrics handlers bind at creation: bootstrap before any metric exists.
            let registry = PrometheusCollectorRegistry()
            MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
            metricsServer = try MetricsServer(listen: listen, registry: registry) { () -> String? in
                guard streamingNow.value else { return "not streaming: the source is down or starting" }
                return nil
            }
            logger.info("metrics on http://\(listen)/metrics and /healthz")
        }
        defer { metricsServer?.shutdown() }
        let metrics = StreamMetrics()
        var backoff = Backoff()
        while !stop.isSet {
            let frontEnd = try ProcessorFactory.frontEnd(cfg.restore, logger: logger)
            let session = StreamSession(options: options, processor: frontEnd,
                                        rtspServer: servers.server(hasAudio:), logger: logger)
            session.metrics = metrics
            session.onStreaming = { status in
                streamingNow.value = true
                metrics.streaming.record(1)
                notifier.ready(status: CredentialRedactor.redact(status))
            }
            session.onTick = { notifier.watchdog() }
            session.onProgress = { _, _ in
                metrics.faces.record(frontEnd.lastFaceCount)
                if frontEnd.lastFaceCount == 0 { metrics.framesWithoutFace.increment() }
            }
            current.session = session
            do {
                let report = try session.run()
                logger.info("stream ended: \(report.summary); \(ProcessorFactory.summary(frontEnd))")
                if !cfg.isLive || stop.isSet { break }
                backoff.reset()
            } catch {
                streamingNow.value = false
                metrics.streaming.record(0)
                metrics.sourceErrors.increment()
                if !cfg.isLive { throw CLIError("\(error)") }
                metrics.reconnects.increment()
                let delay = backoff.next()
                logger.error("source lost: \(error); retrying in \(String(format: "%.1f", delay)) s")
                notifier.status("source lost, reconnecting")
                let until = Date(timeIntervalSinceNow: delay)
                while Date() < until && !stop.isSet {
                    notifier.watchdog()
                    Thread.sleep(forTimeInterval: 0.05)
                }
            }
        }
        notifier.stopping()
        logger.info("stopped")
    }
}

/// Capped exponential backoff with jitter for reconnecting to a live source.
///
/// The cap is low on purpose: a camera that comes back is picked up within about a second, and a
/// refused connection attempt every second costs nothing.
struct Backoff {
    var initial = 0.1
    var cap = 1.0
    private var attempt = 0
    private var rng = SystemRandomNumberGenerator()

    mutating func next() -> Double {
        let base = min(cap, initial * pow(2, Double(attempt)))
        attempt += 1
        return base * Double.random(in: 0.8...1.2, using: &rng)
    }

    mutating func reset() { attempt = 0 }
}

/// A Bool shared between the restoration thread and the metrics server's event loop.
final class LockedFlagValue: @unchecked Sendable {
    private let lock = NSLock()
    private var stored = false
    var value: Bool {
        get { lock.withLock { stored } }
        set { lock.withLock { stored = newValue } }
    }
}

final class LockedFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    func set() { lock.withLock { value = true } }
    var isSet: Bool { lock.withLock { value } }
}

final class SessionBox: @unchecked Sendable {
    private let lock = NSLock()
    private var _session: StreamSession?
    var session: StreamSession? {
        get { lock.withLock { _session } }
        set { lock.withLock { _session = newValue } }
    }
}

/// Creates the RTSP server when the first session knows whether the source has audio, then
/// keeps it for every later session.
final class RTSPServerCache: @unchecked Sendable {
    private let config: StreamConfig
    private let logger: Logger
    private let lock = NSLock()
    private var server: RTSPServer?

    init(config: StreamConfig, logger: Logger) {
        self.config = config
        self.logger = logger
    }

    func server(hasAudio: Bool) throws -> RTSPServer {
        try lock.withLock {
            if let server {
                if server.hasAudio != hasAudio {
                    logger.warning("the source's audio layout changed; RTSP clients keep the original layout")
                }
                return server
            }
            guard case .rtsp(let address, let port, let path)? = config.outputs.first(where: {
                if case .rtsp = $0 { return true } else { return false }
            }) else { preconditionFailure("no RTSP output configured") }
            let s = try RTSPServer(address: address, port: port, path: path, hasAudio: hasAudio,
                                   audioCodec: config.encoder.audioCodec)
            logger.info("serving \(s.url)")
            server = s
            return s
        }
    }
}
