/**
 * `ecs-exec audit` against CloudTrail and CloudWatch Logs answers built from the fixture record: LookupEvents
 * returns each record as a JSON string (`CloudTrailEvent`), as CloudTrail does.
 */
import { strict as assert } from "assert";
import { CloudTrailClient, LookupEventsCommand } from "@aws-sdk/client-cloudtrail";
import { CloudWatchLogsClient, GetLogEventsCommand, OutputLogEvent } from "@aws-sdk/client-cloudwatch-logs";
import { ListObjectVersionsCommand, S3Client } from "@aws-sdk/client-s3";
import { mockClient } from "aws-sdk-client-mock";
import * as fs from "fs";
import * as path from "path";
import { audit, AuditEntry, ExecuteCommandRecord, formatAudit, logState, RunTaskRecord, StartSessionRecord } from "../../cli/audit";
import { DEFAULT_SHELL, wrappedCommand } from "../../cli/remoteCommand";
import { REASON, RUN_TASK_ID, runTaskEvent } from "../support/cloudTrail";
import { PROJECT_DIR } from "../../synth/synth";
import { AwsRequestError } from "../../cli/errors";
import { FakeAws } from "./support/fakeAws";
import type { StackOutputs } from "../../cli/outputs";
import { ALICE, capturedProgress, CREDENTIALS, FakeClock, OUTPUTS, REGION, rejects } from "./support/unit";

const fixture = JSON.parse(
    fs.readFileSync(path.join(PROJECT_DIR, "test", "fixtures", "cloudtrail", "execute-command-success.eventbridge.json"), "utf8"),
).detail as ExecuteCommandRecord & Record<string, any>;

const SESSION = fixture.responseElements!.session!.sessionId!;
/** `ecs-exec forward`'s StartSession (a fixture of this repository, see test/fixtures/README.md). */
const forwarding = JSON.parse(
    fs.readFileSync(path.join(PROJECT_DIR, "test", "fixtures", "cloudtrail", "start-session-port-forwarding.eventbridge.json"), "utf8"),
).detail as StartSessionRecord & Record<string, any>;
const WINDOW = { start: new Date("2026-03-13T12:00:00Z"), end: new Date("2026-03-14T12:00:00Z") };
/** CloudTrail's event history: 90 days back from the end of the window. */
const OLDEST = new Date(WINDOW.end.getTime() - 90 * 86_400_000);

/** The RunTask that started the fixture's task, with a reason (or the tags given). */
function started(time: string, tags?: { key: string; value: string }[], taskId = RUN_TASK_ID, cluster = "dev-ecs-exec"): RunTaskRecord {
    return runTaskEvent({ time, tags, taskId, cluster }).detail;
}

/** The fixture's call at another time, with another session (or refused). */
function call(time: string, sessionId: string | null, changes: Record<string, unknown> = {}): ExecuteCommandRecord {
    const record = structuredClone(fixture) as any;
    record.eventTime = time;
    if (sessionId === null) {
        delete record.responseElements;
        Object.assign(record, {
            errorCode: "AccessDenied",
            errorMessage: "User: arn:aws:sts::111122223333:assumed-role/AWSReservedSSO_Developer_0123456789abcdef/carol@example.com is not authorized to perform: ecs:ExecuteCommand",
        });
    } else {
        record.responseElements.session.sessionId = sessionId;
    }
    return Object.assign(record, changes);
}

const asEvent = (record: ExecuteCommandRecord | RunTaskRecord | StartSessionRecord) => ({
    EventName: record.eventName,
    EventSource: record.eventSource,
    EventTime: new Date(record.eventTime),
    CloudTrailEvent: JSON.stringify(record),
});

const logEvent = (time: string, message: string): OutputLogEvent => ({ timestamp: Date.parse(time), message });

/**
 * CloudTrail answering in pages of `pageSize` (newest first, as LookupEvents does), by event name and time window;
 * transcripts by stream name; each transcript's copy in the bucket with as many versions as `copies` says (none
 * unless it says).
 */
