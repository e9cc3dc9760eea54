/**
 * `ecs-exec audit`: every ExecuteCommand call on the stack's cluster in a time window, from CloudTrail, refused
 * ones included, each joined to its session transcript by session id (the log stream's name), and to the reason its
 * task was started with by task id (the task's RunTask record). Both joins are exact: the CloudTrail record names
 * the caller, the task and the session; the transcript is filed under that session; the RunTask record names the task
 * it started and the tags it was started with. Beside them, every Session Manager StartSession straight to a task of
 * the cluster: `ecs-exec forward`'s port forwarding, and any other session (which ECS Exec does not log).
 */
import { CloudTrailClient, LookupEventsCommand, LookupEventsCommandInput } from "@aws-sdk/client-cloudtrail";
import { CloudWatchLogsClient, GetLogEventsCommand } from "@aws-sdk/client-cloudwatch-logs";
import { ListObjectVersionsCommand, S3Client } from "@aws-sdk/client-s3";
import { ecsSessionTargetPrefix, REASON_TAG_KEY, transcriptKey } from "../components/config";
import { awsCall, translateAwsError } from "./aws";
import type { Sleep } from "./clock";
import { formatDuration, formatTime, markdownTable, textTable } from "./format";
import type { StackOutputs } from "./outputs";
import type { Progress } from "./progress";
import { DEFAULT_SHELL, unwrappedCommand } from "./remoteCommand";
import { taskId } from "./tasks";

/** The parts of a CloudTrail ExecuteCommand record the audit reads. */
export interface ExecuteCommandRecord {
    eventTime: string;
    eventSource: string;
    eventName: string;
    sourceIPAddress?: string;
    userIdentity: { arn?: string; principalId?: string };
    requestParameters?: { cluster?: string; task?: string; container?: string; command?: string } | null;
    responseElements?: { session?: { sessionId?: string } } | null;
    errorCode?: string;
    errorMessage?: string;
}

/** The parts of a CloudTrail RunTask record the audit reads (ECS API reference, RunTask: request and response). */
export interface RunTaskRecord {
    eventTime: string;
    eventSource: string;
    eventName: string;
    requestParameters?: { cluster?: string; tags?: { key?: string; value?: string }[] } | null;
    responseElements?: { tasks?: { taskArn?: string }[] } | null;
}

/** Why a task was started: its Reason tag, `null` when it was started without one. */
export type TaskReason = string | null;

/** The parts of a CloudTrail StartSession record the audit reads. */
export interface StartSessionRecord {
    eventTime: string;
    eventSource: string;
    eventName: string;
    sourceIPAddress?: string;
    userIdentity: { arn?: string; principalId?: string };
    requestParameters?: { target?: string; documentName?: string; reason?: string; parameters?: Record<string, string[]> } | null;
    responseElements?: { sessionId?: string } | null;
    errorCode?: string;
    errorMessage?: string;
}

/** A session's transcript in the log group: whether its stream exists, its size and its events' span. */
export interface StreamLog {
    stream: string;
    present: boolean;
    bytes?: number;
    events?: number;
    firstEvent?: string;
    lastEvent?: string;
}

/**
 * What the two stores say of a session's transcript:
 * - `complete`: a stream in the log group, and exactly one version of its copy in the bucket;
 * - `tampered`: more than one version of the copy (a put over the agent's, before or after it) or a deleted one, or
 *   stream events outside the session's time;
 * - `pending`: not both yet, and the session may still be open or uploading (its task may still run);
 * - `missing`: the session has ended and a store lacks it (or both do): an alert-worthy gap;
 * - `expired`: older than the stack's `logRetentionDays`, and a store has removed it, as its retention does.
 */
export const LOG_STATES = ["complete", "pending", "missing", "tampered", "expired"] as const;
export type LogState = (typeof LOG_STATES)[number];

/** The copy in the transcripts' bucket: its key, and how many versions S3 keeps of it. */
export interface CopyLog {
    key: string;
    versions: number;
    /** Deletes of it (delete markers): only an audit administrator may make one. */
    deleted?: number;
}

export interface SessionLog extends StreamLog {
    state: LogState;
    /** Absent for a stack without the transcripts' bucket (deployed before it). */
    s3?: CopyLog;
}

