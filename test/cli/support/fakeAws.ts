/**
 * A small AWS on 127.0.0.1 for end-to-end tests: ECS over its JSON protocol (RunTask, DescribeTasks, ListTasks,
 * ExecuteCommand, StopTask), SSM over JSON 1.1 (StartSession, TerminateSession, DescribeSessions), CloudWatch Logs
 * (DescribeLogStreams, GetLogEvents) and CloudTrail (LookupEvents) over JSON 1.1, S3 over its REST protocol with XML
 * answers (ListObjectsV2, ListObjectVersions; path-style, as the SDK addresses an IP endpoint), and STS
 * GetCallerIdentity over the query protocol, reached by the real SDK through AWS_ENDPOINT_URL_ECS / _SSM /
 * _CLOUDWATCH_LOGS / _CLOUDTRAIL / _S3 / _STS. It records every
 * call, with the region and access key it was signed with, and lets a test hold a response back.
 *
 * Sessions are Session Manager's: ExecuteCommand and StartSession open one on the task's ECS target, Active until the
 * plugin reports its end (the stand-in plugins do, at DELETE /_stand-in/sessions/<id>), TerminateSession, or the task
 * stopping. The agent uploads an ExecuteCommand session's transcript when the session ends, and only if its task still
 * runs: its log stream, named after the session id, appears then, and its copy in the transcripts' bucket. The stand-in plugin that runs commands asks, at
 * GET /_stand-in/sessions/<id>, for the command a session was opened with and whether its task has stopped.
 */
import { EventEmitter } from "events";
import * as http from "http";
import type { AddressInfo } from "net";

export const ACCOUNT = "111122223333";
export const REGION = "us-east-1";
const ECS_TARGET_PREFIX = "AmazonEC2ContainerServiceV20141113.";
/** The JSON 1.1 target prefixes of the other services (each API reference's sample requests; the SDK sends these). */
const TARGET_PREFIXES = {
    ecs: ECS_TARGET_PREFIX,
    ssm: "AmazonSSM.",
    logs: "Logs_20140328.",
    cloudtrail: "CloudTrail_20131101.",
} as const;
type JsonService = keyof typeof TARGET_PREFIXES;

export interface RecordedCall {
    operation: string;
    body: any;
    /** From the request's SigV4 credential scope. */
    region?: string;
    accessKeyId?: string;
}

/** A Session Manager session as DescribeSessions lists it. */
interface FakeSession {
    id: string;
    target: string;
    status: "Connected" | "Terminated";
    /** The session's command (ExecuteCommand's), for the stand-in plugin that runs it; none for StartSession's. */
    command?: string;
    taskId: string;
}

/** A CloudTrail record, as LookupEvents returns it in CloudTrailEvent. */
export interface TrailRecord {
    eventName: string;
    eventTime: string;
    eventSource: string;
    [key: string]: unknown;
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
    stopCode?: string;
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
    /** How many DescribeLogStreams look-ups miss a transcript that has been uploaded, before it shows (0: it shows at once). */
    transcriptAfterLooks?: number;
    /** CloudTrail's event history of the stack's region; LookupEvents answers it in pages of `pageSize` (default 50). */
    trail?: TrailRecord[];
    pageSize?: number;
    /** How many times LookupEvents answers ThrottlingException for each page before it answers it. */
    throttlesPerPage?: number;
    /** The transcripts' bucket: the agent copies each transcript there as `sessions/<session id>.log`. */
    transcriptBucket?: string;
}

/** A log event of a transcript's stream, as GetLogEvents answers it (timestamp in milliseconds). */
export interface FakeLogEvent {
    timestamp: number;
    message: string;
}

export class FakeAws {
    readonly calls: RecordedCall[] = [];
    /** Emits each operation's name as its request arrives. */
    readonly arrivals = new EventEmitter();
    readonly tasks = new Map<string, FakeTask>();
    private readonly held = new Map<string, Promise<void>>();
    readonly sessions = new Map<string, FakeSession>();
    /** The session log group's streams: transcripts uploaded, and how many more look-ups each takes to show. */
    private readonly transcripts = new Map<string, number>();
    /** Each stream's events, for GetLogEvents. */
    private readonly streamEvents = new Map<string, FakeLogEvent[]>();
    /** The transcripts' bucket: every version of every key (S3 keeps them all: versioning is on). */
    /** Each key's versions, oldest first; a delete adds a delete marker (a version without content). */
    private readonly copies = new Map<string, { versionId: string; lastModified: Date; size: number; deleteMarker?: true }[]>();
    private readonly lookups = new Map<string, number>();
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

