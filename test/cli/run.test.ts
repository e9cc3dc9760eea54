/** `ecs-exec run` in-process, against mocked ECS and STS and a stand-in plugin whose stream the test writes. */
import { strict as assert } from "assert";
import { DescribeLogStreamsCommand } from "@aws-sdk/client-cloudwatch-logs";
import { DescribeTasksCommand, ExecuteCommandCommand, ListTasksCommand, RunTaskCommand, StopTaskCommand } from "@aws-sdk/client-ecs";
import type { Writable } from "stream";
import { InterruptedError, SessionError } from "../../cli/errors";
import { shlexQuote } from "../../cli/remoteCommand";
import { run, RunOptions } from "../../cli/run";
import { Interruption, SAME_INTERRUPT_MS } from "../../cli/signals";
import { shlexSplit } from "../support/shlex";
import {
    ALICE,
    capturedProgress,
    FakeClock,
    FakePlugin,
    FakeSignals,
    mockedEcs,
    mockedTranscriptStores,
    mockedSsm,
    mockedSts,
    OUTPUTS,
    OWN_TASK_DEFAULTS,
    REGION,
    SlowSink,
    task,
    taskArn,
    TEST_TIMING,
} from "./support/unit";

const NEW_TASK = "0f8e9c1d2b3a4e5f60718293a4b5c6d7";
const SESSION_ID = "ecs-execute-command-0a1b2c3d4e5f6a7b8";
const NONCE = "0123456789abcdef0123456789abcdef";

/** A run against mocked AWS (as shell's tests: no other session, transcripts arrive) and a held captured session. */
function setUp(options: Partial<RunOptions> = {}) {
    const { ecs, ecsMock } = mockedEcs();
    const { sts } = mockedSts();
    const { ssm, ssmMock } = mockedSsm();
    const { logs, logsMock, s3 } = mockedTranscriptStores();
    const clock = new FakeClock();
    const plugin = new FakePlugin();
    plugin.sessionExit = "held";
    const signals = new FakeSignals();
    const { progress, text } = capturedProgress();
    const stdout = new SlowSink(false);
    let stderr = "";
    ecsMock.on(ListTasksCommand).resolves({ taskArns: [] });
    ecsMock.on(RunTaskCommand).resolves({ tasks: [task(NEW_TASK, { status: "PROVISIONING", owner: ALICE })], failures: [] });
    ecsMock.on(DescribeTasksCommand).resolves({ tasks: [task(NEW_TASK, { owner: ALICE, startedAt: new Date() })] });
    ecsMock.on(ExecuteCommandCommand).callsFake((input) => ({
        clusterArn: `arn:aws:ecs:${REGION}:111122223333:cluster/${OUTPUTS.clusterName}`,
        containerName: input.container,
        taskArn: input.task,
        interactive: true,
        session: { sessionId: SESSION_ID, streamUrl: "wss://x", tokenValue: "t" },
    }));
    ecsMock.on(StopTaskCommand).resolves({});
    const go = (sink: Writable = stdout) =>
        run(
            { words: ["psql", "-c", "select 'it''s' -- #1"], ...OWN_TASK_DEFAULTS, ...options },
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
                stdout: sink,
                stderr: { write: (chunk: Buffer | string) => (stderr += chunk) },
                now: () => (clock.time += 5000),
                sleep: clock.sleep,
                ...TEST_TIMING,
                nonce: () => NONCE,
            },
        );
    /** What the plugin prints for a session in which the command wrote `terminal` and ended with `status`. */
    const session = (terminal: string, status?: number) => {
        plugin.stdout.write(`\nStarting session with SessionId: ${SESSION_ID}\n${NONCE} begin\r\n`);
        plugin.stdout.write(terminal);
        if (status !== undefined) {
            plugin.stdout.write(`${NONCE} exit ${status}\r\n`);
        }
        plugin.stdout.write(`\n\nExiting session with sessionId: ${SESSION_ID}.\n\n`);
        plugin.endSession(0);
    };
    const stopped = () => ecsMock.commandCalls(StopTaskCommand).map((c) => c.args[0].input.task);
    return { ecsMock, ssmMock, logsMock, clock, plugin, signals, text, stdout, stderr: () => stderr, go, session, stopped };
}

