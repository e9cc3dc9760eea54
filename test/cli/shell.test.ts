import { strict as assert } from "assert";
import {
    DescribeTasksCommand,
    ExecuteCommandCommand,
    ListTasksCommand,
    RunTaskCommand,
    StopTaskCommand,
} from "@aws-sdk/client-ecs";
import { ListObjectsV2Command } from "@aws-sdk/client-s3";
import { DescribeLogStreamsCommand } from "@aws-sdk/client-cloudwatch-logs";
import { DescribeSessionsCommand } from "@aws-sdk/client-ssm";
import { GetCallerIdentityCommand } from "@aws-sdk/client-sts";
import { runTaskRequest } from "../../components/config";
import {
    CredentialsError,
    InterruptedError,
    PermissionError,
    PluginMissingError,
    SessionError,
    TaskNotReadyError,
} from "../../cli/errors";
import { shell, ShellOptions } from "../../cli/shell";
import {
    ALICE,
    BOB,
    capturedProgress,
    FakeClock,
    FakePlugin,
    FakeSignals,
    FakeTerminal,
    mockedEcs,
    mockedTranscriptStores,
    mockedSsm,
    mockedSts,
    OUTPUTS,
    OWN_TASK_DEFAULTS,
    REGION,
    rejects,
    SlowSink,
    task,
    taskArn,
    TEST_TIMING,
} from "./support/unit";

const NEW_TASK = "0f8e9c1d2b3a4e5f60718293a4b5c6d7";
const SESSION = {
    sessionId: "ecs-execute-command-0a1b2c3d4e5f6a7b8",
    streamUrl: "wss://ssmmessages.us-east-1.amazonaws.com/v1/data-channel/ecs-execute-command-0a1b2c3d4e5f6a7b8?role=publish_subscribe&cell-number=AAEAAQ",
    tokenValue: "HIDDEN_DUE_TO_SECURITY_REASONS",
};

/**
 * A shell run against mocked ECS, STS, SSM and Logs: by default no task of mine runs, a started task is ready at once,
 * no other session uses it, and a session's transcript has arrived when the shell ends. The shell's stdout is a pipe
 * (the plugin's output passes through the tool) unless `stdoutIsTerminal`.
 */
function setUp(options: Partial<ShellOptions> = {}, { stdoutIsTerminal = false } = {}) {
    const { ecs, ecsMock } = mockedEcs();
    const { sts, stsMock } = mockedSts();
    const { ssm, ssmMock } = mockedSsm();
    const { logs, logsMock, s3, s3Mock } = mockedTranscriptStores();
    const plugin = new FakePlugin();
    const signals = new FakeSignals();
    const terminal = new FakeTerminal();
    const clock = new FakeClock();
    const stdout = new SlowSink(false);
    const { progress, text } = capturedProgress();
    ecsMock.on(ListTasksCommand).resolves({ taskArns: [] });
    ecsMock.on(RunTaskCommand).resolves({ tasks: [task(NEW_TASK, { status: "PROVISIONING", owner: ALICE })], failures: [] });
    ecsMock.on(DescribeTasksCommand).resolves({ tasks: [task(NEW_TASK, { owner: ALICE, startedAt: new Date() })] });
    ecsMock.on(ExecuteCommandCommand).callsFake((input) => ({
        clusterArn: `arn:aws:ecs:${REGION}:111122223333:cluster/${OUTPUTS.clusterName}`,
        containerName: input.container,
        taskArn: input.task,
        interactive: true,
        session: SESSION,
    }));
    ecsMock.on(StopTaskCommand).resolves({});
    const run = () =>
        shell(
            { command: "/bin/bash", ...OWN_TASK_DEFAULTS, ...options },
            {
                ecs,
                sts,
                ssm,
                logs,
                s3,
                outputs: OUTPUTS,
                profile: "",
                plugin,
                signals,
                progress,
                startedAt: clock.now(),
                // Each reading of the clock moves it on 5 s: waits and timeouts are counted without waiting.
                now: () => (clock.time += 5000),
                sleep: clock.sleep,
                ...TEST_TIMING,
                stdout: Object.assign(stdout, { isTTY: stdoutIsTerminal }),
                terminal,
            },
        );
    const stopped = () => ecsMock.commandCalls(StopTaskCommand).map((c) => c.args[0].input.task);
    return { ecs, ecsMock, stsMock, ssmMock, logsMock, s3Mock, plugin, signals, terminal, clock, stdout, text, run, stopped };
}

