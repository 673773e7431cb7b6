import ArgumentParser
import Foundation
import GstBridge
import Logging
import Metrics
import Prometheus
import Media
import Restore
import ServiceLifecycle
import UnixSignals

/// `facerestored run --config FILE`: runs one live stream until stopped.
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run one stream from its YAML config until SIGINT/SIGTERM.")

    @Option(name: .shortAndLong, help: "The stream's YAML config file.")
    var config: String

    @Flag(help: "Debug logging.")
    var verbose = false

    func run() async throws {
        MallocTuning.configure()
        let logger = LogSetup.logger(verbose: verbose)
        let cfg: StreamConfig
        do {
            cfg = try ConfigLoader.load(path: config)
        } catch let error as ConfigError {
            throw CLIError("invalid config:\n\(error)")
        }
        if let warning = ConfigLoader.permissionWarning(path: config) { logger.warning("\(warning)") }
        var metricsServer: MetricsServer?
        let health = LockedValue<StreamService?>(nil)
        if let listen = cfg.metricsListen {
            // swift-metrics handlers bind at creation: bootstrap before any metric exists.
            let registry = PrometheusCollectorRegistry()
            MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
            metricsServer = try MetricsServer(listen: listen, registry: registry) { () -> String? in
                health.get()?.streaming.value == true ? nil : "not streaming: the source is down or starting"
            }
            logger.info("metrics on http://\(listen)/metrics and /healthz")
        }
        defer { metricsServer?.shutdown() }
        let service = StreamService(config: cfg, logger: logger, notifier: SystemdNotifier(), metrics: StreamMetrics())
        health.set(service)
        // SIGHUP: re-read the config; a broken one is reported and the stream goes on unchanged.
        let path = config
        let hangups = await UnixSignalsSequence(trapping: .sighup)
        let reloader = Task {
            for await _ in hangups {
                do {
                    service.reload(try ConfigLoader.load(path: path))
                } catch {
                    logger.error("SIGHUP: the config was not reloaded, the stream goes on unchanged:\n\(error)")
                }
            }
        }
        defer { reloader.cancel() }
        let group = ServiceGroup(configuration: .init(
            // A file source ends by itself: that is success (exit 0), not a service that died.
            services: [.init(service: service, successTerminationBehavior: .gracefullyShutdownGroup)],
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger))
        do {
            try await group.run()
        } catch {
            throw CLIError("\(error)")
        }
    }
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
                                   audioCodec: config.encoder.audioCodec, credentials: config.rtspCredentials)
            logger.info("serving \(s.url)")
            server = s
            return s
        }
    }
}