export interface AuditEntry {
    /** ECS Exec's ExecuteCommand, or a Session Manager session straight to a task (StartSession). */
    event: "ExecuteCommand" | "StartSession";
    time: string;
    who: string;
    /** The caller's aws:userid: the Owner tag of the tasks they start. */
    userId?: string;
    sourceIp?: string;
    task?: string;
    container?: string;
    command?: string;
    outcome: "allowed" | "refused";
    errorCode?: string;
    errorMessage?: string;
    sessionId?: string;
    /**
     * Why: a StartSession's own reason (`ecs-exec forward --reason`), else the Reason tag the task was started with (a
     * reused task keeps it), `null` for none; absent when CloudTrail's event history holds no RunTask of the task
     * (started before the window looked up, or by other means).
     */
    reason?: TaskReason;
    /** Only for allowed ExecuteCommand calls: a refused call opened no session, and StartSession's are not logged. */
    log?: SessionLog;
    /** StartSession's document (none: the default shell), and where a port forwarding went (`host:port`). */
    document?: string;
    forwardsTo?: string;
}

export interface AuditWindow {
    start: Date;
    end: Date;
}

/** The ExecuteCommand calls on `clusterName` among CloudTrail's records, oldest first. */
export function execCallsOnCluster(records: ExecuteCommandRecord[], clusterName: string): ExecuteCommandRecord[] {
    const onCluster = (r: ExecuteCommandRecord) => {
        const cluster = r.requestParameters?.cluster;
        return cluster === clusterName || cluster?.endsWith(`:cluster/${clusterName}`) === true;
    };
    return records
        .filter((r) => r.eventSource === "ecs.amazonaws.com" && r.eventName === "ExecuteCommand" && onCluster(r))
        .sort((a, b) => a.eventTime.localeCompare(b.eventTime));
}

/** What every CloudTrail record tells: when, who, from where, and whether it was refused. */
function callFields(record: ExecuteCommandRecord | StartSessionRecord) {
    return {
        time: record.eventTime,
        who: record.userIdentity.arn ?? record.userIdentity.principalId ?? "(unknown)",
        userId: record.userIdentity.principalId,
        sourceIp: record.sourceIPAddress,
        outcome: record.errorCode ? ("refused" as const) : ("allowed" as const),
        errorCode: record.errorCode,
        errorMessage: record.errorMessage,
    };
}

export function auditEntry(record: ExecuteCommandRecord, log: SessionLog | undefined, reasons: Map<string, TaskReason> = new Map()): AuditEntry {
    const request = record.requestParameters ?? {};
    const task = request.task && taskId(request.task);
    return {
        event: "ExecuteCommand",
        ...callFields(record),
        task,
        container: request.container,
        command: request.command,
        sessionId: record.responseElements?.session?.sessionId,
        ...(task !== undefined && reasons.has(task) ? { reason: reasons.get(task) } : {}),
        log,
    };
}

/**
 * The reason of every task a RunTask record of the exec cluster started, by task id. A task's tags are set by
 * RunTask only (the developer policy allows tagging at launch alone), so its record says what the task carried.
 */
export function taskReasons(records: RunTaskRecord[], clusterName: string): Map<string, TaskReason> {
    const reasons = new Map<string, TaskReason>();
    for (const record of records) {
        if (record.eventSource !== "ecs.amazonaws.com" || record.eventName !== "RunTask") {
            continue;
        }
        const reason = record.requestParameters?.tags?.find((tag) => tag.key === REASON_TAG_KEY)?.value ?? null;
        for (const { taskArn } of record.responseElements?.tasks ?? []) {
            // Task ARNs name their cluster: arn:...:task/<cluster>/<id>.
            if (taskArn?.split("/").at(-2) === clusterName) {
                reasons.set(taskId(taskArn), reason);
            }
        }
    }
    return reasons;
}

/** The StartSession calls whose target is a task of `clusterName` (`ecs:<cluster>_<task>_<runtime id>`), oldest first. */
export function sessionsOnCluster(records: StartSessionRecord[], clusterName: string): StartSessionRecord[] {
    const prefix = ecsSessionTargetPrefix(clusterName);
    return records
        .filter((r) => r.eventSource === "ssm.amazonaws.com" && r.eventName === "StartSession" && r.requestParameters?.target?.startsWith(prefix))
        .sort((a, b) => a.eventTime.localeCompare(b.eventTime));
}

