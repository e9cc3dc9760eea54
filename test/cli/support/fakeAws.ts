/**
 * A small AWS on 127.0.0.1 for end-to-end tests: ECS over its JSON protocol (RunTask, DescribeTasks, ListTasks,
 * ExecuteCommand, StopTask), SSM over JSON 1.1 (StartSession, TerminateSession) and STS GetCallerIdentity over the
 * query protocol, reached by the real SDK through AWS_ENDPOINT_URL_ECS / _SSM / _STS. It records every call and lets a
 * test hold a response back. The stand-in plugin that runs commands asks it, at /_stand-in/sessions/<id>, for the
 * command a session was opened with.
 */
import { EventEmitter } from "events";
import * as http from "http";
import type { AddressInfo } from "net";

export const ACCOUNT = "111122223333";
export const REGION = "us-east-1";
const ECS_TARGET_PREFIX = "AmazonEC2ContainerServiceV20141113.";
/** SSM's JSON 1.1 target prefix (Systems Manager API Reference, e.g. TerminateSession's sample request). */
const SSM_TARGET_PREFIX = "AmazonSSM.";

export interface RecordedCall {
    operation: string;
    body: any;
}

export interface FakeTaskSpec {
    owner?: string;
    /** lastStatus; a RUNNING task's exec agent is RUNNING too. */
    status: "PROVISIONING" | "RUNNING";
    startedAt?: Date;
}

interface FakeTask {
    id: string;
    owner?: string;
    status: string;
    agent: string;
    desiredStatus: string;
    createdAt: Date;
    startedAt?: Date;
    stoppedReason?: string;
}

export interface FakeAwsOptions {
    cluster: string;
    family: string;
    container: string;
    userId: string;
    /**
     * When a started task is RUNNING with its exec agent RUNNING: after this many DescribeTasks answers (Infinity:
     * never), or at once in RunTask's own answer (-1), which spares a test the tool's poll interval.
     */
    readyAfterDescribes?: number;
    /** ExecuteCommand answers this error instead of a session. */
    executeCommandError?: { type: string; message: string };
    /** StartSession answers this error instead of a session. */
    startSessionError?: { type: string; message: string };
}

export class FakeAws {
    readonly calls: RecordedCall[] = [];
    /** Emits each operation's name as its request arrives. */
    readonly arrivals = new EventEmitter();
    readonly tasks = new Map<string, FakeTask>();
    private readonly held = new Map<string, Promise<void>>();
    /** Each session's command, for the stand-in plugin that runs it (tool.ts). */
    private readonly sessionCommands = new Map<string, string>();
    private readonly server = http.createServer((req, res) => this.handle(req, res));
    private describes = 0;
    private nextId = 1;
    url = "";

    constructor(private readonly options: FakeAwsOptions) {}

    async start(): Promise<this> {
        await new Promise<void>((resolve) => this.server.listen(0, "127.0.0.1", resolve));
        this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
        return this;
    }

    stop(): Promise<void> {
        this.server.closeAllConnections();
        return new Promise((resolve) => this.server.close(() => resolve()));
    }

    /** A task that exists before the tool runs (yours to reuse, or a colleague's). */
    addTask(spec: FakeTaskSpec): string {
        const id = this.newTaskId();
        const running = spec.status === "RUNNING";
        this.tasks.set(id, {
            id,
            owner: spec.owner,
            status: spec.status,
            agent: running ? "RUNNING" : "PENDING",
            desiredStatus: "RUNNING",
            createdAt: spec.startedAt ?? new Date(),
            startedAt: spec.startedAt,
        });
        return this.taskArn(id);
    }

    /** Holds the answers to `operation` until the returned function is called. */
    hold(operation: string): () => void {
        let release!: () => void;
        this.held.set(operation, new Promise<void>((resolve) => (release = resolve)));
        return () => {
            this.held.delete(operation);
            release();
        };
    }