function accounts(
    records: (ExecuteCommandRecord | RunTaskRecord | StartSessionRecord)[],
    transcripts: Record<string, OutputLogEvent[][]>,
    {
        pageSize = 50,
        throttlesPerPage = 0,
        copies = {},
        outputs = OUTPUTS,
    }: { pageSize?: number; throttlesPerPage?: number; copies?: Record<string, number>; outputs?: StackOutputs } = {},
) {
    const cloudTrail = new CloudTrailClient({ region: REGION, credentials: CREDENTIALS });
    const logs = new CloudWatchLogsClient({ region: REGION, credentials: CREDENTIALS });
    const s3 = new S3Client({ region: REGION, credentials: CREDENTIALS });
    const trailMock = mockClient(cloudTrail);
    const logsMock = mockClient(logs);
    const s3Mock = mockClient(s3);
    const clock = new FakeClock();
    const newestFirst = [...records].sort((a, b) => b.eventTime.localeCompare(a.eventTime));
    /** When each LookupEvents request came, and how often each page was asked for. */
    const requestedAt: number[] = [];
    const asked = new Map<string, number>();
    trailMock.on(LookupEventsCommand).callsFake((input) => {
        requestedAt.push(clock.now());
        const page = `${input.LookupAttributes[0].AttributeValue} ${input.NextToken}`;
        asked.set(page, (asked.get(page) ?? 0) + 1);
        if (asked.get(page)! <= throttlesPerPage) {
            throw Object.assign(new Error("Rate exceeded"), { name: "ThrottlingException", $metadata: { httpStatusCode: 400 } });
        }
        const start = Number(input.NextToken ?? 0);
        const named = newestFirst.filter(
            (r) =>
                r.eventName === input.LookupAttributes[0].AttributeValue &&
                Date.parse(r.eventTime) >= input.StartTime.getTime() &&
                Date.parse(r.eventTime) <= input.EndTime.getTime(),
        );
        return {
            Events: named.slice(start, start + pageSize).map(asEvent),
            NextToken: start + pageSize < named.length ? String(start + pageSize) : undefined,
        };
    });
    logsMock.on(GetLogEventsCommand).callsFake((input) => {
        const pages = transcripts[input.logStreamName];
        if (!pages) {
            throw Object.assign(new Error("The specified log stream does not exist."), { name: "ResourceNotFoundException", $metadata: {} });
        }
        // Like CloudWatch Logs: a token per page, and past the last page no events and the token it was given.
        const index = input.nextToken ? Number(input.nextToken.slice(2)) : 0;
        return { events: pages[index] ?? [], nextForwardToken: `f/${Math.min(index + 1, pages.length)}` };
    });
    s3Mock.on(ListObjectVersionsCommand).callsFake((input) => {
        const versions = copies[input.Prefix.replace(/^sessions\/|\.log$/g, "")] ?? 0;
        return { Versions: Array.from({ length: versions }, (_, i) => ({ Key: input.Prefix, VersionId: `v${i}`, IsLatest: i === 0 })), IsTruncated: false };
    });
    const { progress, text } = capturedProgress(true);
    const run = () => audit(WINDOW, { cloudTrail, logs, s3, outputs, progress, oldest: OLDEST, now: clock.now, sleep: clock.sleep });
    return { trailMock, logsMock, s3Mock, run, progress: text, requestedAt };
}

