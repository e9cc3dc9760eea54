/** Stand-ins for unit tests of the CLI: SDK clients mocked with aws-sdk-client-mock, a fake plugin and signals. */
import { CloudWatchLogsClient, DescribeLogStreamsCommand } from "@aws-sdk/client-cloudwatch-logs";
import { ListObjectsV2Command, S3Client } from "@aws-sdk/client-s3";
import { ECSClient, Task } from "@aws-sdk/client-ecs";
import { DescribeSessionsCommand, SSMClient } from "@aws-sdk/client-ssm";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { mockClient } from "aws-sdk-client-mock";
import { strict as assert } from "assert";
import { EventEmitter } from "events";
import { PluginMissingError, StopSignal } from "../../../cli/errors";
import type { StackOutputs } from "../../../cli/outputs";
import * as net from "net";
import { PassThrough, Writable } from "stream";
import type { Sleep } from "../../../cli/clock";
import { TIMING } from "../../../cli/ownTask";
import type { CapturedPlugin, RunningPlugin, SessionManagerPlugin, StartedPlugin, StartOptions } from "../../../cli/plugin";
import { Progress } from "../../../cli/progress";
import type { Terminal } from "../../../cli/terminal";

export const REGION = "us-east-1";
export const ACCOUNT = "111122223333";
export const ALICE = "AROAEXAMPLEROLEID123:alice@example.com";
export const BOB = "AIDAEXAMPLEUSERBOB01";

export const OUTPUTS: StackOutputs = {
    stack: "dev",
    maxSessionHours: 8,
    region: REGION,
    clusterName: "dev-ecs-exec",
    taskDefinitionFamily: "dev-ecs-exec",
    containerName: "dev-ecs-exec",
    subnetIds: ["subnet-0a1b2c3d4e5f60711", "subnet-0a1b2c3d4e5f60722"],
    securityGroupId: "sg-0123456789abcdef0",
    assignPublicIp: true,
    requireReason: false,
    sessionLogGroupName: "/ecs-exec/dev/sessions",
    transcriptBucketName: "dev-ecs-exec-transcripts-111122223333",
};

export const CREDENTIALS = { accessKeyId: "AKIAEXAMPLEFAKEKEY01", secretAccessKey: "fake" };

export function mockedEcs() {
    const ecs = new ECSClient({ region: REGION, credentials: CREDENTIALS });
    return { ecs, ecsMock: mockClient(ecs) };
}

export function mockedSts(userId = ALICE) {
    const sts = new STSClient({ region: REGION, credentials: CREDENTIALS });
    const stsMock = mockClient(sts);
    stsMock.on(GetCallerIdentityCommand).resolves({ UserId: userId, Account: ACCOUNT });
    return { sts, stsMock };
}

/** Session Manager with no session but the command's own: DescribeSessions lists none. */
export function mockedSsm() {
    const ssm = new SSMClient({ region: REGION, credentials: CREDENTIALS });
    const ssmMock = mockClient(ssm);
    ssmMock.on(DescribeSessionsCommand).resolves({ Sessions: [] });
    return { ssm, ssmMock };
}

/**
 * The session log group and the transcripts' bucket, where every session's transcript has arrived (a stream named
 * after its session id; the key `sessions/<session id>.log`).
 */
export function mockedTranscriptStores() {
    const logs = new CloudWatchLogsClient({ region: REGION, credentials: CREDENTIALS });
    const logsMock = mockClient(logs);
    logsMock.on(DescribeLogStreamsCommand).callsFake((input) => ({ logStreams: [{ logStreamName: input.logStreamNamePrefix }] }));
    const s3 = new S3Client({ region: REGION, credentials: CREDENTIALS });
    const s3Mock = mockClient(s3);
    s3Mock.on(ListObjectsV2Command).callsFake((input) => ({ Contents: [{ Key: input.Prefix }] }));
    return { logs, logsMock, s3, s3Mock };
}

/**
 * What every command that uses an exec task is timed with in tests: the tool's own intervals, which FakeClock's sleeps
 * count without waiting; only the wait for a starting task sleeps in real time, for 1 ms.
 */
export const TEST_TIMING = { ...TIMING, pollMs: 1 };

/** The options every command that uses an exec task takes, at their defaults. */
export const OWN_TASK_DEFAULTS = { new: false, keep: false, timeoutMs: 60_000, minLeftMs: 30 * 60_000, transcriptWaitMs: 60_000 };

