/**
 * Runs the real `ecs-exec` bin (the bundle cli/build.ts makes) in a child process, against FakeAws, with a stand-in
 * session-manager-plugin.
 */
import { ChildProcess, spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as esbuild from "esbuild";
import { limiter } from "../../../cli/doctor/simulate";
import { PROJECT_DIR } from "../../../synth/synth";
import { synthStack } from "../../support/synthRun";
import { FakeAws, REGION } from "./fakeAws";

export const BIN = path.join(PROJECT_DIR, "cli", "bin", "ecs-exec.js");

const bundles = new Map<string, string>();

/** A stand-in plugin (its TypeScript, next to this file), bundled once per run. */
function standInBundle(source: "heldSessionPlugin.ts" | "standInPlugin.ts"): string {
    let bundle = bundles.get(source);
    if (bundle === undefined) {
        bundle = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "ecs-exec-stand-in-")), source.replace(/\.ts$/, ".js"));
        esbuild.buildSync({ entryPoints: [path.join(__dirname, source)], bundle: true, platform: "node", outfile: bundle, logLevel: "error" });
        bundles.set(source, bundle);
    }
    return bundle;
}

/**
 * Which session-manager-plugin is on PATH: none, the one that records its arguments and holds the session until the
 * test ends it ("shell", heldSessionPlugin.ts), or the one that runs the command as the agent would ("agent",
 * standInPlugin.ts).
 */
export type PluginKind = false | "shell" | "agent";

/** A scratch directory: the stack's outputs file, a PATH directory (with or without the plugin), a HOME. */
export class Sandbox {
    readonly dir = fs.mkdtempSync(path.join(os.tmpdir(), "ecs-exec-"));
    readonly bin = path.join(this.dir, "bin");
    readonly plugin = path.join(this.dir, "plugin");
    readonly outputsFile = path.join(this.dir, "outputs.json");

    constructor(options: { plugin: PluginKind | true } = { plugin: "shell" }) {
        fs.mkdirSync(this.bin);
        fs.mkdirSync(this.plugin);
        if (options.plugin) {
            const bundle = standInBundle(options.plugin === "agent" ? "standInPlugin.ts" : "heldSessionPlugin.ts");
            const script = `#!/bin/sh\nexec ${JSON.stringify(process.execPath)} ${JSON.stringify(bundle)} "$@"\n`;
            fs.writeFileSync(path.join(this.bin, "session-manager-plugin"), script, { mode: 0o755 });
        }
    }

    static async create(options?: { plugin: PluginKind | true }): Promise<Sandbox> {
        const sandbox = new Sandbox(options);
        fs.writeFileSync(sandbox.outputsFile, JSON.stringify((await synthStack("dev")).outputs));
        return sandbox;
    }

    /** What the plugin was started with, once it has been. */
    pluginArgs(): string[] | undefined {
        const file = path.join(this.plugin, "args");
        return fs.existsSync(file) ? fs.readFileSync(file, "utf8").split("\0").slice(0, -1) : undefined;
    }

    /** What the plugin found in AWS_SSM_START_SESSION_RESPONSE ("" when unset). */
    pluginEnvironment(): string | undefined {
        const file = path.join(this.plugin, "environment");
        return fs.existsSync(file) ? fs.readFileSync(file, "utf8") : undefined;
    }

    pluginSignals(): string[] {
        const file = path.join(this.plugin, "signals");
        return fs.existsSync(file) ? fs.readFileSync(file, "utf8").trim().split("\n") : [];
    }

    /** Ends the stand-in plugin's session (the remote shell exits). */
    endSession(): void {
        fs.writeFileSync(path.join(this.plugin, "end"), "");
    }

    waitForSession(): Promise<void> {
        return eventually(() => this.pluginArgs() !== undefined, "the plugin has started");
    }

    /** Only what a developer's shell would hold: AWS settings by the standard variables, nothing inherited. */
    env(aws: Pick<FakeAws, "url">, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
        return {
            PATH: `${this.bin}:${path.dirname(process.execPath)}:/usr/bin:/bin`,
            HOME: this.dir,
            AWS_REGION: REGION,
            AWS_ENDPOINT_URL_ECS: aws.url,
            AWS_ENDPOINT_URL_STS: aws.url,
            AWS_ENDPOINT_URL_SSM: aws.url,
            AWS_ENDPOINT_URL_CLOUDWATCH_LOGS: aws.url,
            AWS_ENDPOINT_URL_CLOUDTRAIL: aws.url,
            AWS_ENDPOINT_URL_S3: aws.url,
            AWS_ACCESS_KEY_ID: "AKIAEXAMPLEFAKEKEY01",
            AWS_SECRET_ACCESS_KEY: "fake-secret-access-key",
            AWS_EC2_METADATA_DISABLED: "true",
            FAKE_PLUGIN_DIR: this.plugin,
            ...extra,
        };
    }

    remove(): void {
        fs.rmSync(this.dir, { recursive: true, force: true });
    }
}

export interface ToolExit {
    code: number | null;
    stdout: string;
    stderr: string;
    stdoutBytes: Buffer;
}

export interface ToolRun {
    child: ChildProcess;
    exited: Promise<ToolExit>;
    /** Ctrl-C at a terminal: SIGINT to the whole foreground process group (the tool and the plugin). */
    interruptGroup(): void;
    /** What the tool has written to stdout so far. */
    stdoutSoFar(): string;
}

/** Starts the bin in its own process group, as a terminal's foreground job; stdin at end of file unless `stdin: "pipe"`. */
export function startTool(
    args: string[],
    env: NodeJS.ProcessEnv,
    command: string[] = [process.execPath, BIN],
    stdin: "ignore" | "pipe" = "ignore",
): ToolRun {
    const child = spawn(command[0], [...command.slice(1), ...args], { env, cwd: PROJECT_DIR, detached: true, stdio: [stdin, "pipe", "pipe"] });
    // Bytes, decoded once at the end: a character split between two chunks stays whole.
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout!.on("data", (d: Buffer) => stdout.push(d));
    child.stderr!.on("data", (d: Buffer) => stderr.push(d));
    const exited = new Promise<ToolExit>((resolve) =>
        child.on("close", (code) =>
            resolve({ code, stdout: Buffer.concat(stdout).toString(), stderr: Buffer.concat(stderr).toString(), stdoutBytes: Buffer.concat(stdout) }),
        ),
    );
    return {
        child,
        exited,
        interruptGroup: () => process.kill(-child.pid!, "SIGINT"),
        stdoutSoFar: () => Buffer.concat(stdout).toString(),
    };
}

export const delay = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `check` until it holds; fails after `ms`, a guard against a hang, generous for a loaded machine. */
export async function eventually(check: () => boolean, what: string, ms = 20_000): Promise<void> {
    const deadline = Date.now() + ms;
    while (!check()) {
        if (Date.now() > deadline) {
            throw new Error(`timed out waiting until ${what}`);
        }
        await delay(20);
    }
}

/**
 * Runs tasks at most `limit` at a time (the limiter doctor's simulations use). End-to-end scenarios spend their time
 * starting node and waiting on each other's signals, not competing for one resource, so a few at once keep the suite
 * fast.
 */
export const pool = limiter;