export function sessionEntry(record: StartSessionRecord, clusterName: string, reasons: Map<string, TaskReason> = new Map()): AuditEntry {
    const request = record.requestParameters ?? {};
    const task = request.target?.slice(ecsSessionTargetPrefix(clusterName).length).split("_")[0];
    const host = request.parameters?.host?.[0];
    const port = request.parameters?.portNumber?.[0];
    return {
        event: "StartSession",
        ...callFields(record),
        task,
        sessionId: record.responseElements?.sessionId,
        document: request.documentName,
        forwardsTo: host !== undefined ? `${host}:${port ?? "?"}` : undefined,
        ...(request.reason !== undefined ? { reason: request.reason } : task !== undefined && reasons.has(task) ? { reason: reasons.get(task) } : {}),
    };
}

/**
 * CloudTrail's LookupEvents answers 2 requests per second per account and region, and ThrottlingException beyond that
 * (CloudTrail API Reference, LookupEvents). So requests start at most this often, every lookup of a run together; and a
 * throttled page (another caller shares the quota) is asked again after a wait that doubles from RETRY_MS, up to
 * MAX_RETRY_MS, at most MAX_ATTEMPTS times. The pages already read are kept: the retry asks for the same page.
 */
const LOOKUP_INTERVAL_MS = 500;
const RETRY_MS = 1000;
const MAX_RETRY_MS = 20_000;
const MAX_ATTEMPTS = 8;

/** The clock of a run's LookupEvents requests. */
export interface LookupClock {
    now: () => number;
    sleep: Sleep;
}

/** Spaces a run's requests LOOKUP_INTERVAL_MS apart. */
class Pace {
    private next = 0;

    constructor(private readonly clock: LookupClock) {}

    async turn(): Promise<void> {
        const wait = this.next - this.clock.now();
        if (wait > 0) {
            await this.clock.sleep(wait);
        }
        this.next = this.clock.now() + LOOKUP_INTERVAL_MS;
    }
}

/** Worth asking again: throttled, or a fault on AWS's side. */
function retryable(error: unknown): boolean {
    const e = error as { name?: string; $metadata?: { httpStatusCode?: number } };
    return e.name === "ThrottlingException" || (e.$metadata?.httpStatusCode ?? 0) >= 500;
}

/** One page of LookupEvents, asked again while CloudTrail throttles it. */
async function lookupPage(cloudTrail: CloudTrailClient, input: LookupEventsCommandInput, pace: Pace, clock: LookupClock, progress: Progress, what: string) {
    for (let attempt = 1; ; attempt++) {
        await pace.turn();
        try {
            return await cloudTrail.send(new LookupEventsCommand(input));
        } catch (e) {
            if (!retryable(e) || attempt === MAX_ATTEMPTS) {
                throw translateAwsError(e, "cloudtrail:LookupEvents");
            }
            const wait = Math.min(RETRY_MS * 2 ** (attempt - 1), MAX_RETRY_MS);
            progress.update(`Reading CloudTrail: ${what} ${(e as Error).name}, asking again in ${formatDuration(wait)}`, `Reading CloudTrail: ${what} throttled, asking again`);
            await clock.sleep(wait);
        }
    }
}

/** CloudTrail's LookupEvents, every page, events of one name only (the API filters by one attribute). */
async function lookupRecords<T>(
    cloudTrail: CloudTrailClient,
    eventName: "ExecuteCommand" | "RunTask" | "StartSession",
    window: AuditWindow,
    progress: Progress,
    pace: Pace,
    clock: LookupClock,
): Promise<T[]> {
    const records: T[] = [];
    let nextToken: string | undefined;
    let page = 0;
    do {
        const input = {
            LookupAttributes: [{ AttributeKey: "EventName" as const, AttributeValue: eventName }],
            StartTime: window.start,
            EndTime: window.end,
            NextToken: nextToken,
        };
        const response = await lookupPage(cloudTrail, input, pace, clock, progress, `page ${page + 1} of ${eventName}`);
        for (const event of response.Events ?? []) {
            if (event.CloudTrailEvent) {
                records.push(JSON.parse(event.CloudTrailEvent) as T);
            }
        }
        nextToken = response.NextToken;
        page++;
        progress.update(`Reading CloudTrail: page ${page}, ${records.length} ${eventName} calls`, `Reading CloudTrail (${eventName})`);
    } while (nextToken);
    return records;
}