export const taskArn = (id: string) => `arn:aws:ecs:${REGION}:${ACCOUNT}:task/${OUTPUTS.clusterName}/${id}`;

export interface TaskState {
    status?: string;
    agent?: string;
    owner?: string;
    desiredStatus?: string;
    startedAt?: Date;
    createdAt?: Date;
}

/** A task as DescribeTasks (with TAGS) shows it. */
export function task(id: string, state: TaskState = {}, extra: Partial<Task> = {}): Task {
    const status = state.status ?? "RUNNING";
    return {
        taskArn: taskArn(id),
        clusterArn: `arn:aws:ecs:${REGION}:${ACCOUNT}:cluster/${OUTPUTS.clusterName}`,
        lastStatus: status,
        desiredStatus: state.desiredStatus ?? "RUNNING",
        enableExecuteCommand: true,
        createdAt: state.createdAt ?? state.startedAt,
        startedAt: state.startedAt,
        tags: state.owner ? [{ key: "Owner", value: state.owner }] : [],
        containers: [
            {
                name: OUTPUTS.containerName,
                runtimeId: `${id}-1527056392`,
                lastStatus: status,
                managedAgents: [{ name: "ExecuteCommandAgent", lastStatus: state.agent ?? (status === "RUNNING" ? "RUNNING" : "PENDING") }],
            },
        ],
        ...extra,
    };
}

/** `process` as far as signals go: tests deliver them with `send`. */
export class FakeSignals extends EventEmitter {
    send(signal: NodeJS.Signals): void {
        this.emit(signal);
    }

    listening(): number {
        return this.eventNames().reduce((n, name) => n + this.listenerCount(name), 0);
    }
}

const SIGNAL_EXIT: Record<StopSignal | "SIGKILL", number> = { SIGHUP: 129, SIGINT: 130, SIGTERM: 143, SIGKILL: 137 };

/**
 * session-manager-plugin as the real one behaves: installed or not; a session that ends at once with `sessionExit` or
 * is held open ("held") until `endSession` (or a signal), also when its task stops, as the real plugin stays
 * (aws/aws-cli#7488); `duringSession` runs while it is open. A session it cannot start (`startFailure`) it reports as
 * the real plugin does, "Cannot perform start session: ..." on its stdout, and exits 0. A port forwarding session
 * listens on its local port while it is open.
 */
export class FakePlugin implements SessionManagerPlugin {
    installed = true;
    /** What `--version` prints: newer than 1.2.497.0, so StartSession's response goes in the environment. */
    pluginVersion = "1.2.764.0";
    sessionExit: number | "held" = 0;
    /** The error of a session it cannot start. */
    startFailure?: string;
    /** A port forwarding session takes its local port (false: one that never does). */
    listens = true;
    vanished = false;
    started?: string[];
    startedEnv?: Record<string, string>;
    readonly killedWith: (StopSignal | "SIGKILL")[] = [];
    /** What it printed on the terminal: its stdout when the tool does not read it. */
    terminalOutput = "";
    duringSession?: () => void;
    private end?: (code: number) => void;

    async check(): Promise<void> {
        if (!this.installed) {
            throw new PluginMissingError("not found on PATH");
        }
    }

    async version(): Promise<string> {
        await this.check();
        return this.pluginVersion;
    }

    /** How the last session was started on the terminal. */
    startOptions?: StartOptions;

    start(args: string[], options: StartOptions = {}): StartedPlugin {
        this.startOptions = options;
        const running = this.open(args, options.env, options.readStdout ? this.stdout : undefined);
        return options.readStdout ? { ...running, stdout: this.stdout } : running;
    }

    endSession(code = 0): void {
        this.end?.(code);
    }

    /** The plugin's stdout (when the tool reads it) and stderr, which a test writes the session's stream to. */
    readonly stdout = new PassThrough();
    readonly stderr = new PassThrough();
    /** Signals passed to a captured session, in order. */
    readonly captureSignals: StopSignal[] = [];

    capture(args: string[]): CapturedPlugin {
        const running = this.open(args, undefined, this.stdout);
        return {
            exited: running.exited,
            kill: (signal) => {
                this.captureSignals.push(signal as StopSignal);
                if (signal !== "SIGINT") {
                    running.kill(signal);
                }
            },
            stdout: this.stdout,
            stderr: this.stderr,
        };
    }