describe("ecs-exec run", () => {
    it("runs the words in the exec container as given, inside the status wrapper, through a captured plugin", async () => {
        const t = setUp();
        t.plugin.duringSession = () => t.session("", 0);
        assert.equal(await t.go(), 0);
        const { command, interactive, container } = t.ecsMock.commandCalls(ExecuteCommandCommand)[0].args[0].input;
        assert.equal(interactive, true);
        assert.equal(container, OUTPUTS.containerName);
        assert.deepEqual(shlexSplit(command!).slice(3), ["sh", NONCE, "psql", "-c", "select 'it''s' -- #1"]);
        assert.equal(t.plugin.started![4], `{"Target": "ecs:${OUTPUTS.clusterName}_${NEW_TASK}_${NEW_TASK}-1527056392"}`);
    });

    it("puts the command's output on stdout with its own line ends, the banners on stderr, and returns its status", async () => {
        const t = setUp();
        t.plugin.duringSession = () => t.session("migrated 3 tables\r\nno trailing newline", 3);
        assert.equal(await t.go(), 3);
        assert.equal(t.stdout.text, "migrated 3 tables\nno trailing newline");
        assert.match(t.stderr(), /^\nStarting session with SessionId: ecs-execute-command-0a1b2c3d4e5f6a7b8\n\n\nExiting session/);
        assert.ok(t.text().includes(`Running in ${SESSION_ID}: psql -c ${shlexQuote("select 'it''s' -- #1")}\n`), t.text());
        assert.deepEqual(t.stopped(), [taskArn(NEW_TASK)], "the task it started is stopped");
    });

    it("waits for a full stdout instead of holding output in memory", async () => {
        const t = setUp();
        const full = new SlowSink(true);
        let drained = 0;
        t.plugin.duringSession = () => {
            t.session("a\r\n".repeat(1000), 0);
        };
        full.on("drain", () => drained++);
        const finished = t.go(full);
        // The sink says it is full after every write: each chunk waits for its drain.
        const interval = setInterval(() => full.emit("drain"), 1);
        try {
            assert.equal(await finished, 0);
        } finally {
            clearInterval(interval);
        }
        assert.equal(full.text, "a\n".repeat(1000));
        assert.ok(drained > 0);
    });

    it("without the command's status (the session ended first): exit 1, saying so, and the task stopped", async () => {
        const t = setUp();
        t.plugin.duringSession = () => t.session("half of it\r\n");
        const error = await t.go().then(() => assert.fail("expected a SessionError"), (e: unknown) => e as SessionError);
        assert.ok(error instanceof SessionError);
        assert.equal(error.exitCode, 1);
        assert.match(error.message, /the session ended before psql reported its exit status/);
        assert.equal(t.stdout.text, "half of it\n");
        assert.deepEqual(t.stopped(), [taskArn(NEW_TASK)]);
    });

    it("a session the plugin could not start (it exits 0, as the real one does): exit 1 with its message, the task stopped", async () => {
        const t = setUp();
        t.plugin.startFailure = "failed to open data channel with error: dial tcp: lookup ssmmessages.us-east-1.amazonaws.com: no such host";
        const error = await t.go().then(() => assert.fail("expected a SessionError"), (e: unknown) => e as SessionError);
        assert.ok(error instanceof SessionError);
        assert.equal(error.exitCode, 1);
        assert.equal(
            error.message,
            "session-manager-plugin could not start the session: Cannot perform start session: failed to open data channel with error: " +
                "dial tcp: lookup ssmmessages.us-east-1.amazonaws.com: no such host",
        );
        assert.match(t.stderr(), /Cannot perform start session: failed to open data channel/);
        assert.equal(t.stdout.text, "");
        assert.equal(t.logsMock.commandCalls(DescribeLogStreamsCommand).length, 0, "no transcript to wait for");
        assert.deepEqual(t.stopped(), [taskArn(NEW_TASK)]);
    });

    it("a command that prints the plugin's failure message is still the command's output and status", async () => {
        const t = setUp();
        t.plugin.duringSession = () => t.session("Cannot perform start session: EOF\r\n", 0);
        assert.equal(await t.go(), 0);
        assert.equal(t.stdout.text, "Cannot perform start session: EOF\n");
    });

    it("the task stopping during the command: the plugin is ended, ECS's reason, exit 1", async () => {
        const t = setUp();
        const stopped = task(NEW_TASK, { owner: ALICE, status: "STOPPED", desiredStatus: "STOPPED" }, { stoppedReason: "Task stopped by user" });
        t.plugin.duringSession = () => t.ecsMock.on(DescribeTasksCommand).resolves({ tasks: [stopped] });
        const error = await t.go().then(() => assert.fail("expected a SessionError"), (e: unknown) => e as SessionError);
        assert.equal(error.message, `exec task ${NEW_TASK} stopped during the run: Task stopped by user`);
        assert.deepEqual(t.plugin.captureSignals, ["SIGTERM"]);
    });

    it("tags the task it starts with --reason", async () => {
        const t = setUp({ reason: "INC-4711 restore orders" });
        t.plugin.duringSession = () => t.session("", 0);
        await t.go();
        assert.deepEqual(t.ecsMock.commandCalls(RunTaskCommand)[0].args[0].input.tags, [
            { key: "Owner", value: ALICE },
            { key: "Reason", value: "INC-4711 restore orders" },
        ]);
        assert.match(t.text(), /Started exec task 0f8e9c1d2b3a4e5f60718293a4b5c6d7 in dev-ecs-exec, Owner .*, Reason "INC-4711 restore orders"\./);
    });

    it("reusing my task: says it keeps the reason it was started with, whatever --reason says now", async () => {
        const t = setUp({ reason: "INC-4712 another" });
        const mine = task("aaaa", { owner: ALICE, startedAt: new Date() }, {});
        mine.tags!.push({ key: "Reason", value: "INC-4711 restore orders" });
        t.ecsMock.on(ListTasksCommand).resolves({ taskArns: [mine.taskArn!] });
        t.ecsMock.on(DescribeTasksCommand).resolves({ tasks: [mine] });
        t.plugin.duringSession = () => t.session("", 0);
        await t.go();
        assert.equal(t.ecsMock.commandCalls(RunTaskCommand).length, 0);
        assert.match(
            t.text(),
            /Reusing your exec task aaaa; it keeps running after this run\. Its Reason, from when it was started: "INC-4711 restore orders"; --reason tags only a task a command starts \(--new starts one with it\)\./,
        );
    });

    describe("signals", () => {
        it("Ctrl-C goes to the command first: the plugin gets SIGINT, the command's own status is the exit code", async () => {
            const t = setUp();
            t.plugin.duringSession = () => {
                t.signals.send("SIGINT");
                assert.deepEqual(t.plugin.captureSignals, ["SIGINT"]);
                // The command, interrupted, exits 130; the wrapper reports it.
                t.session("^C is not echoed: the wrapper turned echo off\r\n", 130);
            };
            assert.equal(await t.go(), 130);
            assert.match(t.text(), /Ctrl-C passed to the command; press Ctrl-C again to end the session\./);
            assert.deepEqual(t.stopped(), [taskArn(NEW_TASK)]);
        });

        it("a second Ctrl-C ends the session: the task is stopped, exit 130", async () => {
            const t = setUp();
            t.plugin.duringSession = () => {
                t.signals.send("SIGINT");
                t.signals.send("SIGINT"); // the fake clock has moved on: a second keypress
            };
            const error = await t.go().then(() => assert.fail("expected an interruption"), (e: unknown) => e as InterruptedError);
            assert.ok(error instanceof InterruptedError);
            assert.equal(error.exitCode, 130);
            assert.deepEqual(t.plugin.captureSignals, ["SIGINT", "SIGTERM"]);
            assert.deepEqual(t.stopped(), [taskArn(NEW_TASK)]);
        });

        it("SIGTERM during the command ends the session and stops the task, exit 143", async () => {
            const t = setUp();
            t.plugin.duringSession = () => t.signals.send("SIGTERM");
            const error = await t.go().then(() => assert.fail("expected an interruption"), (e: unknown) => e as InterruptedError);
            assert.equal(error.exitCode, 143);
            assert.deepEqual(t.plugin.captureSignals, ["SIGTERM"]);
            assert.deepEqual(t.stopped(), [taskArn(NEW_TASK)]);
        });
    });
});

describe("Interruption with Ctrl-C passed on", () => {
    it("takes a second SIGINT within a moment as the same keypress (npx delivers Ctrl-C twice)", () => {
        let now = 0;
        const signals = new FakeSignals();
        const interruption = new Interruption(signals, () => now);
        const kills: string[] = [];
        let announced = 0;
        interruption.duringSession({ kill: (s) => kills.push(s) }, { announce: () => announced++ });
        signals.send("SIGINT");
        now += 5;
        signals.send("SIGINT");
        assert.deepEqual(kills, ["SIGINT"]);
        assert.equal(announced, 1);
        assert.doesNotThrow(() => interruption.throwIfInterrupted());
        now += SAME_INTERRUPT_MS;
        signals.send("SIGINT");
        assert.deepEqual(kills, ["SIGINT", "SIGTERM"]);
        assert.throws(() => interruption.throwIfInterrupted(), InterruptedError);
        interruption.dispose();
    });
});