/**
 * Where to look for the RunTask of the tasks exec'd into in `window`: an exec task stops itself `maxSessionHours`
 * after it starts, so it was started at most that long before the window opened; no further back than CloudTrail's
 * event history reaches (`oldest`).
 */
export function runTaskWindow(window: AuditWindow, maxSessionHours: number, oldest: Date): AuditWindow {
    const start = new Date(Math.max(window.start.getTime() - maxSessionHours * 3_600_000, oldest.getTime()));
    return { start, end: window.end };
}

/** Size and time span of a session's transcript, or `present: false` when its log stream does not exist. */
export async function readStreamLog(logs: CloudWatchLogsClient, logGroupName: string, sessionId: string): Promise<StreamLog> {
    let bytes = 0;
    let events = 0;
    let first = Infinity;
    let last = -Infinity;
    let token: string | undefined;
    for (;;) {
        let response;
        try {
            response = await logs.send(
                new GetLogEventsCommand({ logGroupName, logStreamName: sessionId, startFromHead: true, nextToken: token }),
            );
        } catch (e) {
            // A missing stream is a finding (a session still open, or logging that failed); a missing group is not.
            const { name, message } = e as Error;
            if (name === "ResourceNotFoundException" && !/log group/i.test(message)) {
                return { stream: sessionId, present: false };
            }
            throw translateAwsError(e, "logs:GetLogEvents");
        }
        for (const event of response.events ?? []) {
            bytes += Buffer.byteLength(event.message ?? "", "utf8");
            events++;
            first = Math.min(first, event.timestamp ?? first);
            last = Math.max(last, event.timestamp ?? last);
        }
        // The end of the stream: CloudWatch Logs hands back the token it was given.
        if (!response.nextForwardToken || response.nextForwardToken === token) {
            break;
        }
        token = response.nextForwardToken;
    }
    const span = events > 0 ? { firstEvent: new Date(first).toISOString(), lastEvent: new Date(last).toISOString() } : {};
    return { stream: sessionId, present: true, bytes, events, ...span };
}

/** The versions S3 keeps of a session's copy (ListObjectVersions of its key, which versioning keeps all of). */
export async function readCopyLog(s3: S3Client, bucket: string, sessionId: string): Promise<CopyLog> {
    const key = transcriptKey(sessionId);
    let versions = 0;
    let deleted = 0;
    let markers: { KeyMarker?: string; VersionIdMarker?: string } = {};
    for (;;) {
        const page = await awsCall("s3:ListBucketVersions", () => s3.send(new ListObjectVersionsCommand({ Bucket: bucket, Prefix: key, ...markers })));
        versions += (page.Versions ?? []).filter((v) => v.Key === key).length;
        deleted += (page.DeleteMarkers ?? []).filter((d) => d.Key === key).length;
        if (!page.IsTruncated) {
            break;
        }
        markers = { KeyMarker: page.NextKeyMarker, VersionIdMarker: page.NextVersionIdMarker };
    }
    return { key, versions, ...(deleted > 0 ? { deleted } : {}) };
}

/** The agent uploads when the session ends; this long after its task's latest end, a transcript may still arrive. */
export const UPLOAD_GRACE_MS = 15 * 60_000;
/** Clocks differ: the agent's event times may fall this far before CloudTrail's record of the session's start. */
const CLOCK_SKEW_MS = 60_000;

/** What logState knows of a session besides its stores. */
export interface SessionTimes {
    /** CloudTrail's record of the ExecuteCommand call. */
    start: Date;
    maxSessionHours: number;
    now: Date;
    /** How long the stores keep a transcript (unknown for outputs without it). */
    retentionDays?: number;
}

/**
 * The state of a session's transcript. A session cannot outlive its task, which stops itself `maxSessionHours`
 * after it starts, and starts before the session: so the session has ended, and its transcript been uploaded, by its
 * start plus that, plus the upload. Events outside that span were not the agent's. Past the retention, the log
 * group's retention and the bucket's lifecycle (a delete marker, then the version) remove a transcript as designed.
 */
