/**
 * session-manager-plugin, run the way the AWS CLI runs it: for `aws ecs execute-command`
 * (aws-cli awscli/customizations/ecs/executecommand.py) once with no arguments to check it is installed, then with six
 * arguments that open the session; for `aws ssm start-session` (awscli/customizations/sessionmanager.py) the same six
 * arguments after StartSession, the response handed over in an environment variable to plugins that take it.
 */
import { ChildProcess, spawn } from "child_process";
import type { Readable } from "stream";
import { StringDecoder } from "string_decoder";
import { PluginMissingError } from "./errors";
import type { SessionChild } from "./signals";
import { ecsSessionTarget } from "../components/config";

export const PLUGIN = "session-manager-plugin";

/** The `session` of an ExecuteCommand response. */
export interface ExecSession {
    sessionId?: string;
    streamUrl?: string;
    tokenValue?: string;
}

export interface PluginSession {
    session: ExecSession;
    region: string;
    /** The profile in use, or "" (the AWS CLI passes its session's profile name, AWS_PROFILE included). */
    profile: string;
    /** From the ExecuteCommand response's clusterArn and taskArn, and the container's runtimeId. */
    clusterName: string;
    taskId: string;
    runtimeId: string;
    /** The ECS endpoint the request went to. */
    endpointUrl: string;
}

type Json = string | number | boolean | null | undefined | Json[] | { [key: string]: Json };

/**
 * Python's `json.dumps` (", " and ": " separators, non-ASCII escaped; undefined members left out), so the plugin
 * receives byte for byte what the AWS CLI gives it.
 */