    /** Another Session Manager session, opened on the task by someone else: Active until `endSession`. */
    addSession(taskArn: string): string {
        const taskId = taskArn.split("/").pop()!;
        const id = `alice@example.com-${(this.nextId++).toString(16).padStart(17, "0")}`;
        this.sessions.set(id, { id, target: this.target(taskId), status: "Connected", taskId });
        return id;
    }

    /** The task stops, as ECS stops it (its container exited): its sessions end with it, no transcript is uploaded. */
    stopTask(taskArn: string, reason: string): void {
        const task = this.tasks.get(taskArn.split("/").pop()!)!;
        Object.assign(task, { status: "STOPPED", desiredStatus: "STOPPED", stoppedReason: reason, stopCode: "EssentialContainerExited" });
        this.endSessionsOf(task.id);
    }

    /** A session ends: the plugin reports it, or a test does. The agent uploads an ExecuteCommand session's transcript. */
    endSession(id: string): void {
        const session = this.sessions.get(id);
        if (session?.status !== "Connected") {
            return;
        }
        session.status = "Terminated";
        if (session.command !== undefined && this.tasks.get(session.taskId)?.desiredStatus === "RUNNING") {
            this.transcripts.set(id, this.options.transcriptAfterLooks ?? 0);
            this.streamEvents.set(id, [{ timestamp: Date.now(), message: `Script started on ${new Date().toISOString()}` }]);
            this.putCopy(id, 120);
        }
    }

    /** A transcript already in the log group, with these events: one of earlier sessions, or a forged one. */
    addStream(sessionId: string, events: FakeLogEvent[]): void {
        this.transcripts.set(sessionId, 0);
        this.streamEvents.set(sessionId, events);
    }

    /** One more version of a session's copy in the transcripts' bucket: the agent's upload, or another put over it. */
    putCopy(sessionId: string, size: number, at = new Date()): void {
        const key = `sessions/${sessionId}.log`;
        const versions = this.copies.get(key) ?? [];
        versions.push({ versionId: `v${(this.nextId++).toString(16).padStart(30, "0")}`, lastModified: at, size });
        this.copies.set(key, versions);
    }