export function logState(stream: StreamLog, copy: CopyLog | undefined, session: SessionTimes): LogState {
    const start = session.start.getTime();
    const latestEnd = start + session.maxSessionHours * 3_600_000 + UPLOAD_GRACE_MS;
    const expired = session.retentionDays !== undefined && session.now.getTime() >= start + session.retentionDays * 86_400_000;
    const outside = (time: string | undefined) => time !== undefined && (Date.parse(time) < start - CLOCK_SKEW_MS || Date.parse(time) > latestEnd);
    const overwritten = copy !== undefined && copy.versions > 1;
    const deleted = copy !== undefined && (copy.deleted ?? 0) > 0 && !expired;
    if (overwritten || deleted || outside(stream.firstEvent) || outside(stream.lastEvent)) {
        return "tampered";
    }
    if (stream.present && (copy === undefined || copy.versions === 1)) {
        return "complete";
    }
    return expired ? "expired" : session.now.getTime() < latestEnd ? "pending" : "missing";
}

/** A session's transcript in both stores (the bucket's where the stack has one), and what they say together. */
async function readSessionLog(ctx: AuditContext, sessionId: string, start: Date): Promise<SessionLog> {
    const bucket = ctx.outputs.transcriptBucketName;
    const [stream, copy] = await Promise.all([
        readStreamLog(ctx.logs, ctx.outputs.sessionLogGroupName, sessionId),
        bucket ? readCopyLog(ctx.s3, bucket, sessionId) : undefined,
    ]);
    const { maxSessionHours, logRetentionDays: retentionDays } = ctx.outputs;
    const state = logState(stream, copy, { start, maxSessionHours, retentionDays, now: new Date(ctx.now()) });
    return { ...stream, state, ...(copy ? { s3: copy } : {}) };
}

export interface AuditContext extends LookupClock {
    /** Made with one attempt per request: lookupRecords retries throttling itself. */
    cloudTrail: CloudTrailClient;
    logs: CloudWatchLogsClient;
    /** The transcripts' bucket, where the stack has one. */
    s3: S3Client;
    outputs: StackOutputs;
    progress: Progress;
    /** The oldest time CloudTrail's event history holds. */
    oldest: Date;
}

export async function audit(window: AuditWindow, ctx: AuditContext): Promise<AuditEntry[]> {
    const { clusterName } = ctx.outputs;
    const pace = new Pace(ctx);
    const lookup = <T>(eventName: "ExecuteCommand" | "RunTask" | "StartSession", inWindow: AuditWindow) =>
        lookupRecords<T>(ctx.cloudTrail, eventName, inWindow, ctx.progress, pace, ctx);
    const records = execCallsOnCluster(await lookup<ExecuteCommandRecord>("ExecuteCommand", window), clusterName);
    const sessions = sessionsOnCluster(await lookup<StartSessionRecord>("StartSession", window), clusterName);
    const reasons =
        records.length === 0 && sessions.length === 0
            ? new Map<string, TaskReason>()
            : taskReasons(await lookup<RunTaskRecord>("RunTask", runTaskWindow(window, ctx.outputs.maxSessionHours, ctx.oldest)), clusterName);
    const entries: AuditEntry[] = [];
    for (const [i, record] of records.entries()) {
        const sessionId = record.responseElements?.session?.sessionId;
        ctx.progress.update(`Reading session logs: ${i + 1}/${records.length}`, "Reading session logs");
        const log = sessionId ? await readSessionLog(ctx, sessionId, new Date(record.eventTime)) : undefined;
        entries.push(auditEntry(record, log, reasons));
    }
    ctx.progress.clear();
    // Stable: an ExecuteCommand call and a session of the same second keep the order above.
    return [...entries, ...sessions.map((record) => sessionEntry(record, clusterName, reasons))].sort((a, b) => a.time.localeCompare(b.time));
}

export type AuditFormat = "text" | "json" | "markdown";

const HEADERS = ["TIME", "WHO", "TASK", "REASON", "CONTAINER", "COMMAND", "OUTCOME", "SESSION LOG"];

/**
 * The command; an `ecs-exec run` as `run:` and the words it ran, `ecs-exec shell`'s default as the shell it chose
 * (the JSON record keeps the command as sent).
 */
function commandCell(command: string | undefined): string {
    const words = command === undefined ? undefined : unwrappedCommand(command);
    return words !== undefined ? `run: ${words}` : command === DEFAULT_SHELL ? "shell: bash, else sh" : command ?? "-";
}

