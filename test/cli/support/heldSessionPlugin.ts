/**
 * A stand-in session-manager-plugin that holds its session until the test ends it, for end-to-end tests of `shell` and
 * `forward` (bundled into the sandbox by tool.ts and run as `session-manager-plugin`). It records what it was given and
 * which signals it got, in FAKE_PLUGIN_DIR: `args` (NUL-separated), `environment` (AWS_SSM_START_SESSION_RESPONSE, the
 * response the AWS CLI may pass there), `signals`.
 *
 * It fails as aws/session-manager-plugin fails, and stays as it stays:
 * - With no arguments it says it is installed; with --version it prints FAKE_PLUGIN_VERSION (by default 1.2.764.0, the
 *   oldest AWS supports, which takes StartSession's response from the environment). Exit 0 (session.go,
 *   ValidateInputAndStartSession).
 * - "Starting session with SessionId: ..." first (session.go, Execute). A session it cannot start (FAKE_PLUGIN_FAIL: the
 *   error) it reports as "Cannot perform start session: <error>" on stdout and exits 0, as the real plugin returns from
 *   main on every failure it handles.
 * - A port forwarding session listens on its local port, "Port N opened for sessionId ..." (portsession,
 *   startLocalListener), and ends on Ctrl-C with exit 0 ("Terminate signal received, exiting.", handleControlSignals).
 *   A shell's Ctrl-C belongs to the remote shell: recorded, nothing more.
 * - The session lasts until the test creates `end` in FAKE_PLUGIN_DIR ("Exiting session with sessionId: ...", exit 0),
 *   whatever happens to the task meanwhile: the real plugin does not exit when its task stops (aws/aws-cli#7488).
 * - SIGTERM and SIGHUP end it as they end the real one, which does not catch them: exit 143, 129.
 * On its way out it tells the local AWS stand-in the session has ended (DELETE /_stand-in/sessions/<id>), as Session
 * Manager learns it from the closed connection.
 */
import * as fs from "fs";
import * as net from "net";
import * as path from "path";

const dir = process.env.FAKE_PLUGIN_DIR!;
const record = (file: string, text: string) => fs.appendFileSync(path.join(dir, file), text);
const say = (text: string) => process.stdout.write(text);

function recordCall(args: string[]): void {
    fs.writeFileSync(path.join(dir, "environment"), process.env.AWS_SSM_START_SESSION_RESPONSE ?? "");
    // Written whole, then renamed: a test that sees `args` sees all of them.
    fs.writeFileSync(path.join(dir, "args.tmp"), args.map((a) => `${a}\0`).join(""));
    fs.renameSync(path.join(dir, "args.tmp"), path.join(dir, "args"));
}

/** The session id, from the response as `aws ecs execute-command` or `aws ssm start-session` passed it. */
function sessionIdOf(args: string[]): string {
    const response = JSON.parse(process.env[args[0]] ?? args[0]) as { sessionId?: string; SessionId?: string };
    return response.sessionId ?? response.SessionId ?? "";
}

async function main(args: string[]): Promise<void> {
    if (args.length === 0) {
        say("\nThe Session Manager plugin was installed successfully. Use the AWS CLI to start a session.\n\n");
        return;
    }
    if (args[0] === "--version") {
        say(`${process.env.FAKE_PLUGIN_VERSION ?? "1.2.764.0"}\n`);
        return;
    }
    const sessionId = sessionIdOf(args);
    const request = JSON.parse(args[4]) as { DocumentName?: string; Parameters?: { localPortNumber?: string[] } };
    const forwarding = request.DocumentName === "AWS-StartPortForwardingSessionToRemoteHost";
    const ended = async (code: number) => {
        await fetch(`${args[5]}/_stand-in/sessions/${sessionId}`, { method: "DELETE" }).catch(() => undefined);
        process.exit(code);
    };
    say(`\nStarting session with SessionId: ${sessionId}\n`);
    if (process.env.FAKE_PLUGIN_FAIL) {
        recordCall(args);
        say(`Cannot perform start session: ${process.env.FAKE_PLUGIN_FAIL}\n`);
        return ended(0);
    }
    if (forwarding) {
        const port = request.Parameters!.localPortNumber![0];
        await new Promise<void>((resolve) => net.createServer((c) => c.destroy()).listen(Number(port), "127.0.0.1", resolve));
        say(`Port ${port} opened for sessionId ${sessionId}.\nWaiting for connections...\n`);
    }
    process.on("SIGINT", () => {
        record("signals", "INT\n");
        if (forwarding) {
            say(`Terminate signal received, exiting.\n\n\nExiting session with sessionId: ${sessionId}.\n\n`);
            void ended(0);
        }
    });
    for (const [signal, code] of [["SIGTERM", 143], ["SIGHUP", 129]] as const) {
        process.on(signal, () => {
            record("signals", `${signal.slice(3)}\n`);
            void ended(code);
        });
    }
    recordCall(args);
    while (!fs.existsSync(path.join(dir, "end"))) {
        await new Promise((resolve) => setTimeout(resolve, 50));
    }
    say(`\n\nExiting session with sessionId: ${sessionId}.\n\n`);
    return ended(0);
}

main(process.argv.slice(2)).catch((e: unknown) => {
    process.stderr.write(`stand-in plugin: ${(e as Error).stack}\n`);
    process.exitCode = 1;
});
