/** The local port `forward` listens on, checked before anything is started that would need it. */
import * as net from "net";
import { UsageError } from "./errors";

/**
 * Refuses a local port something else listens on. session-manager-plugin listens on `localhost:<port>`
 * (portsession/basicportforwarding.go), which Go resolves to 127.0.0.1 first; a listener on the wildcard address
 * holds the port too.
 */
export function requireFreePort(port: number): Promise<void> {
    return new Promise((resolve, reject) => {
        const probe = net.createServer();
        probe.once("error", (e: NodeJS.ErrnoException) =>
            reject(
                new UsageError(
                    e.code === "EADDRINUSE"
                        ? `local port ${port} is in use: stop what listens on it, or choose another with --local-port`
                        : `cannot listen on local port ${port} (${e.code ?? e.message}): choose another with --local-port`,
                ),
            ),
        );
        probe.listen({ port, host: "127.0.0.1", exclusive: true }, () => probe.close(() => resolve()));
    });
}

/** Whether something on 127.0.0.1 accepts a connection on `port` (the connection is closed at once). */
export function acceptsConnections(port: number): Promise<boolean> {
    return new Promise((resolve) => {
        const socket = net.connect({ port, host: "127.0.0.1" });
        socket.once("connect", () => (socket.destroy(), resolve(true)));
        socket.once("error", () => resolve(false));
    });
}
