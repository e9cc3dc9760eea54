/** Stand-ins for unit tests of the CLI: SDK clients mocked with aws-sdk-client-mock, a fake plugin and signals. */
import { ECSClient, Task } from "@aws-sdk/client-ecs";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { mockClient } from "aws-sdk-client-mock";
import { strict as assert } from "assert";
import { EventEmitter } from "events";
import { PluginMissingError, StopSignal } from "../../../cli/errors";
import type { StackOutputs } from "../../../cli/outputs";
import { PassThrough } from "stream";
import type { Sleep } from "../../../cli/clock";
import type { CapturedPlugin, RunningPlugin, SessionManagerPlugin } from "../../../cli/plugin";
import { Progress } from "../../../cli/progress";

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

const SIGNAL_EXIT: Record<StopSignal, number> = { SIGHUP: 129, SIGINT: 130, SIGTERM: 143 };

/**
 * session-manager-plugin: installed or not; a session that ends at once with `sessionExit` or is held open
 * ("held") until `endSession`; `duringSession` runs while it is open.
 */
export class FakePlugin implements SessionManagerPlugin {
    installed = true;
    /** What `--version` prints: newer than 1.2.497.0, so StartSession's response goes in the environment. */
    pluginVersion = "1.2.764.0";
    sessionExit: number | "held" = 0;
    vanished = false;
    started?: string[];
    startedEnv?: Record<string, string>;
    readonly killedWith: StopSignal[] = [];
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

    start(args: string[], env?: Record<string, string>): RunningPlugin {
        this.started = args;
        this.startedEnv = env;
        const exited = new Promise<number>((resolve, reject) => {
            this.end = resolve;
            if (this.vanished) {
                reject(new PluginMissingError("not found on PATH"));
            } else if (this.sessionExit !== "held") {
                resolve(this.sessionExit);
            }
        });
        queueMicrotask(() => this.duringSession?.());
        return {
            exited,
            kill: (signal) => {
                this.killedWith.push(signal);
                this.end?.(SIGNAL_EXIT[signal]);
            },
        };
    }

    endSession(code = 0): void {
        this.end?.(code);
    }

    /** The plugin's stdout and stderr of a captured session (`run`), which a test writes the session's stream to. */
    readonly stdout = new PassThrough();
    readonly stderr = new PassThrough();
    /** Signals passed to a captured session, in order. */
    readonly captureSignals: StopSignal[] = [];

    capture(args: string[]): CapturedPlugin {
        const running = this.start(args);
        const ended = running.exited.then(
            () => (this.stdout.end(), this.stderr.end()),
            () => (this.stdout.end(), this.stderr.end()),
        );
        return {
            exited: running.exited.then(async (code) => (await ended, code)),
            kill: (signal) => {
                this.captureSignals.push(signal);
                if (signal !== "SIGINT") {
                    running.kill(signal);
                }
            },
            stdout: this.stdout,
            stderr: this.stderr,
        };
    }
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