export function pythonJsonDumps(value: Json): string {
    if (Array.isArray(value)) {
        return `[${value.map(pythonJsonDumps).join(", ")}]`;
    }
    if (typeof value === "object" && value !== null) {
        const members = Object.entries(value)
            .filter(([, member]) => member !== undefined)
            .map(([key, member]) => `${pythonJsonDumps(key)}: ${pythonJsonDumps(member)}`);
        return `{${members.join(", ")}}`;
    }
    return JSON.stringify(value).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

export function pluginArguments(s: PluginSession): string[] {
    // The session's members in the API's order, as botocore returns them.
    const session = { sessionId: s.session.sessionId, streamUrl: s.session.streamUrl, tokenValue: s.session.tokenValue };
    return [
        pythonJsonDumps(session),
        s.region,
        "StartSession",
        s.profile,
        pythonJsonDumps({ Target: ecsSessionTarget(s.clusterName, s.taskId, s.runtimeId) }),
        s.endpointUrl,
    ];
}

/** The response of StartSession, as the AWS CLI hands it on. */
export interface StartedSession {
    SessionId?: string;
    TokenValue?: string;
    StreamUrl?: string;
}

/** The environment variable the AWS CLI passes StartSession's response in, to plugins newer than 1.2.497.0. */
export const START_SESSION_RESPONSE_VARIABLE = "AWS_SSM_START_SESSION_RESPONSE";

/**
 * Whether a plugin of this `--version` reads the response from the environment: the AWS CLI's rule (sessionmanager.py,
 * VersionRequirement): the version without whitespace, up to four numbers, greater than 1.2.497.0. The token then stays
 * out of the process list.
 */
export function readsResponseFromEnvironment(version: string): boolean {
    const sanitized = version.replace(/\s+/g, "");
    if (!/^\d+(\.\d+){0,3}$/.test(sanitized)) {
        return false;
    }
    const parts = sanitized.split(".").map(Number);
    const minimum = [1, 2, 497, 0];
    while (parts.length < minimum.length) {
        parts.push(0);
    }
    const differing = parts.findIndex((part, i) => part !== minimum[i]);
    return differing !== -1 && parts[differing] > minimum[differing];
}

export interface StartSessionPlugin {
    response: StartedSession;
    region: string;
    /**
     * The profile in use, or "": AWS_PROFILE's, as for `shell`. The AWS CLI passes only its --profile here; without
     * it the plugin reads AWS_PROFILE itself, so it signs with the same credentials either way.
     */
    profile: string;
    /** The StartSession request as sent (its members in the API's order). */
    request: Json;
    /** The SSM endpoint the request went to. */
    endpointUrl: string;
    /** The plugin's `--version`. */
    pluginVersion: string;
}

/** The arguments and environment of `aws ssm start-session`'s plugin call. */
export function startSessionPluginCall(s: StartSessionPlugin): { args: string[]; env: Record<string, string> } {
    const response = pythonJsonDumps({ SessionId: s.response.SessionId, TokenValue: s.response.TokenValue, StreamUrl: s.response.StreamUrl });
    const inEnvironment = readsResponseFromEnvironment(s.pluginVersion);
    return {
        args: [
            inEnvironment ? START_SESSION_RESPONSE_VARIABLE : response,
            s.region,
            "StartSession",
            s.profile,
            pythonJsonDumps(s.request),
            s.endpointUrl,
        ],
        env: inEnvironment ? { [START_SESSION_RESPONSE_VARIABLE]: response } : {},
    };
}

export interface RunningPlugin extends SessionChild {
    /** The plugin's exit code (128 + n when a signal ended it). */
    exited: Promise<number>;
}

/** A session on this terminal; `stdout` when the tool reads the plugin's output (see `start`). */
export interface StartedPlugin extends RunningPlugin {
    stdout?: Readable;
}

/** A session whose output the tool reads. */
export interface CapturedPlugin extends RunningPlugin {
    stdout: Readable;
    stderr: Readable;
}

export interface StartOptions {
    /** Added to the tool's environment. */
    env?: Record<string, string>;
    /**
     * The plugin's stdout to the tool rather than to the terminal. A shell's plugin sizes the remote terminal from its
     * stdout's terminal (shellsession.go, handleTerminalResize: 300 x 100 without one), so it keeps the terminal where
     * there is one; a port session prints only its banners.
     */
    readStdout?: boolean;
}

export interface SessionManagerPlugin {
    /** Resolves when the plugin is installed; rejects with PluginMissingError otherwise. */
    check(): Promise<void>;
    /** What `session-manager-plugin --version` prints. */
    version(): Promise<string>;
    /** Starts a session on this terminal: its stdin and stderr, and its stdout unless `readStdout`. */
    start(args: string[], options?: StartOptions): StartedPlugin;
    /** Starts a session with no terminal: the tool reads its output and passes Ctrl-C on (see `capture`). */
    capture(args: string[]): CapturedPlugin;
}

/**
 * How session-manager-plugin says it could not start a session: it prints this and its error on stdout and returns
 * from main, so it exits 0 (aws/session-manager-plugin src/sessionmanagerplugin/session/session.go,
 * ValidateInputAndStartSession, and src/sessionmanagerplugin-main/main.go).
 */
const START_FAILURE = "Cannot perform start session: ";
/** A line of the plugin's output kept whole up to this length; the message is far shorter. */
const MAX_LINE = 4096;

/** What a port session prints once it listens (portsession/basicportforwarding.go and muxportforwarding.go). */
const PORT_OPENED = /^Port \d+ opened for sessionId /;

/**
 * The plugin's output, read for how the session went: the line it ends with when it could not start the session (only
 * its last line counts: the plugin prints that message last, and a remote program may print the same words), and, for
 * a port session, the line saying it listens. Holds one line.
 */
export class PluginOutcome {
    private readonly decoder = new StringDecoder("utf8");
    private line = "";
    private lastLine = "";
    /** A port session has said it listens on its local port. */
    portOpened = false;

    write(chunk: Buffer): void {
        const lines = (this.line + this.decoder.write(chunk)).split("\n");
        this.line = lines.pop()!.slice(0, MAX_LINE);
        const complete = lines.map((line) => line.replace(/\r$/, "")).filter((line) => line.trim() !== "");
        if (complete.length > 0) {
            this.lastLine = complete[complete.length - 1].slice(0, MAX_LINE);
        }
        this.portOpened ||= complete.some((line) => PORT_OPENED.test(line));
    }

    /** The plugin's error, when its output ends with "Cannot perform start session: <error>". */
    get startFailure(): string | undefined {
        const last = this.line.trim() !== "" ? this.line.replace(/\r$/, "") : this.lastLine;
        return last.startsWith(START_FAILURE) ? last.slice(START_FAILURE.length) : undefined;
    }
}

/**
 * Whether the plugin opened the session before it failed: "EOF" is the end of its input, which it reads only once the
 * session is open (shellsession_unix.go, handleKeyboardInput); any other failure is of opening the session itself.
 */
export const openedBeforeFailing = (failure: string) => failure === "EOF";

/** The failure as the tool reports it (exit 1). */
export const startFailureMessage = (failure: string) => `session-manager-plugin could not start the session: ${START_FAILURE}${failure}`;

/** Where the plugin's output goes when the tool reads it: stdout (with its backpressure), or stderr. */
export interface OutputTarget {
    write(chunk: Buffer): unknown;
    once?(event: "drain" | "close", listener: () => void): unknown;
    readonly destroyed?: boolean;
}

/** The plugin's stdout on to `to` as it comes, read for how the plugin ended. */
export async function relayPluginOutput(from: Readable, to: OutputTarget, outcome: PluginOutcome): Promise<void> {
    for await (const chunk of from) {
        outcome.write(chunk as Buffer);
        if (!to.destroyed && to.write(chunk as Buffer) === false && to.once && !to.destroyed) {
            await new Promise<void>((resolve) => {
                to.once!("drain", resolve);
                to.once!("close", resolve);
            });
        }
    }
}

const SIGNAL_EXIT: Record<string, number> = { SIGHUP: 129, SIGINT: 130, SIGKILL: 137, SIGTERM: 143 };

function run(args: string[], stdio: ("ignore" | "inherit" | "pipe")[] | "ignore", env?: Record<string, string>): StartedPlugin {
    const child = spawn(PLUGIN, args, { stdio, env: env && { ...process.env, ...env } });
    return { ...watch(child), stdout: child.stdout ?? undefined };
}

function watch(child: ChildProcess): RunningPlugin {
    const exited = new Promise<number>((resolve, reject) => {
        child.once("error", (e: NodeJS.ErrnoException) =>
            reject(new PluginMissingError(e.code === "ENOENT" ? "not found on PATH" : e.message)),
        );
        child.once("exit", (code, signal) => resolve(code ?? SIGNAL_EXIT[signal ?? ""] ?? 1));
    });
    return { exited, kill: (signal) => child.kill(signal) };
}

/**
 * The plugin with no terminal, for `run`. What it needs from one, read in aws/session-manager-plugin
 * (src/sessionmanagerplugin/session/shellsession): it runs `stty cbreak` and `stty -echo` on its stdin and ignores
 * their failure; it asks the size of its stdout's terminal and, without one, sends 300 x 100; and it reads its stdin
 * until an error, sending every byte to the session, and at the first error, end of file included, stops the
 * session's handlers and exits ("Cannot perform start session: EOF"). So it needs no terminal, only a stdin that
 * never ends: a pipe the tool holds open and writes nothing to. (ecsta gives it a pseudo-terminal instead, with
 * creack/pty; from Node.js that takes a native addon built on every machine, or `script`, whose options differ
 * between Linux and macOS, and on stdout that terminal's own ONLCR would add a second `\r` to every line.) It runs
 * in a process group of its own: Ctrl-C reaches it only through the tool, which passes SIGINT on, and the plugin
 * sends it to the session as the byte 0x03 (sessionutil/control_signals_unix.go).
 */
function capture(args: string[]): CapturedPlugin {
    const child = spawn(PLUGIN, args, { stdio: ["pipe", "pipe", "pipe"], detached: true });
    child.stdin.on("error", () => undefined);
    const { exited, kill } = watch(child);
    void exited.finally(() => child.stdin.destroy()).catch(() => undefined);
    return { exited, kill, stdout: child.stdout, stderr: child.stderr };
}

export const sessionManagerPlugin: SessionManagerPlugin = {
    async check() {
        const code = await run([], "ignore").exited;
        if (code !== 0) {
            throw new PluginMissingError(`\`${PLUGIN}\` exited with code ${code}`);
        }
    },
    version: () =>
        new Promise((resolve, reject) => {
            const child = spawn(PLUGIN, ["--version"], { stdio: ["ignore", "pipe", "ignore"] });
            let stdout = "";
            child.stdout.on("data", (chunk) => (stdout += chunk));
            child.once("error", (e: NodeJS.ErrnoException) =>
                reject(new PluginMissingError(e.code === "ENOENT" ? "not found on PATH" : e.message)),
            );
            child.once("close", (code) =>
                code === 0 ? resolve(stdout.trim()) : reject(new PluginMissingError(`\`${PLUGIN} --version\` exited with code ${code}`)),
            );
        }),
    start: (args, options = {}) => run(args, ["inherit", options.readStdout ? "pipe" : "inherit", "inherit"], options.env),
    capture,
};