    /** Resolves when `operation` has been called `count` times in all. */
    waitFor(operation: string, count = 1): Promise<void> {
        return new Promise((resolve) => {
            const check = () => {
                if (this.callsOf(operation).length >= count) {
                    this.arrivals.off("call", check);
                    resolve();
                }
            };
            this.arrivals.on("call", check);
            check();
        });
    }

    callsOf(operation: string): RecordedCall[] {
        return this.calls.filter((c) => c.operation === operation);
    }

    taskArn(id: string): string {
        return `arn:aws:ecs:${REGION}:${ACCOUNT}:task/${this.options.cluster}/${id}`;
    }

    private newTaskId(): string {
        return `${(this.nextId++).toString(16).padStart(4, "0")}${"a".repeat(28)}`;
    }

    private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
        const standIn = /^\/_stand-in\/sessions\/([\w-]+)$/.exec(req.url ?? "");
        if (standIn) {
            const command = this.sessionCommands.get(standIn[1]);
            res.writeHead(command === undefined ? 404 : 200, { "content-type": "application/json" }).end(JSON.stringify({ command }));
            return;
        }
        const chunks: Buffer[] = [];
        for await (const chunk of req) {
            chunks.push(chunk as Buffer);
        }
        const text = Buffer.concat(chunks).toString("utf8");
        const target = req.headers["x-amz-target"];
        const service = typeof target !== "string" ? undefined : target.startsWith(ECS_TARGET_PREFIX) ? "ecs" : target.startsWith(SSM_TARGET_PREFIX) ? "ssm" : undefined;
        if (typeof target === "string" && service) {
            const operation = target.slice((service === "ecs" ? ECS_TARGET_PREFIX : SSM_TARGET_PREFIX).length);
            const body = JSON.parse(text || "{}");
            this.record(operation, body);
            await this.held.get(operation);
            const [status, answer] = service === "ecs" ? this.ecs(operation, body) : this.ssm(operation, body);
            res.writeHead(status, { "content-type": "application/x-amz-json-1.1" }).end(JSON.stringify(answer));
            return;
        }
        const form = new URLSearchParams(text);
        this.record(form.get("Action") ?? "(unknown)", Object.fromEntries(form));
        res.writeHead(200, { "content-type": "text/xml" }).end(
            `<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <GetCallerIdentityResult>
    <Arn>arn:aws:sts::${ACCOUNT}:assumed-role/AWSReservedSSO_Developer_0123456789abcdef/alice@example.com</Arn>
    <UserId>${this.options.userId}</UserId>
    <Account>${ACCOUNT}</Account>
  </GetCallerIdentityResult>
  <ResponseMetadata><RequestId>01234567-89ab-cdef-0123-456789abcdef</RequestId></ResponseMetadata>
</GetCallerIdentityResponse>`,
        );
    }

    private record(operation: string, body: any): void {
        this.calls.push({ operation, body });
        this.arrivals.emit("call", operation);
    }

    private ecs(operation: string, body: any): [number, unknown] {
        const { cluster } = this.options;
        const idOf = (task: string) => task.split("/").pop()!;
        switch (operation) {
            case "RunTask": {
                const id = this.newTaskId();
                const owner = body.tags?.find((t: { key: string }) => t.key === "Owner")?.value;
                const ready = this.options.readyAfterDescribes === -1;
                const task: FakeTask = {
                    id,
                    owner,
                    status: ready ? "RUNNING" : "PROVISIONING",
                    agent: ready ? "RUNNING" : "PENDING",
                    desiredStatus: "RUNNING",
                    createdAt: new Date(),
                    startedAt: ready ? new Date() : undefined,
                };
                this.tasks.set(id, task);
                return [200, { tasks: [this.describe(task, true)], failures: [] }];
            }
            case "DescribeTasks": {
                this.describes++;
                const tasks = (body.tasks as string[]).map((t) => this.tasks.get(idOf(t))).filter((t) => t !== undefined);
                for (const task of tasks) {
                    if (task.status === "PROVISIONING" && this.describes > (this.options.readyAfterDescribes ?? 0)) {
                        Object.assign(task, { status: "RUNNING", agent: "RUNNING", startedAt: new Date() });
                    }
                }
                const withTags = (body.include ?? []).includes("TAGS");
                return [200, { tasks: tasks.map((t) => this.describe(t, withTags)), failures: [] }];
            }
            case "ListTasks": {
                const running = [...this.tasks.values()].filter((t) => t.desiredStatus === "RUNNING");
                return [200, { taskArns: running.map((t) => this.taskArn(t.id)) }];
            }
            case "ExecuteCommand": {
                if (this.options.executeCommandError) {
                    const { type, message } = this.options.executeCommandError;
                    return [400, { __type: type, message }];
                }
                const sessionId = `ecs-execute-command-${idOf(body.task).slice(0, 8)}`;
                this.sessionCommands.set(sessionId, body.command);
                return [
                    200,
                    {
                        clusterArn: `arn:aws:ecs:${REGION}:${ACCOUNT}:cluster/${cluster}`,
                        containerArn: `arn:aws:ecs:${REGION}:${ACCOUNT}:container/${cluster}/${idOf(body.task)}/c0ffee`,
                        containerName: body.container,
                        interactive: true,
                        session: {
                            sessionId,
                            streamUrl: `wss://ssmmessages.${REGION}.amazonaws.com/v1/data-channel/${sessionId}?role=publish_subscribe`,
                            tokenValue: "token-of-" + sessionId,
                        },
                        taskArn: this.taskArn(idOf(body.task)),
                    },
                ];
            }
            case "StopTask": {
                const task = this.tasks.get(idOf(body.task));
                if (!task) {
                    return [400, { __type: "InvalidParameterException", message: "The referenced task was not found." }];
                }
                Object.assign(task, { desiredStatus: "STOPPED", stoppedReason: body.reason });
                return [200, { task: this.describe(task, false) }];
            }
            default:
                return [400, { __type: "UnknownOperationException", message: operation }];
        }
    }

    /** Session ids as Session Manager makes them: the caller's session name, a hyphen, a random suffix. */
    private ssm(operation: string, body: any): [number, unknown] {
        switch (operation) {
            case "StartSession": {
                if (this.options.startSessionError) {
                    const { type, message } = this.options.startSessionError;
                    return [400, { __type: type, message }];
                }
                const sessionId = `${this.options.userId.split(":").pop()}-${(this.nextId++).toString(16).padStart(17, "0")}`;
                return [
                    200,
                    {
                        SessionId: sessionId,
                        StreamUrl: `wss://ssmmessages.${REGION}.amazonaws.com/v1/data-channel/${sessionId}?role=publish_subscribe`,
                        TokenValue: `token-of-${sessionId}`,
                    },
                ];
            }
            case "TerminateSession":
                return [200, { SessionId: body.SessionId }];
            default:
                return [400, { __type: "UnknownOperationException", message: operation }];
        }
    }

    private describe(task: FakeTask, withTags: boolean): unknown {
        const { cluster, family, container } = this.options;
        const seconds = (d: Date | undefined) => (d ? d.getTime() / 1000 : undefined);
        return {
            taskArn: this.taskArn(task.id),
            clusterArn: `arn:aws:ecs:${REGION}:${ACCOUNT}:cluster/${cluster}`,
            taskDefinitionArn: `arn:aws:ecs:${REGION}:${ACCOUNT}:task-definition/${family}:1`,
            lastStatus: task.status,
            desiredStatus: task.desiredStatus,
            enableExecuteCommand: true,
            launchType: "FARGATE",
            createdAt: seconds(task.createdAt),
            startedAt: seconds(task.startedAt),
            stoppedReason: task.stoppedReason,
            tags: withTags && task.owner ? [{ key: "Owner", value: task.owner }] : undefined,
            containers: [
                {
                    name: container,
                    runtimeId: `${task.id}-1527056392`,
                    lastStatus: task.status === "RUNNING" ? "RUNNING" : "PENDING",
                    managedAgents: [{ name: "ExecuteCommandAgent", lastStatus: task.agent }],
                },
            ],
        };
    }
}