/** The task's reason; "(none)" for a task started without one, "?" when its start is not in the history read. */
function reasonCell(entry: AuditEntry): string {
    return entry.reason === undefined ? "?" : entry.reason === null ? "(none)" : entry.reason;
}

function logCell(entry: AuditEntry): string {
    if (entry.event === "StartSession" && entry.sessionId) {
        return `${entry.sessionId}: ${entry.forwardsTo ? "no transcript (port forwarding)" : "not logged by ECS Exec"}`;
    }
    if (!entry.log) {
        return "-";
    }
    const { log } = entry;
    const span = log.firstEvent ? `, ${formatTime(new Date(log.firstEvent))} to ${formatTime(new Date(log.lastEvent!))}` : "";
    const stream = log.present ? `${log.stream}: ${log.bytes} bytes, ${log.events} events${span}` : `${log.stream}: no stream`;
    return log.state === "complete" ? stream : `${stream} [${logFinding(log)}]`;
}

/** Why a transcript is not complete, in the words an auditor acts on. */
function logFinding(log: SessionLog): string {
    switch (log.state) {
        case "tampered": {
            const versions = log.s3 && log.s3.versions > 1 ? [`${log.s3.versions} versions of the S3 copy`] : [];
            const deleted = log.s3?.deleted ? ["S3 copy deleted"] : [];
            const outside = versions.length + deleted.length === 0 ? ["stream events outside the session's time"] : [];
            return `TAMPERED: ${[...versions, ...deleted, ...outside].join(", ")}`;
        }
        case "missing":
            return `MISSING: ${[log.present ? [] : ["no stream"], log.s3?.versions === 0 ? ["no S3 copy"] : []].flat().join(", ")}`;
        case "expired":
            return "expired: older than the stores' retention";
        default:
            return "pending: the session may still be open or uploading";
    }
}

function row(entry: AuditEntry): string[] {
    return [
        formatTime(new Date(entry.time)),
        entry.who,
        entry.task ?? "-",
        reasonCell(entry),
        entry.container ?? "-",
        entry.event === "StartSession" ? sessionCommand(entry) : commandCell(entry.command),
        entry.outcome === "refused" ? `refused (${entry.errorCode})` : "allowed",
        logCell(entry),
    ];
}

/** What a StartSession asked for: the forwarding, or the session document (none: the default shell). */
function sessionCommand(entry: AuditEntry): string {
    return entry.forwardsTo ? `forward to ${entry.forwardsTo}` : `Session Manager ${entry.document ?? "default shell"}`;
}

function summary(all: AuditEntry[], window: AuditWindow, clusterName: string): string {
    const entries = all.filter((e) => e.event === "ExecuteCommand");
    const sessions = all.filter((e) => e.event === "StartSession");
    const refused = entries.filter((e) => e.outcome === "refused").length;
    const logs = entries.flatMap((e) => (e.log ? [e.log.state] : []));
    const states = LOG_STATES.map((state) => `${logs.filter((s) => s === state).length} ${state}`).join(", ");
    const opened = sessions.filter((e) => e.outcome === "allowed");
    const forwarding = opened.filter((e) => e.forwardsTo).length;
    return (
        `${entries.length} ExecuteCommand calls on ${clusterName} from ${formatTime(window.start)} to ${formatTime(window.end)}: ` +
        `${entries.length - refused} allowed, ${refused} refused; session logs: ${states}. ` +
        `${sessions.length} StartSession calls on its tasks: ${forwarding} port forwarding, ${opened.length - forwarding} other sessions ` +
        `(not logged by ECS Exec), ${sessions.length - opened.length} refused.`
    );
}

export function formatAudit(entries: AuditEntry[], format: AuditFormat, window: AuditWindow, clusterName: string): string {
    switch (format) {
        case "json":
            return JSON.stringify(entries, null, 2);
        case "markdown":
            return `${markdownTable(HEADERS, entries.map(row))}\n\n${summary(entries, window, clusterName)}`;
        case "text":
            return entries.length > 0
                ? `${textTable(HEADERS, entries.map(row))}\n\n${summary(entries, window, clusterName)}`
                : summary(entries, window, clusterName);
    }
}