    private open(args: string[], env: Record<string, string> | undefined, stdout: PassThrough | undefined): RunningPlugin {
        this.started = args;
        this.startedEnv = env;
        const say = (text: string) => (stdout ? stdout.write(text) : (this.terminalOutput += text));
        const exited = new Promise<number>((resolve, reject) => {
            this.end = resolve;
            if (this.vanished) {
                reject(new PluginMissingError("not found on PATH"));
            } else if (this.startFailure !== undefined) {
                say(`\nStarting session with SessionId: ${sessionIdOf(args, env)}\nCannot perform start session: ${this.startFailure}\n`);
                resolve(0);
            } else if (this.sessionExit !== "held") {
                resolve(this.sessionExit);
            }
        });
        const listener = this.startFailure === undefined && !this.vanished && this.listens ? listenLikePortSession(args) : undefined;
        if (listener) {
            say(`Port ${localPortOf(args)} opened for sessionId ${sessionIdOf(args, env)}.\nWaiting for connections...\n`);
        }
        void exited
            .finally(() => {
                listener?.close();
                this.stderr.end();
                stdout?.end();
            })
            .catch(() => undefined);
        queueMicrotask(() => this.duringSession?.());
        return {
            exited,
            kill: (signal) => {
                this.killedWith.push(signal);
                this.end?.(SIGNAL_EXIT[signal]);
            },
        };
    }
}

/** The session id in the plugin's first argument, or in the environment variable it names. */
function sessionIdOf(args: string[], env: Record<string, string> = {}): string {
    const response = JSON.parse(env[args[0]] ?? args[0]) as { sessionId?: string; SessionId?: string };
    return response.sessionId ?? response.SessionId ?? "";
}

/** The local port of a port forwarding session's request, undefined for any other session. */
function localPortOf(args: string[]): string | undefined {
    const request = JSON.parse(args[4] ?? "{}") as { DocumentName?: string; Parameters?: { localPortNumber?: string[] } };
    return request.DocumentName === "AWS-StartPortForwardingSessionToRemoteHost" ? request.Parameters?.localPortNumber?.[0] : undefined;
}

/** A port forwarding session's listener on its local port (portsession/basicportforwarding.go, startLocalListener). */
function listenLikePortSession(args: string[]): net.Server | undefined {
    const port = localPortOf(args);
    return port === undefined ? undefined : net.createServer((connection) => connection.destroy()).listen(Number(port), "127.0.0.1");
}

/**
 * A clock for the tool's waits: a sleep moves it on by its length, at once (on the next turn of the event loop), so a
 * test counts what happens in each interval without waiting. A sleep cut short by its signal moves it on by nothing.
 */
export class FakeClock {
    time = Date.parse("2026-03-14T10:00:00Z");
    readonly now = () => this.time;
    readonly sleep: Sleep = (ms, signal) =>
        new Promise((resolve) =>
            setImmediate(() => {
                if (!signal?.aborted) {
                    this.time += ms;
                }
                resolve();
            }),
        );
}

/** The terminal's settings, as sessions save and restore them. */
export class FakeTerminal implements Terminal {
    settings = "icanon echo";
    readonly restored: string[] = [];

    save(): string {
        return this.settings;
    }

    restore(settings: string): void {
        this.restored.push(settings);
        this.settings = settings;
    }
}

/** A sink like a pipe to a slow reader: every write fills it until the test drains it. */
export class SlowSink extends Writable {
    readonly chunks: Buffer[] = [];
    constructor(private readonly full: boolean) {
        super({ highWaterMark: 1 });
    }
    _write(chunk: Buffer, _encoding: string, done: () => void): void {
        this.chunks.push(chunk);
        setImmediate(done);
    }
    get text(): string {
        return Buffer.concat(this.chunks).toString();
    }
    write(chunk: Buffer): boolean {
        const accepted = super.write(chunk);
        return this.full ? false : accepted;
    }
}

/** Resolves with the error `promise` rejects with, after checking it is a `type`. */
export async function rejects<T extends Error>(promise: Promise<unknown>, type: new (...args: any[]) => T): Promise<T> {
    const error = await promise.then(
        () => assert.fail(`expected ${type.name}`),
        (e: unknown) => e,
    );
    assert.ok(error instanceof type, `expected ${type.name}, got ${String(error)}`);
    return error as T;
}

/** A Progress writing to a string; `isTTY` chooses the terminal or the log behaviour. */
export function capturedProgress(isTTY = false) {
    let text = "";
    const progress = new Progress({ isTTY, write: (chunk: string) => (text += chunk) });
    return { progress, text: () => text };
}