describe("ecs-exec shell", () => {
    it("starts the exec task with exactly the RunTask the developer policy allows: Owner = my userid, no other tag", async () => {
        const t = setUp();
        assert.equal(await t.run(), 0);
        const input = t.ecsMock.commandCalls(RunTaskCommand)[0].args[0].input;
        assert.deepEqual(
            input,
            runTaskRequest(
                {
                    cluster: OUTPUTS.clusterName,
                    taskFamily: OUTPUTS.taskDefinitionFamily,
                    subnetIds: OUTPUTS.subnetIds,
                    securityGroupId: OUTPUTS.securityGroupId,
                    assignPublicIp: OUTPUTS.assignPublicIp,
                },
                ALICE,
            ),
        );
        assert.deepEqual(input.tags, [{ key: "Owner", value: ALICE }]);
        for (const forbidden of ["propagateTags", "enableECSManagedTags", "overrides"]) {
            assert.ok(!(forbidden in input), `${forbidden} would be refused or ignored`);
        }
    });

    it("waits, with progress, until the task and its exec agent run, then opens the session as the AWS CLI does", async () => {
        const t = setUp();
        t.ecsMock
            .on(DescribeTasksCommand)
            .resolvesOnce({ tasks: [task(NEW_TASK, { status: "PENDING" })] })
            .resolvesOnce({ tasks: [task(NEW_TASK, { status: "RUNNING", agent: "PENDING" })] })
            .resolves({ tasks: [task(NEW_TASK, { status: "RUNNING", startedAt: new Date() })] });
        assert.equal(await t.run(), 0);
        assert.match(t.text(), /Waiting for exec task 0f8e9c1d2b3a4e5f60718293a4b5c6d7: PROVISIONING\n.*: PENDING\n.*: RUNNING, exec agent PENDING\n/);
        assert.deepEqual(t.ecsMock.commandCalls(ExecuteCommandCommand)[0].args[0].input, {
            cluster: OUTPUTS.clusterName,
            task: taskArn(NEW_TASK),
            container: OUTPUTS.containerName,
            interactive: true,
            command: "/bin/bash",
        });
        assert.deepEqual(t.plugin.started, [
            '{"sessionId": "ecs-execute-command-0a1b2c3d4e5f6a7b8", "streamUrl": "wss://ssmmessages.us-east-1.amazonaws.com/v1/data-channel/ecs-execute-command-0a1b2c3d4e5f6a7b8?role=publish_subscribe&cell-number=AAEAAQ", "tokenValue": "HIDDEN_DUE_TO_SECURITY_REASONS"}',
            REGION,
            "StartSession",
            "",
            `{"Target": "ecs:${OUTPUTS.clusterName}_${NEW_TASK}_${NEW_TASK}-1527056392"}`,
            `https://ecs.${REGION}.amazonaws.com`,
        ]);
        assert.match(t.text(), /Shell ready in \d+\.\d s \(ecs-execute-command-0a1b2c3d4e5f6a7b8\)/);
    });

    it("stops the task it started when the shell ends", async () => {
        const t = setUp();
        assert.equal(await t.run(), 0);
        assert.deepEqual(t.ecsMock.commandCalls(StopTaskCommand)[0].args[0].input, {
            cluster: OUTPUTS.clusterName,
            task: taskArn(NEW_TASK),
            reason: "ecs-exec shell ended",
        });
        assert.match(t.text(), /Stopped exec task 0f8e9c1d2b3a4e5f60718293a4b5c6d7\.\n$/);
    });

    it("leaves the task running with --keep, and says until when it lives", async () => {
        const t = setUp({ keep: true });
        t.ecsMock.on(DescribeTasksCommand).resolves({ tasks: [task(NEW_TASK, { startedAt: new Date("2026-03-14T09:26:00Z") })] });
        assert.equal(await t.run(), 0);
        assert.deepEqual(t.stopped(), []);
        assert.match(t.text(), /keeps running \(--keep\) until about 2026-03-14 17:26:00Z; ecs-exec stop 0f8e9c1d2b3a4e5f60718293a4b5c6d7 stops it/);
    });

    it("reuses my newest running exec task, not a colleague's, and leaves it running for the shell that started it", async () => {
        const t = setUp();
        const tasks = [
            task("bbbb", { owner: BOB, startedAt: new Date("2026-03-14T09:50:00Z") }),
            task("aaaa1", { owner: ALICE, startedAt: new Date("2026-03-14T09:00:00Z") }),
            task("aaaa2", { owner: ALICE, startedAt: new Date("2026-03-14T09:30:00Z") }),
            task("aaaa3", { owner: ALICE, startedAt: new Date("2026-03-14T09:40:00Z") }, { enableExecuteCommand: false }),
        ];
        t.ecsMock.on(ListTasksCommand).resolves({ taskArns: tasks.map((x) => x.taskArn!) });
        t.ecsMock.on(DescribeTasksCommand).resolves({ tasks });
        assert.equal(await t.run(), 0);
        assert.equal(t.ecsMock.commandCalls(RunTaskCommand).length, 0);
        assert.equal(t.ecsMock.commandCalls(ExecuteCommandCommand)[0].args[0].input.task, taskArn("aaaa2"));
        assert.deepEqual(t.stopped(), []);
        assert.deepEqual(t.ecsMock.commandCalls(ListTasksCommand)[0].args[0].input, {
            cluster: OUTPUTS.clusterName,
            family: OUTPUTS.taskDefinitionFamily,
            desiredStatus: "RUNNING",
            nextToken: undefined,
        });
    });

    it("starts a new task with --new even when one of mine runs", async () => {
        const t = setUp({ new: true });
        t.ecsMock.on(ListTasksCommand).resolves({ taskArns: [taskArn("aaaa")] });
        assert.equal(await t.run(), 0);
        assert.equal(t.ecsMock.commandCalls(ListTasksCommand).length, 0);
        assert.equal(t.ecsMock.commandCalls(RunTaskCommand).length, 1);
        assert.deepEqual(t.stopped(), [taskArn(NEW_TASK)]);
    });

    describe("failures", () => {
        it("without session-manager-plugin: starts nothing, says how to install it (exit 6)", async () => {
            const t = setUp();
            t.plugin.installed = false;
            const error = await rejects(t.run(), PluginMissingError);
            assert.equal(error.exitCode, 6);
            assert.match(error.message, /session-manager-working-with-install-plugin/);
            assert.equal(t.stsMock.calls().length + t.ecsMock.calls().length, 0);
        });

        it("the plugin gone when the session starts: stops the task (exit 6)", async () => {
            const t = setUp();
            t.plugin.vanished = true;
            await rejects(t.run(), PluginMissingError);
            assert.deepEqual(t.stopped(), [taskArn(NEW_TASK)]);
        });

        it("ExecuteCommand refused by IAM: names ecs:ExecuteCommand and stops the task (exit 5)", async () => {
            const t = setUp();
            t.ecsMock.on(ExecuteCommandCommand).rejects(
                Object.assign(new Error(`User: arn:aws:sts::111122223333:assumed-role/Dev/alice is not authorized to perform: ecs:ExecuteCommand on resource: ${taskArn(NEW_TASK)}`), {
                    name: "AccessDeniedException",
                    $metadata: { httpStatusCode: 400 },
                }),
            );
            const error = await rejects(t.run(), PermissionError);
            assert.equal(error.exitCode, 5);
            assert.equal(error.action, "ecs:ExecuteCommand");
            assert.deepEqual(t.stopped(), [taskArn(NEW_TASK)]);
            assert.equal(t.plugin.started, undefined);
        });

        it("the task stopped before it was ready: ECS's reasons, task and container (exit 7), and StopTask anyway", async () => {
            const t = setUp();
            const stoppedTask = task(NEW_TASK, { status: "STOPPED", desiredStatus: "STOPPED" }, {
                stoppedReason: "CannotPullContainerError: pull image manifest has been retried 5 time(s)",
                stopCode: "TaskFailedToStart",
            });
            stoppedTask.containers![0].reason = "CannotPullContainerError: ref not found";
            t.ecsMock.on(DescribeTasksCommand).resolves({ tasks: [stoppedTask] });
            const error = await rejects(t.run(), TaskNotReadyError);
            assert.equal(error.exitCode, 7);
            assert.equal(
                error.message,
                "exec task 0f8e9c1d2b3a4e5f60718293a4b5c6d7 stopped before it was ready: CannotPullContainerError: pull image " +
                    "manifest has been retried 5 time(s) (TaskFailedToStart); container dev-ecs-exec: CannotPullContainerError: ref not found",
            );
            assert.deepEqual(t.stopped(), [taskArn(NEW_TASK)]);
        });

        it("the exec agent not RUNNING within the timeout: the usual causes (exit 7), and the task stopped", async () => {
            const t = setUp({ timeoutMs: 60_000 });
            t.ecsMock.on(DescribeTasksCommand).resolves({ tasks: [task(NEW_TASK, { status: "RUNNING", agent: "PENDING" })] });
            const error = await rejects(t.run(), TaskNotReadyError);
            assert.match(error.message, /^the exec agent of task 0f8e9c1d2b3a4e5f60718293a4b5c6d7 is not RUNNING after 1m 00s \(agent PENDING\)/);
            for (const cause of [/ssmmessages.*NAT gateway/s, /task role lacks/, /AWS_ACCESS_KEY_ID/, /1\.4\.0/, /amazon-ecs-exec-checker/]) {
                assert.match(error.message, cause);
            }
            assert.deepEqual(t.stopped(), [taskArn(NEW_TASK)]);
        });

        it("RunTask without a task: ECS's failure reasons (exit 7), nothing to stop", async () => {
            const t = setUp();
            t.ecsMock.on(RunTaskCommand).resolves({ tasks: [], failures: [{ reason: "RESOURCE:ENI", detail: "no ENI capacity" }] });
            const error = await rejects(t.run(), TaskNotReadyError);
            assert.equal(error.message, "ECS did not start the exec task: RESOURCE:ENI (no ENI capacity)");
            assert.deepEqual(t.stopped(), []);
        });

        it("no credentials: exit 4, nothing started", async () => {
            const t = setUp();
            t.stsMock.on(GetCallerIdentityCommand).rejects(
                Object.assign(new Error("Could not load credentials from any providers"), { name: "CredentialsProviderError" }),
            );
            const error = await rejects(t.run(), CredentialsError);
            assert.equal(error.exitCode, 4);
            assert.equal(t.ecsMock.calls().length, 0);
        });

        it("a caller id ECS cannot take as a tag value: exit 4 before any task call, saying what to change", async () => {
            const t = setUp();
            t.stsMock.on(GetCallerIdentityCommand).resolves({ UserId: "AROAEXAMPLEROLEID123:alice,ops", Account: "111122223333" });
            const error = await rejects(t.run(), CredentialsError);
            assert.equal(error.exitCode, 4);
            assert.equal(t.ecsMock.calls().length, 0, "no ListTasks, no RunTask");
            assert.match(error.message, /^your caller id AROAEXAMPLEROLEID123:alice,ops cannot be the Owner tag of an exec task: it contains ","/);
            assert.match(error.message, /assume the role again with a session name of those characters only/);
        });

        it("a session ending with a plugin error still stops the task (exit 1)", async () => {
            const t = setUp();
            t.plugin.sessionExit = 255;
            const error = await rejects(t.run(), SessionError);
            assert.equal(error.exitCode, 1);
            assert.match(error.message, /exit code 255/);
            assert.deepEqual(t.stopped(), [taskArn(NEW_TASK)]);
        });

        it("StopTask failing after another failure: the first failure is reported, the failed stop printed with how to stop the task", async () => {
            const t = setUp();
            t.ecsMock.on(RunTaskCommand).resolves({ tasks: [task(NEW_TASK, { status: "PROVISIONING" })] });
            t.ecsMock.on(DescribeTasksCommand).resolves({ tasks: [task(NEW_TASK, { status: "STOPPED", desiredStatus: "STOPPED" })] });
            t.ecsMock.on(StopTaskCommand).rejects(Object.assign(new Error("Rate exceeded"), { name: "ThrottlingException", $metadata: {} }));
            await rejects(t.run(), TaskNotReadyError);
            assert.match(t.text(), /may still be running: ecs-exec stop 0f8e9c1d2b3a4e5f60718293a4b5c6d7 stops it/);
            assert.match(t.text(), /error: ecs:StopTask failed: ThrottlingException: Rate exceeded/);
        });
    });

    describe("the task during and after the session", () => {
        const TARGET = `ecs:${OUTPUTS.clusterName}_${NEW_TASK}_${NEW_TASK}-1527056392`;

        it("the task stopping mid-session, the plugin staying as the real one does: the plugin is ended within 15 s, ECS's reason, exit 1", async () => {
            const t = setUp();
            t.plugin.sessionExit = "held";
            const stopped = task(NEW_TASK, { owner: ALICE, status: "STOPPING", desiredStatus: "STOPPED" }, {
                stoppedReason: "Essential container in task exited",
                stopCode: "EssentialContainerExited",
            });
            const running = task(NEW_TASK, { owner: ALICE, startedAt: new Date() });
            // The worst moment: the task stops just after a look during the session has seen it running.
            let looks: number | undefined;
            let stopsAt = Infinity;
            let seenAt = Infinity;
            t.plugin.duringSession = () => (looks = 0);
            t.ecsMock.on(DescribeTasksCommand).callsFake(() => {
                if (looks !== undefined && ++looks === 2) {
                    stopsAt = t.clock.time + 1;
                }
                seenAt = t.clock.time >= stopsAt ? Math.min(seenAt, t.clock.time) : seenAt;
                return { tasks: [t.clock.time >= stopsAt ? stopped : running] };
            });
            const error = await rejects(t.run(), SessionError);
            assert.ok(seenAt - stopsAt <= 15_000, `the plugin ended ${(seenAt - stopsAt) / 1000} s after the task stopped`);
            assert.equal(error.exitCode, 1);
            assert.equal(error.message, `exec task ${NEW_TASK} stopped during the shell: Essential container in task exited (EssentialContainerExited)`);
            assert.deepEqual(t.plugin.killedWith, ["SIGTERM"]);
            assert.deepEqual(t.terminal.restored, ["icanon echo"], "the terminal's settings put back");
            assert.deepEqual(t.stopped(), [], "nothing left to stop");
        });

        it("does not reuse my task when it stops itself within --min-left: starts a new one, saying why", async () => {
            const t = setUp();
            // maxSessionHours is 8: started 7 h 40 min ago, it stops itself in about 20 minutes.
            const ending = task("aaaa", { owner: ALICE, startedAt: new Date(t.clock.time - (8 * 60 - 20) * 60_000) });
            t.ecsMock.on(ListTasksCommand).resolves({ taskArns: [ending.taskArn!] });
            t.ecsMock.on(DescribeTasksCommand).resolvesOnce({ tasks: [ending] }).resolves({ tasks: [task(NEW_TASK, { owner: ALICE, startedAt: new Date() })] });
            assert.equal(await t.run(), 0);
            assert.equal(t.ecsMock.commandCalls(RunTaskCommand).length, 1);
            assert.equal(t.ecsMock.commandCalls(ExecuteCommandCommand)[0].args[0].input.task, taskArn(NEW_TASK));
            assert.match(t.text(), /Your exec task aaaa stops itself in 19m \d\ds, less than --min-left \(30m 00s\): starting a new one\./);
        });

        it("reuses my task with more than --min-left to go", async () => {
            const t = setUp({ minLeftMs: 10 * 60_000 });
            const mine = task("aaaa", { owner: ALICE, startedAt: new Date(t.clock.time - (8 * 60 - 20) * 60_000) });
            t.ecsMock.on(ListTasksCommand).resolves({ taskArns: [mine.taskArn!] });
            t.ecsMock.on(DescribeTasksCommand).resolves({ tasks: [mine] });
            assert.equal(await t.run(), 0);
            assert.equal(t.ecsMock.commandCalls(RunTaskCommand).length, 0);
        });

        it("waits for the session's transcript before stopping the task: DescribeLogStreams until its stream is there, with progress, then StopTask", async () => {
            const t = setUp();
            const order: string[] = [];
            let looks = 0;
            t.logsMock.on(DescribeLogStreamsCommand).callsFake((input) => {
                order.push("DescribeLogStreams");
                return { logStreams: ++looks < 3 ? [{ logStreamName: `${input.logStreamNamePrefix}-other` }] : [{ logStreamName: input.logStreamNamePrefix }] };
            });
            t.ssmMock.on(DescribeSessionsCommand).callsFake(() => (order.push("DescribeSessions"), { Sessions: [] }));
            t.ecsMock.on(StopTaskCommand).callsFake(() => (order.push("StopTask"), {}));
            assert.equal(await t.run(), 0);
            // Other sessions asked before the wait (none: wait) and again right before StopTask.
            assert.deepEqual(order, ["DescribeSessions", "DescribeLogStreams", "DescribeLogStreams", "DescribeLogStreams", "DescribeSessions", "StopTask"]);
            assert.deepEqual(t.logsMock.commandCalls(DescribeLogStreamsCommand)[0].args[0].input, {
                logGroupName: OUTPUTS.sessionLogGroupName,
                logStreamNamePrefix: SESSION.sessionId,
            });
            assert.match(t.text(), /Waiting for the transcript of ecs-execute-command-0a1b2c3d4e5f6a7b8 in log group \/ecs-exec\/dev\/sessions before stopping the task\.\.\.\n/);
            assert.doesNotMatch(t.text(), /may be lost/);
        });

        it("waits for the transcript's copy in the bucket too: its key listed (sessions/<session id>.log), then StopTask", async () => {
            const t = setUp();
            const order: string[] = [];
            let looks = 0;
            t.s3Mock.on(ListObjectsV2Command).callsFake((input) => {
                order.push("ListObjectsV2");
                return { Contents: ++looks < 2 ? [] : [{ Key: input.Prefix }] };
            });
            t.ecsMock.on(StopTaskCommand).callsFake(() => (order.push("StopTask"), {}));
            assert.equal(await t.run(), 0);
            assert.deepEqual(order, ["ListObjectsV2", "ListObjectsV2", "StopTask"]);
            assert.deepEqual(t.s3Mock.commandCalls(ListObjectsV2Command)[0].args[0].input, {
                Bucket: OUTPUTS.transcriptBucketName,
                Prefix: `sessions/${SESSION.sessionId}.log`,
                MaxKeys: 1,
            });
            assert.match(t.text(), /Waiting for the transcript of ecs-execute-command-0a1b2c3d4e5f6a7b8 in bucket dev-ecs-exec-transcripts-111122223333 before stopping the task\.\.\.\n/);
        });

        it("stops the task anyway when the transcript has not arrived within --transcript-wait, saying it may be lost", async () => {
            const t = setUp({ transcriptWaitMs: 60_000 });
            t.logsMock.on(DescribeLogStreamsCommand).resolves({ logStreams: [] });
            assert.equal(await t.run(), 0);
            assert.match(
                t.text(),
                /The transcript of ecs-execute-command-0a1b2c3d4e5f6a7b8 may be lost: not yet in log group \/ecs-exec\/dev\/sessions after 1m 0\ds\. Stopping exec task 0f8e9c1d2b3a4e5f60718293a4b5c6d7 anyway\./,
            );
            assert.deepEqual(t.stopped(), [taskArn(NEW_TASK)]);
        });

        it("--transcript-wait 0s: stops the task without looking for the transcript", async () => {
            const t = setUp({ transcriptWaitMs: 0 });
            assert.equal(await t.run(), 0);
            assert.equal(t.logsMock.commandCalls(DescribeLogStreamsCommand).length, 0);
            assert.deepEqual(t.stopped(), [taskArn(NEW_TASK)]);
        });

        it("stops the task at once when it may not look for the transcript (a developer policy from before), saying so", async () => {
            const t = setUp();
            t.logsMock.on(DescribeLogStreamsCommand).rejects(
                Object.assign(new Error("User: arn:aws:sts::111122223333:assumed-role/Dev/alice is not authorized to perform: logs:DescribeLogStreams"), {
                    name: "AccessDeniedException",
                    $metadata: { httpStatusCode: 400 },
                }),
            );
            assert.equal(await t.run(), 0);
            assert.equal(t.logsMock.commandCalls(DescribeLogStreamsCommand).length, 1);
            assert.match(t.text(), /may be lost: cannot look in log group \/ecs-exec\/dev\/sessions: not allowed to call logs:DescribeLogStreams/);
            assert.deepEqual(t.stopped(), [taskArn(NEW_TASK)]);
        });

        it("Ctrl-C during the transcript wait stops the task at once, exit 130", async () => {
            const t = setUp();
            t.logsMock.on(DescribeLogStreamsCommand).callsFake(() => (t.signals.send("SIGINT"), { logStreams: [] }));
            const error = await rejects(t.run(), InterruptedError);
            assert.equal(error.exitCode, 130);
            assert.equal(t.logsMock.commandCalls(DescribeLogStreamsCommand).length, 1);
            assert.match(t.text(), /may be lost: not yet in log group \/ecs-exec\/dev\/sessions after \d+s \(interrupted\)/);
            assert.deepEqual(t.stopped(), [taskArn(NEW_TASK)]);
        });

        it("leaves the task running while another session uses it, saying so; its own session does not count", async () => {
            const t = setUp();
            t.ssmMock.on(DescribeSessionsCommand).resolves({
                Sessions: [
                    { SessionId: SESSION.sessionId, Target: TARGET, Status: "Terminating" },
                    { SessionId: "ecs-execute-command-0b1c2d3e4f5a6b7c8", Target: TARGET, Status: "Connected" },
                ],
            });
            assert.equal(await t.run(), 0);
            assert.deepEqual(t.ssmMock.commandCalls(DescribeSessionsCommand)[0].args[0].input, {
                State: "Active",
                Filters: [{ key: "Target", value: TARGET }],
                NextToken: undefined,
            });
            assert.deepEqual(t.stopped(), []);
            assert.match(t.text(), /Exec task 0f8e9c1d2b3a4e5f60718293a4b5c6d7 keeps running: another session uses it \(ecs-execute-command-0b1c2d3e4f5a6b7c8\)\. It stops itself at about /);
            // Nothing stops the task before the agent uploads: no wait for the transcript.
            assert.equal(t.logsMock.commandCalls(DescribeLogStreamsCommand).length, 0);
            assert.doesNotMatch(t.text(), /Waiting for the transcript/);
        });

        it("leaves the task running when another session opened during the transcript wait", async () => {
            const t = setUp();
            let asked = 0;
            t.ssmMock.on(DescribeSessionsCommand).callsFake(() => ({
                Sessions: ++asked === 1 ? [] : [{ SessionId: "ecs-execute-command-0b1c2d3e4f5a6b7c8", Target: TARGET, Status: "Connected" }],
            }));
            assert.equal(await t.run(), 0);
            assert.equal(asked, 2);
            assert.ok(t.logsMock.commandCalls(DescribeLogStreamsCommand).length > 0);
            assert.deepEqual(t.stopped(), []);
            assert.match(t.text(), /keeps running: another session uses it \(ecs-execute-command-0b1c2d3e4f5a6b7c8\)/);
        });

        it("stops the task when Session Manager cannot be asked about other sessions, saying so", async () => {
            const t = setUp();
            t.ssmMock.on(DescribeSessionsCommand).rejects(Object.assign(new Error("Access denied"), { name: "AccessDeniedException", $metadata: {} }));
            assert.equal(await t.run(), 0);
            assert.equal(t.text().match(/Cannot tell whether another session uses exec task 0f8e9c1d2b3a4e5f60718293a4b5c6d7 \(not allowed to call ssm:DescribeSessions: Access denied\); stopping it\./g)?.length, 1);
            assert.deepEqual(t.stopped(), [taskArn(NEW_TASK)]);
        });

        it("puts the terminal's settings back after the session, however it ends", async () => {
            const ended = setUp();
            assert.equal(await ended.run(), 0);
            assert.deepEqual(ended.terminal.restored, ["icanon echo"]);
            const failed = setUp();
            failed.plugin.sessionExit = 2;
            await rejects(failed.run(), SessionError);
            assert.deepEqual(failed.terminal.restored, ["icanon echo"]);
            const interrupted = setUp();
            interrupted.plugin.sessionExit = "held";
            interrupted.plugin.duringSession = () => interrupted.signals.send("SIGHUP");
            await rejects(interrupted.run(), InterruptedError);
            assert.deepEqual(interrupted.terminal.restored, ["icanon echo"]);
        });
    });

    describe("a session the plugin could not start (it exits 0, as the real one does)", () => {
        it("exit 1 with the plugin's message, its output passed on, no transcript waited for, the task stopped", async () => {
            const t = setUp();
            t.plugin.startFailure = "failed to open data channel with error: websocket: bad handshake";
            const error = await rejects(t.run(), SessionError);
            assert.equal(error.exitCode, 1);
            assert.equal(
                error.message,
                "session-manager-plugin could not start the session: Cannot perform start session: failed to open data channel with error: websocket: bad handshake",
            );
            assert.match(t.stdout.text, /Cannot perform start session: failed to open data channel/);
            assert.equal(t.logsMock.commandCalls(DescribeLogStreamsCommand).length, 0);
            assert.deepEqual(t.stopped(), [taskArn(NEW_TASK)]);
        });

        it("the end of its input (EOF, stdin at end of file): exit 1, saying a shell needs a terminal", async () => {
            const t = setUp();
            t.plugin.startFailure = "EOF";
            const error = await rejects(t.run(), SessionError);
            assert.match(error.message, /Cannot perform start session: EOF \(its input ended: a shell needs a terminal, or input that stays open; ecs-exec run runs one command\)$/);
        });

        it("on a terminal, the plugin writes to it itself: it sizes the remote terminal from it", async () => {
            const t = setUp({}, { stdoutIsTerminal: true });
            assert.equal(await t.run(), 0);
            assert.equal(t.plugin.startOptions?.readStdout, false);
        });
    });

    describe("signals", () => {
        it("Ctrl-C while waiting, pressed twice: the task is stopped once, then exit 130", async () => {
            const t = setUp();
            t.ecsMock.on(DescribeTasksCommand).callsFake(() => {
                t.signals.send("SIGINT");
                t.signals.send("SIGINT");
                return { tasks: [task(NEW_TASK, { status: "PENDING" })] };
            });
            const error = await rejects(t.run(), InterruptedError);
            assert.equal(error.exitCode, 130);
            assert.deepEqual(t.stopped(), [taskArn(NEW_TASK)]);
            assert.equal(t.ecsMock.commandCalls(ExecuteCommandCommand).length, 0);
        });

        it("Ctrl-C while RunTask is in flight: the task it returns is still stopped", async () => {
            const t = setUp();
            t.ecsMock.on(RunTaskCommand).callsFake(() => {
                t.signals.send("SIGINT");
                return { tasks: [task(NEW_TASK, { status: "PROVISIONING" })] };
            });
            await rejects(t.run(), InterruptedError);
            assert.deepEqual(t.stopped(), [taskArn(NEW_TASK)]);
            assert.equal(t.ecsMock.commandCalls(DescribeTasksCommand).length, 0);
        });

        it("Ctrl-C during the cleanup: StopTask completes before the command ends", async () => {
            const t = setUp();
            let stopAnswered = false;
            t.ecsMock.on(DescribeTasksCommand).callsFake(() => {
                t.signals.send("SIGINT");
                return { tasks: [task(NEW_TASK, { status: "PENDING" })] };
            });
            t.ecsMock.on(StopTaskCommand).callsFake(async () => {
                t.signals.send("SIGINT");
                t.signals.send("SIGTERM");
                await new Promise((r) => setTimeout(r, 20));
                stopAnswered = true;
                return {};
            });
            const error = await rejects(t.run(), InterruptedError);
            assert.ok(stopAnswered);
            assert.equal(error.signal, "SIGINT", "the first signal decides the exit code");
        });

        it("Ctrl-C during the session is the remote shell's: the tool ignores it, and stops the task when the shell ends", async () => {
            const t = setUp();
            t.plugin.sessionExit = "held";
            t.plugin.duringSession = () => {
                t.signals.send("SIGINT");
                t.signals.send("SIGQUIT");
                t.signals.send("SIGTSTP");
                assert.deepEqual(t.plugin.killedWith, []);
                t.plugin.endSession(0);
            };
            assert.equal(await t.run(), 0);
            assert.deepEqual(t.stopped(), [taskArn(NEW_TASK)]);
        });

        for (const [signal, code] of [["SIGTERM", 143], ["SIGHUP", 129]] as const) {
            it(`${signal} during the session ends the plugin, stops the task, exit ${code}`, async () => {
                const t = setUp();
                t.plugin.sessionExit = "held";
                t.plugin.duringSession = () => t.signals.send(signal);
                const error = await rejects(t.run(), InterruptedError);
                assert.equal(error.exitCode, code);
                assert.deepEqual(t.plugin.killedWith, [signal]);
                assert.deepEqual(t.stopped(), [taskArn(NEW_TASK)]);
            });
        }

        it("SIGHUP while waiting stops the task, exit 129", async () => {
            const t = setUp();
            t.ecsMock.on(DescribeTasksCommand).callsFake(() => {
                t.signals.send("SIGHUP");
                return { tasks: [task(NEW_TASK, { status: "PENDING" })] };
            });
            const error = await rejects(t.run(), InterruptedError);
            assert.equal(error.exitCode, 129);
            assert.deepEqual(t.stopped(), [taskArn(NEW_TASK)]);
        });

        it("a signal before any task exists ends the command with nothing to stop", async () => {
            const t = setUp();
            t.stsMock.on(GetCallerIdentityCommand).callsFake(() => {
                t.signals.send("SIGTERM");
                return { UserId: ALICE };
            });
            await rejects(t.run(), InterruptedError);
            assert.equal(t.ecsMock.calls().length, 0);
        });

        it("leaves no signal handler behind, whatever the outcome", async () => {
            const ok = setUp();
            await ok.run();
            assert.equal(ok.signals.listening(), 0);
            const failed = setUp();
            failed.plugin.sessionExit = "held";
            failed.plugin.duringSession = () => failed.signals.send("SIGTERM");
            await rejects(failed.run(), InterruptedError);
            assert.equal(failed.signals.listening(), 0);
        });
    });
});
