/**
 * session-manager-plugin, run the way the AWS CLI runs it for `aws ecs execute-command`
 * (aws-cli awscli/customizations/ecs/executecommand.py): once with no arguments to check it is installed, then
 * with six arguments that open the session.
 */
import { spawn } from "child_process";
import { PluginMissingError } from "./errors";
import type { SessionChild } from "./signals";

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

/**
 * Python's `json.dumps` of a flat object (", " and ": " separators, non-ASCII escaped), so the plugin receives
 * byte for byte what the AWS CLI gives it.
 */
export function pythonJsonDumps(object: Record<string, string | undefined>): string {
    const ascii = (json: string) =>
        json.replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
    const members = Object.entries(object)
        .filter(([, value]) => value !== undefined)
        .map(([key, value]) => `${ascii(JSON.stringify(key))}: ${ascii(JSON.stringify(value))}`);
    return `{${members.join(", ")}}`;
}

export function pluginArguments(s: PluginSession): string[] {
    // The session's members in the API's order, as botocore returns them.
    const session = { sessionId: s.session.sessionId, streamUrl: s.session.streamUrl, tokenValue: s.session.tokenValue };
    return [
        pythonJsonDumps(session),
        s.region,
        "StartSession",
        s.profile,
        pythonJsonDumps({ Target: `ecs:${s.clusterName}_${s.taskId}_${s.runtimeId}` }),
        s.endpointUrl,
    ];
}

export interface RunningPlugin extends SessionChild {
    /** The plugin's exit code (128 + n when a signal ended it). */
    exited: Promise<number>;
}

export interface SessionManagerPlugin {
    /** Resolves when the plugin is installed; rejects with PluginMissingError otherwise. */
    check(): Promise<void>;
    /** Starts a session on this terminal. */
    start(args: string[]): RunningPlugin;
    /** What `session-manager-plugin --version` prints; rejects with PluginMissingError when it cannot run. */
    version(): Promise<string>;
}

const SIGNAL_EXIT: Record<string, number> = { SIGHUP: 129, SIGINT: 130, SIGKILL: 137, SIGTERM: 143 };

function run(args: string[], stdio: "ignore" | "inherit"): RunningPlugin {
    const child = spawn(PLUGIN, args, { stdio });
    const exited = new Promise<number>((resolve, reject) => {
        child.once("error", (e: NodeJS.ErrnoException) =>
            reject(new PluginMissingError(e.code === "ENOENT" ? "not found on PATH" : e.message)),
        );
        child.once("exit", (code, signal) => resolve(code ?? SIGNAL_EXIT[signal ?? ""] ?? 1));
    });
    return { exited, kill: (signal) => child.kill(signal) };
}

export const sessionManagerPlugin: SessionManagerPlugin = {
    async check() {
        const code = await run([], "ignore").exited;
        if (code !== 0) {
            throw new PluginMissingError(`\`${PLUGIN}\` exited with code ${code}`);
        }
    },
    start: (args) => run(args, "inherit"),
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
};
