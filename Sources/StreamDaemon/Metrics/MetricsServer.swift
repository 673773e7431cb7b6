import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import Prometheus

/// Serves `/metrics` (Prometheus text format) and `/healthz` over HTTP/1.1 with SwiftNIO.
/// Bound to 127.0.0.1 unless the config says otherwise.
final class MetricsServer: @unchecked Sendable {
    let registry: PrometheusCollectorRegistry
    private let group: MultiThreadedEventLoopGroup
    private let channel: Channel
    let boundPort: Int

    /// `health` answers nil when healthy, or the reason it is not.
    init(listen: String, registry: PrometheusCollectorRegistry, health: @escaping @Sendable () -> String?) throws {
        let parts = listen.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count >= 2, let port = Int(parts.last!) else {
            throw CLIError("metrics.listen '\(listen)' is not HOST:PORT")
        }
        let host = parts.dropLast().joined(separator: ":").trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        self.registry = registry
        group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.pipeline.configureHTTPServerPipeline().flatMap {
                    channel.pipeline.addHandler(MetricsHandler(registry: registry, health: health))
                }
            }
        do {
            channel = try bootstrap.bind(host: host, port: port).wait()
        } catch {
            try? group.syncShutdownGracefully()
            throw CLIError("cannot serve metrics on \(listen): \(error); choose a free port in metrics.listen")
        }
        boundPort = channel.localAddress?.port ?? port
    }

    func shutdown() {
        try? channel.close().wait()
        try? group.syncShutdownGracefully()
    }
}

private final class MetricsHandler: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let registry: PrometheusCollectorRegistry
    private let health: @Sendable () -> String?
    private var path = ""

    init(registry: PrometheusCollectorRegistry, health: @escaping @Sendable () -> String?) {
        self.registry = registry
        self.health = health
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head): path = head.uri.split(separator: "?").first.map(String.init) ?? head.uri
        case .body: break
        case .end:
            let (status, body, type): (HTTPResponseStatus, String, String)
            switch path {
            case "/metrics":
                var buffer: [UInt8] = []
                registry.emit(into: &buffer)
                (status, body, type) = (.ok, String(decoding: buffer, as: UTF8.self), "text/plain; version=0.0.4")
            case "/healthz":
                if let problem = health() { (status, body, type) = (.serviceUnavailable, problem + "\n", "text/plain") }
                else { (status, body, type) = (.ok, "ok\n", "text/plain") }
            default:
                (status, body, type) = (.notFound, "not found: try /metrics or /healthz\n", "text/plain")
            }
            var headers = HTTPHeaders()
            headers.add(name: "Content-Type", value: type)
            headers.add(name: "Content-Length", value: String(body.utf8.count))
            headers.add(name: "Connection", value: "close")
            context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: status, headers: headers))), promise: nil)
            context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(string: body)))), promise: nil)
            let channel = context.channel
            context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in channel.close(promise: nil) }
        }
    }
}