describe("ecs-exec audit", () => {
    it("joins each allowed call to its transcript by session id: who, task, container, command, log size and span", async () => {
        const transcript = {
            [SESSION]: [
                [logEvent("2026-03-14T09:27:01Z", "Script started on 2026-03-14 09:27:01+00:00\n"), logEvent("2026-03-14T09:30:00Z", "# ls /app\n")],
                [logEvent("2026-03-14T09:41:12Z", "# exit\n")],
            ],
        };
        const { run, logsMock, s3Mock } = accounts([fixture], transcript, { copies: { [SESSION]: 1 } });
        const [entry] = await run();
        assert.deepEqual(entry, {
            event: "ExecuteCommand",
            time: "2026-03-14T09:26:53Z",
            who: "arn:aws:sts::111122223333:assumed-role/AWSReservedSSO_Developer_0123456789abcdef/alice@example.com",
            userId: "AROAEXAMPLEROLEID123:alice@example.com",
            sourceIp: "203.0.113.17",
            task: "0f8e9c1d2b3a4e5f60718293a4b5c6d7",
            container: "dev-ecs-exec",
            command: "/bin/bash",
            outcome: "allowed",
            errorCode: undefined,
            errorMessage: undefined,
            sessionId: SESSION,
            log: {
                stream: SESSION,
                present: true,
                bytes: 44 + 10 + 7,
                events: 3,
                firstEvent: "2026-03-14T09:27:01.000Z",
                lastEvent: "2026-03-14T09:41:12.000Z",
                state: "complete",
                s3: { key: `sessions/${SESSION}.log`, versions: 1 },
            },
        } satisfies AuditEntry);
        assert.deepEqual(
            s3Mock.commandCalls(ListObjectVersionsCommand).map((c) => c.args[0].input),
            [{ Bucket: OUTPUTS.transcriptBucketName, Prefix: `sessions/${SESSION}.log` }],
        );
        assert.deepEqual(
            logsMock.commandCalls(GetLogEventsCommand).map((c) => c.args[0].input),
            [
                { logGroupName: OUTPUTS.sessionLogGroupName, logStreamName: SESSION, startFromHead: true, nextToken: undefined },
                { logGroupName: OUTPUTS.sessionLogGroupName, logStreamName: SESSION, startFromHead: true, nextToken: "f/1" },
                { logGroupName: OUTPUTS.sessionLogGroupName, logStreamName: SESSION, startFromHead: true, nextToken: "f/2" },
            ],
        );
    });

    describe("the reason of each session's task", () => {
        it("is the Reason tag of the RunTask that started it, joined by task id, even hours before the window", async () => {
            const { run, trailMock } = accounts([fixture, started("2026-03-13T06:00:00Z")], {});
            const [entry] = await run();
            assert.equal(entry.task, RUN_TASK_ID);
            assert.equal(entry.reason, REASON);
            // An exec task lives at most maxSessionHours: its start is looked for that far before the window.
            const runTask = trailMock.commandCalls(LookupEventsCommand).map((c) => c.args[0].input).find((i) => i.LookupAttributes![0].AttributeValue === "RunTask")!;
            assert.deepEqual([runTask.StartTime, runTask.EndTime], [new Date(WINDOW.start.getTime() - OUTPUTS.maxSessionHours * 3_600_000), WINDOW.end]);
        });

        it("is null for a task started without one, and absent when no RunTask of the task is in the history", async () => {
            const none = accounts([fixture, started("2026-03-14T09:26:12Z", [{ key: "Owner", value: "AROAEXAMPLEROLEID123:alice@example.com" }])], {});
            assert.equal((await none.run())[0].reason, null);
            const unknown = accounts([fixture], {});
            assert.equal("reason" in (await unknown.run())[0], false);
        });

        it("comes from this cluster's task only, and is not looked up when there is no session", async () => {
            const elsewhere = accounts([fixture, started("2026-03-14T09:26:12Z", undefined, RUN_TASK_ID, "payments")], {});
            assert.equal("reason" in (await elsewhere.run())[0], false);
            const quiet = accounts([started("2026-03-14T09:26:12Z")], {});
            assert.deepEqual(await quiet.run(), []);
            const names = quiet.trailMock.commandCalls(LookupEventsCommand).map((c) => c.args[0].input.LookupAttributes![0].AttributeValue);
            assert.deepEqual(names, ["ExecuteCommand", "StartSession"], "no RunTask lookup");
        });
    });

    it("includes refused calls, with their error, and looks up no transcript for them", async () => {
        const { run, logsMock } = accounts([call("2026-03-14T10:00:00Z", null)], {});
        const [entry] = await run();
        assert.equal(entry.outcome, "refused");
        assert.equal(entry.errorCode, "AccessDenied");
        assert.match(entry.errorMessage!, /not authorized to perform: ecs:ExecuteCommand/);
        assert.equal(entry.sessionId, undefined);
        assert.equal(entry.log, undefined);
        assert.equal(logsMock.calls().length, 0);
    });

    it("reports a session whose transcript is in neither store yet as pending", async () => {
        const { run } = accounts([call("2026-03-14T11:00:00Z", "ecs-execute-command-nolog0000000000")], {});
        const [entry] = await run();
        assert.deepEqual(entry.log, {
            stream: "ecs-execute-command-nolog0000000000",
            present: false,
            state: "pending",
            s3: { key: "sessions/ecs-execute-command-nolog0000000000.log", versions: 0 },
        });
    });

    it("reads no bucket for a stack without one (outputs of a deployment older than it): the stream alone decides", async () => {
        const { transcriptBucketName, ...older } = OUTPUTS;
        const { run, s3Mock } = accounts([fixture], { [SESSION]: [[logEvent("2026-03-14T09:27:01Z", "hello\n")]] }, { outputs: older });
        const [entry] = await run();
        assert.equal(entry.log?.state, "complete");
        assert.equal(entry.log && "s3" in entry.log, false);
        assert.equal(s3Mock.calls().length, 0, transcriptBucketName);
    });

    it("asks CloudTrail for ExecuteCommand in the window, reads every page, and lists the calls oldest first", async () => {
        const records = Array.from({ length: 120 }, (_, i) =>
            call(new Date(WINDOW.start.getTime() + i * 60_000).toISOString(), null),
        );
        const { run, trailMock, progress } = accounts(records, {}, { pageSize: 50 });
        const entries = await run();
        assert.equal(entries.length, 120);
        assert.deepEqual(entries.map((e) => e.time), records.map((r) => r.eventTime));
        const inputs = trailMock.commandCalls(LookupEventsCommand).map((c) => c.args[0].input);
        assert.deepEqual(
            inputs.map((i) => [i.LookupAttributes![0].AttributeValue, i.NextToken]).filter(([name]) => name !== "RunTask"),
            [["ExecuteCommand", undefined], ["ExecuteCommand", "50"], ["ExecuteCommand", "100"], ["StartSession", undefined]],
        );
        for (const input of inputs.filter((i) => i.LookupAttributes![0].AttributeValue !== "RunTask")) {
            assert.deepEqual(input.LookupAttributes![0].AttributeKey, "EventName");
            assert.deepEqual([input.StartTime, input.EndTime], [WINDOW.start, WINDOW.end]);
        }
        assert.match(progress(), /Reading CloudTrail: page 3, 120 ExecuteCommand calls/);
    });

    describe("at account scale: CloudTrail answers LookupEvents 2 times a second per account and region", () => {
        const records = Array.from({ length: 120 }, (_, i) => call(new Date(WINDOW.start.getTime() + i * 60_000).toISOString(), null));

        it("asks at most 2 times a second, and reads every page when each is throttled 3 times before it is answered", async () => {
            const { run, trailMock, requestedAt, progress } = accounts(records, {}, { pageSize: 50, throttlesPerPage: 3 });
            const entries = await run();
            assert.equal(entries.length, 120);
            assert.deepEqual(entries.map((e) => e.time), records.map((r) => r.eventTime));
            const asked = trailMock.commandCalls(LookupEventsCommand).map((c) => `${c.args[0].input.LookupAttributes![0].AttributeValue} ${c.args[0].input.NextToken}`);
            // Each page asked again, never the pages before it: 3 ExecuteCommand pages, StartSession's, RunTask's.
            const pages = ["ExecuteCommand undefined", "ExecuteCommand 50", "ExecuteCommand 100", "StartSession undefined", "RunTask undefined"];
            assert.deepEqual(asked, pages.flatMap((page) => [page, page, page, page]));
            const gaps = requestedAt.slice(1).map((at, i) => at - requestedAt[i]);
            assert.ok(gaps.every((gap) => gap >= 500), `${gaps}`);
            assert.match(progress(), /Reading CloudTrail: page 2 of ExecuteCommand ThrottlingException, asking again in 4s/);
        });

        it("gives up on a page CloudTrail keeps throttling: exit 1, naming the call", async () => {
            const { run } = accounts(records, {}, { pageSize: 50, throttlesPerPage: 100 });
            const error = await rejects(run(), AwsRequestError);
            assert.equal(error.message, "cloudtrail:LookupEvents failed: ThrottlingException: Rate exceeded");
        });
    });

    it("keeps only ECS calls on this stack's cluster (by name or ARN)", async () => {
        const byArn = call("2026-03-14T10:00:00Z", null, {
            requestParameters: { ...fixture.requestParameters, cluster: "arn:aws:ecs:us-east-1:111122223333:cluster/dev-ecs-exec" },
        });
        const otherCluster = call("2026-03-14T10:01:00Z", null, { requestParameters: { ...fixture.requestParameters, cluster: "payments" } });
        const otherSource = call("2026-03-14T10:02:00Z", null, { eventSource: "ssm.amazonaws.com" });
        const { run } = accounts([byArn, otherCluster, otherSource], {});
        assert.deepEqual((await run()).map((e) => e.time), ["2026-03-14T10:00:00Z"]);
    });

    describe("Session Manager sessions straight to the cluster's tasks", () => {
        /** The fixture's StartSession changed: another time, document or outcome. */
        const session = (time: string, changes: Record<string, unknown> = {}): StartSessionRecord =>
            Object.assign(structuredClone(forwarding), { eventTime: time }, changes);

        it("lists ecs-exec forward's port forwarding: who, task, where to, session, and no transcript to look up", async () => {
            const { run, logsMock } = accounts([session("2026-03-14T10:12:31Z", { requestParameters: { ...forwarding.requestParameters, reason: "INC-42" } })], {});
            assert.deepEqual(await run(), [
                {
                    event: "StartSession",
                    time: "2026-03-14T10:12:31Z",
                    who: "arn:aws:sts::111122223333:assumed-role/AWSReservedSSO_Developer_0123456789abcdef/alice@example.com",
                    userId: "AROAEXAMPLEROLEID123:alice@example.com",
                    sourceIp: "203.0.113.17",
                    task: "0f8e9c1d2b3a4e5f60718293a4b5c6d7",
                    outcome: "allowed",
                    errorCode: undefined,
                    errorMessage: undefined,
                    sessionId: "alice@example.com-0d2b6f1a9c3e5b7d4",
                    document: "AWS-StartPortForwardingSessionToRemoteHost",
                    forwardsTo: "orders-db.dev.example.com:5432",
                    reason: "INC-42",
                } satisfies AuditEntry,
            ]);
            assert.equal(logsMock.calls().length, 0);
        });

        it("lists other sessions (a default shell) and refused ones, and only those on this cluster's tasks", async () => {
            const shell = session("2026-03-14T10:20:00Z", { requestParameters: { target: forwarding.requestParameters!.target } });
            const refused = session("2026-03-14T10:21:00Z", {
                responseElements: null,
                errorCode: "AccessDenied",
                errorMessage: "User: arn:aws:sts::111122223333:assumed-role/AWSReservedSSO_Developer_0123456789abcdef/alice@example.com is not authorized to perform: ssm:StartSession",
            });
            const otherCluster = session("2026-03-14T10:22:00Z", {
                requestParameters: { ...forwarding.requestParameters, target: "ecs:payments_0f8e9c1d2b3a4e5f60718293a4b5c6d7_0f8e-1" },
            });
            const instance = session("2026-03-14T10:23:00Z", { requestParameters: { target: "i-0123456789abcdef0" } });
            const { run } = accounts([shell, refused, otherCluster, instance], {});
            const entries = await run();
            assert.deepEqual(entries.map((e) => [e.time, e.outcome, e.document, e.forwardsTo]), [
                ["2026-03-14T10:20:00Z", "allowed", undefined, undefined],
                ["2026-03-14T10:21:00Z", "refused", "AWS-StartPortForwardingSessionToRemoteHost", "orders-db.dev.example.com:5432"],
            ]);
        });
    });

    describe("output", () => {
        let entries: AuditEntry[];
        before(async () => {
            const { run } = accounts(
                [
                    fixture,
                    started("2026-03-14T09:26:12Z"),
                    call("2026-03-14T10:00:00Z", null),
                    forwarding,
                    call("2026-03-14T11:00:00Z", "ecs-execute-command-nolog0000000000"),
                    Object.assign(structuredClone(forwarding), { eventTime: "2026-03-14T11:30:00Z", requestParameters: { target: forwarding.requestParameters!.target } }),
                ],
                { [SESSION]: [[logEvent("2026-03-14T09:27:01Z", "hello\n")]] },
                { copies: { [SESSION]: 1 } },
            );
            entries = await run();
        });

        it("as a table, with a summary of allowed and refused calls and of their logs' states", () => {
            const lines = formatAudit(entries, "text", WINDOW, OUTPUTS.clusterName).split("\n");
            assert.match(lines[0], /^TIME\s+WHO\s+TASK\s+REASON\s+CONTAINER\s+COMMAND\s+OUTCOME\s+SESSION LOG$/);
            assert.match(lines[1], /^2026-03-14 09:26:53Z .*alice@example.com +0f8e9c1d2b3a4e5f60718293a4b5c6d7 +INC-4711 restore the orders of 2026-03-13 +dev-ecs-exec .* allowed\s+ecs-execute-command-0a1b2c3d4e5f6a7b8: 6 bytes, 1 events, 2026-03-14 09:27:01Z to 2026-03-14 09:27:01Z$/);
            assert.match(lines[2], /refused \(AccessDenied\)\s+-$/);
            assert.match(lines[3], /^2026-03-14 10:12:31Z .* 0f8e9c1d2b3a4e5f60718293a4b5c6d7 +INC-4711 restore the orders of 2026-03-13 +- +forward to orders-db\.dev\.example\.com:5432 +allowed +alice@example\.com-0d2b6f1a9c3e5b7d4: no transcript \(port forwarding\)$/);
            assert.match(lines[4], /ecs-execute-command-nolog0000000000: no stream \[pending: the session may still be open or uploading\]$/);
            assert.match(lines[5], / Session Manager default shell +allowed +alice@example\.com-0d2b6f1a9c3e5b7d4: not logged by ECS Exec$/);
            assert.equal(
                lines.at(-1),
                "3 ExecuteCommand calls on dev-ecs-exec from 2026-03-13 12:00:00Z to 2026-03-14 12:00:00Z: 2 allowed, 1 refused; " +
                    "session logs: 1 complete, 1 pending, 0 missing, 0 tampered, 0 expired. " +
                    "2 StartSession calls on its tasks: 1 port forwarding, 1 other sessions (not logged by ECS Exec), 0 refused.",
            );
        });

        it("shows an ecs-exec run by the words it ran, not its status wrapper", () => {
            const wrapped = { ...entries[0], command: wrappedCommand(["bin/rails", "db:migrate:status"], "0123abcd") };
            const [, row] = formatAudit([wrapped], "text", WINDOW, OUTPUTS.clusterName).split("\n");
            assert.match(row, / run: 'bin\/rails' 'db:migrate:status' +allowed/);
        });

        it("shows ecs-exec shell's default command as the shell it chooses in the container", () => {
            const [, row] = formatAudit([{ ...entries[0], command: DEFAULT_SHELL }], "text", WINDOW, OUTPUTS.clusterName).split("\n");
            assert.match(row, / shell: bash, else sh +allowed/);
        });

        it("as JSON records", () => {
            assert.deepEqual(JSON.parse(formatAudit(entries, "json", WINDOW, OUTPUTS.clusterName)), JSON.parse(JSON.stringify(entries)));
        });

        it("as a Markdown table", () => {
            const lines = formatAudit(entries, "markdown", WINDOW, OUTPUTS.clusterName).split("\n");
            assert.equal(lines[0], "| TIME | WHO | TASK | REASON | CONTAINER | COMMAND | OUTCOME | SESSION LOG |");
            assert.equal(lines[1], "| --- | --- | --- | --- | --- | --- | --- | --- |");
            assert.equal(lines.length, 2 + 5 + 2);
        });

        it("says so when the window holds no call", () => {
            assert.equal(
                formatAudit([], "text", WINDOW, OUTPUTS.clusterName),
                "0 ExecuteCommand calls on dev-ecs-exec from 2026-03-13 12:00:00Z to 2026-03-14 12:00:00Z: 0 allowed, 0 refused; " +
                    "session logs: 0 complete, 0 pending, 0 missing, 0 tampered, 0 expired. " +
                    "0 StartSession calls on its tasks: 0 port forwarding, 0 other sessions (not logged by ECS Exec), 0 refused.",
            );
        });
    });
});