    /** A DeleteObject of a session's copy without a version id: versioning keeps the copy and adds a delete marker. */
    deleteCopy(sessionId: string, at = new Date()): void {
        const key = `sessions/${sessionId}.log`;
        const versions = this.copies.get(key) ?? [];
        versions.push({ versionId: `v${(this.nextId++).toString(16).padStart(30, "0")}`, lastModified: at, size: 0, deleteMarker: true });
        this.copies.set(key, versions);
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
        const standIn = /^\/_stand-in\/sessions\/([\w@.-]+)$/.exec(req.url ?? "");
        if (standIn) {
            const session = this.sessions.get(standIn[1]);
            if (req.method === "DELETE") {
                this.endSession(standIn[1]);
            }
            const taskStopped = session !== undefined && this.tasks.get(session.taskId)?.desiredStatus !== "RUNNING";
            res.writeHead(session === undefined ? 404 : 200, { "content-type": "application/json" }).end(JSON.stringify({ command: session?.command, taskStopped }));
            return;
        }
        const chunks: Buffer[] = [];
        for await (const chunk of req) {
            chunks.push(chunk as Buffer);
        }
        const text = Buffer.concat(chunks).toString("utf8");
        const signer = /Credential=([^/]+)\/\d{8}\/([^/]+)\/([^/]+)\//.exec(String(req.headers.authorization));
        const signed = { accessKeyId: signer?.[1], region: signer?.[2] };
        if (signer?.[3] === "s3") {
            const [status, xml] = this.s3(new URL(req.url ?? "/", "http://127.0.0.1"), signed);
            res.writeHead(status, { "content-type": "application/xml" }).end(xml);
            return;
        }
        const target = req.headers["x-amz-target"];
        const service = (Object.keys(TARGET_PREFIXES) as JsonService[]).find((s) => typeof target === "string" && target.startsWith(TARGET_PREFIXES[s]));
        if (typeof target === "string" && service) {
            const operation = target.slice(TARGET_PREFIXES[service].length);
            const body = JSON.parse(text || "{}");
            this.record(operation, body, signed);
            await this.held.get(operation);
            const [status, answer] = this.json(service, operation, body, signed.region);
            res.writeHead(status, { "content-type": "application/x-amz-json-1.1" }).end(JSON.stringify(answer));
            return;
        }
        const form = new URLSearchParams(text);
        this.record(form.get("Action") ?? "(unknown)", Object.fromEntries(form), signed);
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

    private record(operation: string, body: any, signed: { region?: string; accessKeyId?: string }): void {
        this.calls.push({ operation, body, ...signed });
        this.arrivals.emit("call", operation);
    }

    private json(service: JsonService, operation: string, body: any, region: string | undefined): [number, unknown] {
        switch (service) {
            case "ecs":
                return this.ecs(operation, body);
            case "ssm":
                return this.ssm(operation, body);
            case "logs":
                return this.logs(operation, body);
            case "cloudtrail":
                return this.cloudTrail(operation, body, region);
        }
    }

    /** A task's ECS target, as Session Manager names it: `ecs:<cluster>_<task id>_<container runtime id>`. */
    private target(taskId: string): string {
        return `ecs:${this.options.cluster}_${taskId}_${taskId}-1527056392`;
    }

    private endSessionsOf(taskId: string): void {
        for (const session of this.sessions.values()) {
            if (session.taskId === taskId) {
                session.status = "Terminated";
            }
        }
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
                const sessionId = `ecs-execute-command-${idOf(body.task).slice(0, 8)}${(this.nextId++).toString(16).padStart(8, "0")}`;
                this.sessions.set(sessionId, { id: sessionId, target: this.target(idOf(body.task)), status: "Connected", command: body.command, taskId: idOf(body.task) });
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
                this.endSessionsOf(task.id);
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
                const taskId = (body.Target as string).split("_")[1];
                this.sessions.set(sessionId, { id: sessionId, target: body.Target, status: "Connected", taskId });
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
                this.endSession(body.SessionId);
                return [200, { SessionId: body.SessionId }];
            case "DescribeSessions": {
                // Filters of one key each, as the API takes them (SessionFilter: key, value).
                const target = (body.Filters ?? []).find((f: { key: string }) => f.key === "Target")?.value;
                const listed = [...this.sessions.values()].filter(
                    (session) => (body.State === "Active") === (session.status === "Connected") && (target === undefined || session.target === target),
                );
                return [200, { Sessions: listed.map((session) => ({ SessionId: session.id, Target: session.target, Status: session.status })) }];
            }
            default:
                return [400, { __type: "UnknownOperationException", message: operation }];
        }
    }

    /** The session log group: a stream per uploaded transcript, shown once its look-ups are used up. */
    private logs(operation: string, body: any): [number, unknown] {
        if (operation === "GetLogEvents") {
            const events = this.streamEvents.get(body.logStreamName);
            if (!events) {
                return [400, { __type: "ResourceNotFoundException", message: "The specified log stream does not exist." }];
            }
            // One page: the token CloudWatch Logs hands back at the end of a stream is the one it was given.
            return [200, { events: body.nextToken ? [] : events, nextForwardToken: body.nextToken ?? "f/end", nextBackwardToken: "b/start" }];
        }
        if (operation !== "DescribeLogStreams") {
            return [400, { __type: "UnknownOperationException", message: operation }];
        }
        const prefix: string = body.logStreamNamePrefix ?? "";
        const shown = [...this.transcripts.entries()].filter(([name, looksLeft]) => {
            if (!name.startsWith(prefix)) {
                return false;
            }
            this.transcripts.set(name, looksLeft - 1);
            return looksLeft <= 0;
        });
        return [200, { logStreams: shown.map(([name]) => ({ logStreamName: name, arn: `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:${body.logGroupName}:log-stream:${name}` })) }];
    }

