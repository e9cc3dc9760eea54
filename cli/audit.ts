/**
 * `ecs-exec audit`: every ExecuteCommand call on the stack's cluster in a time window, from CloudTrail, refused
 * ones included, each joined to its session transcript by session id (the log stream's name). The join is exact:
 * the CloudTrail record names the caller and the session, the transcript is filed under that session.
 */
import { CloudTrailClient, LookupEventsCommand } from "@aws-sdk/client-cloudtrail";
import { CloudWatchLogsClient, GetLogEventsCommand } from "@aws-sdk/client-cloudwatch-logs";
import { awsCall, translateAwsError } from "./aws";
import { formatTime, markdownTable, textTable } from "./format";
import type { StackOutputs } from "./outputs";
import type { Progress } from "./progress";
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

export interface SessionLog {
    stream: string;
    present: boolean;
    bytes?: number;
    events?: number;
    firstEvent?: string;
    lastEvent?: string;
}

export interface AuditEntry {
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
    /** Only for allowed calls: a refused call opened no session. */
    log?: SessionLog;
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

export function auditEntry(record: ExecuteCommandRecord, log: SessionLog | undefined): AuditEntry {
    const request = record.requestParameters ?? {};
    return {
        time: record.eventTime,
        who: record.userIdentity.arn ?? record.userIdentity.principalId ?? "(unknown)",
        userId: record.userIdentity.principalId,
        sourceIp: record.sourceIPAddress,
        task: request.task && taskId(request.task),
        container: request.container,
        command: request.command,
        outcome: record.errorCode ? "refused" : "allowed",
        errorCode: record.errorCode,
        errorMessage: record.errorMessage,
        sessionId: record.responseElements?.session?.sessionId,
        log,
    };
}

/** CloudTrail's LookupEvents, every page, ExecuteCommand events only (the API filters by one attribute). */
export async function lookupExecuteCommandRecords(
    cloudTrail: CloudTrailClient,
    window: AuditWindow,
    progress: Progress,
): Promise<ExecuteCommandRecord[]> {
    const records: ExecuteCommandRecord[] = [];
    let nextToken: string | undefined;
    let page = 0;
    do {
        const response = await awsCall("cloudtrail:LookupEvents", () =>
            cloudTrail.send(
                new LookupEventsCommand({
                    LookupAttributes: [{ AttributeKey: "EventName", AttributeValue: "ExecuteCommand" }],
                    StartTime: window.start,
                    EndTime: window.end,
                    NextToken: nextToken,
                }),
            ),
        );
        for (const event of response.Events ?? []) {
            if (event.CloudTrailEvent) {
                records.push(JSON.parse(event.CloudTrailEvent) as ExecuteCommandRecord);
            }
        }
        nextToken = response.NextToken;
        page++;
        progress.update(`Reading CloudTrail: page ${page}, ${records.length} ExecuteCommand calls`, "Reading CloudTrail");
    } while (nextToken);
    return records;
}

/** Size and time span of a session's transcript, or `present: false` when its log stream does not exist. */
export async function readSessionLog(logs: CloudWatchLogsClient, logGroupName: string, sessionId: string): Promise<SessionLog> {
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

export interface AuditContext {
    cloudTrail: CloudTrailClient;
    logs: CloudWatchLogsClient;
    outputs: StackOutputs;
    progress: Progress;
}

export async function audit(window: AuditWindow, ctx: AuditContext): Promise<AuditEntry[]> {
    const records = execCallsOnCluster(
        await lookupExecuteCommandRecords(ctx.cloudTrail, window, ctx.progress),
        ctx.outputs.clusterName,
    );
    const entries: AuditEntry[] = [];
    for (const [i, record] of records.entries()) {
        const sessionId = record.responseElements?.session?.sessionId;
        ctx.progress.update(`Reading session logs: ${i + 1}/${records.length}`, "Reading session logs");
        const log = sessionId ? await readSessionLog(ctx.logs, ctx.outputs.sessionLogGroupName, sessionId) : undefined;
        entries.push(auditEntry(record, log));
    }
    ctx.progress.clear();
    return entries;
}

export type AuditFormat = "text" | "json" | "markdown";

const HEADERS = ["TIME", "WHO", "TASK", "CONTAINER", "COMMAND", "OUTCOME", "SESSION LOG"];

function logCell(entry: AuditEntry): string {
    if (!entry.log) {
        return "-";
    }
    if (!entry.log.present) {
        return `${entry.log.stream}: missing`;
    }
    const span = entry.log.firstEvent
        ? `, ${formatTime(new Date(entry.log.firstEvent))} to ${formatTime(new Date(entry.log.lastEvent!))}`
        : "";
    return `${entry.log.stream}: ${entry.log.bytes} bytes, ${entry.log.events} events${span}`;
}

function row(entry: AuditEntry): string[] {
    return [
        formatTime(new Date(entry.time)),
        entry.who,
        entry.task ?? "-",
        entry.container ?? "-",
        entry.command ?? "-",
        entry.outcome === "refused" ? `refused (${entry.errorCode})` : "allowed",
        logCell(entry),
    ];
}

function summary(entries: AuditEntry[], window: AuditWindow, clusterName: string): string {
    const refused = entries.filter((e) => e.outcome === "refused").length;
    const missing = entries.filter((e) => e.log && !e.log.present).length;
    return (
        `${entries.length} ExecuteCommand calls on ${clusterName} from ${formatTime(window.start)} to ${formatTime(window.end)}: ` +
        `${entries.length - refused} allowed, ${refused} refused; ${missing} session logs missing.`
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