describe("ecs-exec audit against the local stand-in (the real SDK, CloudTrail's, CloudWatch Logs' and S3's wire protocols)", () => {
    /** Runs audit against the stand-in, its clock at `now`. */
    async function auditAt(aws: FakeAws, window: { start: Date; end: Date }, now: Date, outputs: StackOutputs = OUTPUTS) {
        const clients = { region: REGION, credentials: CREDENTIALS, endpoint: aws.url };
        const clock = new FakeClock();
        clock.time = now.getTime();
        const { progress } = capturedProgress();
        return audit(window, {
            // One attempt per request, as main makes the client: the retries are audit's own.
            cloudTrail: new CloudTrailClient({ ...clients, maxAttempts: 1 }),
            logs: new CloudWatchLogsClient(clients),
            s3: new S3Client(clients),
            outputs,
            progress,
            oldest: OLDEST,
            now: clock.now,
            sleep: clock.sleep,
        });
    }

    it("completes with every page when LookupEvents is throttled 3 times per page (ThrottlingException)", async () => {
        const records = Array.from({ length: 120 }, (_, i) => call(new Date(WINDOW.start.getTime() + i * 60_000).toISOString().replace(/\.\d{3}Z$/, "Z"), null));
        const aws = await new FakeAws({ cluster: OUTPUTS.clusterName, family: OUTPUTS.taskDefinitionFamily, container: OUTPUTS.containerName, userId: ALICE, trail: records.map((r) => ({ ...r })), throttlesPerPage: 3 }).start();
        try {
            const entries = await auditAt(aws, WINDOW, WINDOW.end);
            assert.deepEqual(entries.map((e) => e.time), records.map((r) => r.eventTime));
            // ExecuteCommand's 3 pages, StartSession's and RunTask's: each asked 4 times.
            assert.equal(aws.callsOf("LookupEvents").length, 5 * 4);
        } finally {
            await aws.stop();
        }
    });

    describe("log.state: what the log group and the write-once copy say together", () => {
        const at = (time: string) => ({ timestamp: Date.parse(time), message: `at ${time}\n` });
        const NOW = new Date("2026-03-14T12:00:00Z");
        /** Each session: when it started, and what the stores hold of it. */
        const sessions: Record<string, { start: string; stream?: { timestamp: number; message: string }[]; copies?: number; deleted?: boolean }> = {
            complete: { start: "2026-03-14T09:00:00Z", stream: [at("2026-03-14T09:00:05Z"), at("2026-03-14T09:12:00Z")], copies: 1 },
            // Less than maxSessionHours and the upload's grace ago: it may still be open.
            "pending-open": { start: "2026-03-14T11:00:00Z" },
            "missing-neither": { start: "2026-03-13T13:00:00Z" },
            // A stream written with the task role, and the session's worker killed before the agent's upload.
            "missing-no-copy": { start: "2026-03-13T14:00:00Z", stream: [at("2026-03-13T14:00:05Z")] },
            // An object put before the agent's upload: versioning keeps both.
            "tampered-versions": { start: "2026-03-13T15:00:00Z", stream: [at("2026-03-13T15:00:05Z")], copies: 2 },
            // A stream created an hour before the session, with lines of its own.
            "tampered-outside": { start: "2026-03-13T16:00:00Z", stream: [at("2026-03-13T15:00:00Z"), at("2026-03-13T16:00:05Z")], copies: 1 },
            "tampered-deleted": { start: "2026-03-13T17:00:00Z", stream: [at("2026-03-13T17:00:05Z")], copies: 1, deleted: true },
            // Past the 30 days of retention: the log group's retention and the bucket's lifecycle removed it.
            "expired-gone": { start: "2026-02-05T10:00:00Z" },
            "expired-lifecycle": { start: "2026-02-06T10:00:00Z", copies: 1, deleted: true },
        };
        const WIDE = { start: new Date("2026-02-01T00:00:00Z"), end: NOW };
        const outputs = { ...OUTPUTS, logRetentionDays: 30 };
        let entries: AuditEntry[];

        before(async () => {
            const id = (name: string) => `ecs-execute-command-${name}`;
            const trail = Object.entries(sessions).map(([name, { start }]) => ({ ...call(start, id(name)) }));
            const aws = await new FakeAws({
                cluster: OUTPUTS.clusterName,
                family: OUTPUTS.taskDefinitionFamily,
                container: OUTPUTS.containerName,
                userId: ALICE,
                trail,
                transcriptBucket: OUTPUTS.transcriptBucketName,
            }).start();
            try {
                for (const [name, { stream, copies = 0, deleted }] of Object.entries(sessions)) {
                    if (stream) {
                        aws.addStream(id(name), stream);
                    }
                    Array.from({ length: copies }).forEach(() => aws.putCopy(id(name), 120));
                    if (deleted) {
                        aws.deleteCopy(id(name));
                    }
                }
                entries = await auditAt(aws, WIDE, NOW, outputs);
            } finally {
                await aws.stop();
            }
        });

        it("is each session's state, by both stores, the session's time and the retention", () => {
            assert.deepEqual(
                Object.fromEntries(entries.map((e) => [e.sessionId!.replace("ecs-execute-command-", ""), e.log!.state])),
                Object.fromEntries(Object.keys(sessions).map((name) => [name, name.split("-")[0]])),
            );
        });

        it("carries each copy's key and versions in the JSON records", () => {
            const json = JSON.parse(formatAudit(entries, "json", WIDE, OUTPUTS.clusterName)) as AuditEntry[];
            const copy = (name: string) => json.find((e) => e.sessionId === `ecs-execute-command-${name}`)!.log!.s3;
            assert.deepEqual(copy("complete"), { key: "sessions/ecs-execute-command-complete.log", versions: 1 });
            assert.deepEqual(copy("tampered-versions"), { key: "sessions/ecs-execute-command-tampered-versions.log", versions: 2 });
            assert.deepEqual(copy("tampered-deleted"), { key: "sessions/ecs-execute-command-tampered-deleted.log", versions: 1, deleted: 1 });
            assert.deepEqual(copy("missing-neither"), { key: "sessions/ecs-execute-command-missing-neither.log", versions: 0 });
        });

        it("flags each row that is not complete in the text output, and counts each state in the summary", () => {
            const lines = formatAudit(entries, "text", WIDE, OUTPUTS.clusterName).split("\n");
            const row = (name: string) => lines.find((line) => line.includes(`ecs-execute-command-${name}:`))!;
            assert.match(row("complete"), /ecs-execute-command-complete: \d+ bytes, 2 events, 2026-03-14 09:00:05Z to 2026-03-14 09:12:00Z$/);
            assert.match(row("pending-open"), /: no stream \[pending: the session may still be open or uploading\]$/);
            assert.match(row("missing-neither"), /: no stream \[MISSING: no stream, no S3 copy\]$/);
            assert.match(row("missing-no-copy"), /: \d+ bytes, 1 events, .* \[MISSING: no S3 copy\]$/);
            assert.match(row("tampered-versions"), /\[TAMPERED: 2 versions of the S3 copy\]$/);
            assert.match(row("tampered-outside"), /\[TAMPERED: stream events outside the session's time\]$/);
            assert.match(row("tampered-deleted"), /\[TAMPERED: S3 copy deleted\]$/);
            assert.match(row("expired-gone"), /: no stream \[expired: older than the stores' retention\]$/);
            assert.match(lines.at(-1)!, /: 9 allowed, 0 refused; session logs: 1 complete, 1 pending, 2 missing, 3 tampered, 2 expired\. /);
        });
    });
});

describe("logState's bounds", () => {
    const start = new Date("2026-03-14T09:00:00Z");
    const times = (now: string) => ({ start, maxSessionHours: 8, now: new Date(now) });
    const stream = (first: string, last = first) => ({ stream: "s", present: true, bytes: 1, events: 2, firstEvent: first, lastEvent: last });
    const one = { key: "sessions/s.log", versions: 1 };

    it("allows the agent's clock a minute before CloudTrail's, and no more", () => {
        assert.equal(logState(stream("2026-03-14T08:59:01Z"), one, times("2026-03-14T10:00:00Z")), "complete");
        assert.equal(logState(stream("2026-03-14T08:58:59Z"), one, times("2026-03-14T10:00:00Z")), "tampered");
    });

    it("takes events up to maxSessionHours and the upload's 15 minutes after the start as the agent's", () => {
        assert.equal(logState(stream("2026-03-14T09:00:05Z", "2026-03-14T17:15:00Z"), one, times("2026-03-15T00:00:00Z")), "complete");
        assert.equal(logState(stream("2026-03-14T09:00:05Z", "2026-03-14T17:15:01Z"), one, times("2026-03-15T00:00:00Z")), "tampered");
    });

    it("holds a lacking store pending until then, and missing after", () => {
        const none = { stream: "s", present: false };
        const noCopy = { key: "sessions/s.log", versions: 0 };
        assert.equal(logState(none, noCopy, times("2026-03-14T17:14:59Z")), "pending");
        assert.equal(logState(none, noCopy, times("2026-03-14T17:15:00Z")), "missing");
        assert.equal(logState(stream("2026-03-14T09:00:05Z"), noCopy, times("2026-03-14T17:15:00Z")), "missing");
        assert.equal(logState(none, one, times("2026-03-14T17:15:00Z")), "missing");
    });

    it("counts a delete as tampering within the retention, and as the bucket's lifecycle after it", () => {
        const deleted = { key: "sessions/s.log", versions: 1, deleted: 1 };
        const retained = { ...times("2026-04-13T08:59:59Z"), retentionDays: 30 };
        assert.equal(logState({ stream: "s", present: false }, deleted, retained), "tampered");
        assert.equal(logState({ stream: "s", present: false }, deleted, { ...retained, now: new Date("2026-04-13T09:00:00Z") }), "expired");
    });
});