    /**
     * LookupEvents of the stack region's history, newest first, by event name, in pages; each page throttled
     * `throttlesPerPage` times first (CloudTrail answers ThrottlingException beyond 2 requests a second). Another
     * region's history is empty.
     */
    private cloudTrail(operation: string, body: any, region: string | undefined): [number, unknown] {
        if (operation !== "LookupEvents") {
            return [400, { __type: "UnknownOperationException", message: operation }];
        }
        const page = `${JSON.stringify(body.LookupAttributes)} ${body.NextToken}`;
        this.lookups.set(page, (this.lookups.get(page) ?? 0) + 1);
        if (this.lookups.get(page)! <= (this.options.throttlesPerPage ?? 0)) {
            return [400, { __type: "ThrottlingException", message: "Rate exceeded" }];
        }
        const name = body.LookupAttributes?.[0]?.AttributeValue;
        const [start, end] = [body.StartTime * 1000, body.EndTime * 1000];
        const events = (region === REGION ? this.options.trail ?? [] : [])
            .filter((r) => r.eventName === name && Date.parse(r.eventTime) >= start && Date.parse(r.eventTime) <= end)
            .sort((a, b) => b.eventTime.localeCompare(a.eventTime));
        const size = this.options.pageSize ?? 50;
        const from = Number(body.NextToken ?? 0);
        return [
            200,
            {
                Events: events.slice(from, from + size).map((r) => ({
                    EventName: r.eventName,
                    EventTime: Date.parse(r.eventTime) / 1000,
                    EventSource: r.eventSource,
                    CloudTrailEvent: JSON.stringify(r),
                })),
                NextToken: from + size < events.length ? String(from + size) : undefined,
            },
        ];
    }

    /**
     * The transcripts' bucket, path-style: `GET /<bucket>?list-type=2&prefix=` (ListObjectsV2) and
     * `GET /<bucket>?versions&prefix=` (ListObjectVersions), in the S3 API reference's XML.
     */
    private s3(url: URL, signed: { region?: string; accessKeyId?: string }): [number, string] {
        const bucket = decodeURIComponent(url.pathname.split("/")[1] ?? "");
        const prefix = url.searchParams.get("prefix") ?? "";
        const operation = url.searchParams.has("versions") ? "ListObjectVersions" : "ListObjectsV2";
        this.record(operation, { Bucket: bucket, Prefix: prefix }, signed);
        if (bucket !== this.options.transcriptBucket) {
            return [404, `<?xml version="1.0" encoding="UTF-8"?><Error><Code>NoSuchBucket</Code><Message>The specified bucket does not exist</Message><BucketName>${bucket}</BucketName></Error>`];
        }
        const keys = [...this.copies.entries()].filter(([key]) => key.startsWith(prefix)).sort(([a], [b]) => a.localeCompare(b));
        const ns = 'xmlns="http://s3.amazonaws.com/doc/2006-03-01/"';
        if (operation === "ListObjectsV2") {
            const contents = keys.filter(([, versions]) => !versions[versions.length - 1].deleteMarker).map(([key, versions]) => {
                const latest = versions[versions.length - 1];
                return `<Contents><Key>${key}</Key><LastModified>${latest.lastModified.toISOString()}</LastModified><Size>${latest.size}</Size><StorageClass>STANDARD</StorageClass></Contents>`;
            });
            return [200, `<?xml version="1.0" encoding="UTF-8"?><ListBucketResult ${ns}><Name>${bucket}</Name><Prefix>${prefix}</Prefix><KeyCount>${keys.length}</KeyCount><MaxKeys>1000</MaxKeys><IsTruncated>false</IsTruncated>${contents.join("")}</ListBucketResult>`];
        }
        const versions = keys.flatMap(([key, all]) =>
            [...all].reverse().map(
                (v, i) =>
                    v.deleteMarker
                        ? `<DeleteMarker><Key>${key}</Key><VersionId>${v.versionId}</VersionId><IsLatest>${i === 0}</IsLatest><LastModified>${v.lastModified.toISOString()}</LastModified></DeleteMarker>`
                        : `<Version><Key>${key}</Key><VersionId>${v.versionId}</VersionId><IsLatest>${i === 0}</IsLatest><LastModified>${v.lastModified.toISOString()}</LastModified><Size>${v.size}</Size><StorageClass>STANDARD</StorageClass></Version>`,
            ),
        );
        return [200, `<?xml version="1.0" encoding="UTF-8"?><ListVersionsResult ${ns}><Name>${bucket}</Name><Prefix>${prefix}</Prefix><MaxKeys>1000</MaxKeys><IsTruncated>false</IsTruncated>${versions.join("")}</ListVersionsResult>`];
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
            stopCode: task.stopCode,
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
