import { strict as assert } from "assert";
import { DescribeTasksCommand, ListTasksCommand, RunTaskCommand, StopTaskCommand } from "@aws-sdk/client-ecs";
import { StartSessionCommand, TerminateSessionCommand } from "@aws-sdk/client-ssm";
import * as net from "net";
import { InterruptedError, OutputsError, PermissionError, SessionError, UsageError } from "../../cli/errors";
import { forward, ForwardOptions } from "../../cli/forward";
import { requireFreePort } from "../../cli/localPort";
import { forwardingDestination } from "../../cli/outputs";
import { pythonJsonDumps, readsResponseFromEnvironment, startSessionPluginCall } from "../../cli/plugin";
import {
    ALICE,
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
    task,
    taskArn,
    TEST_TIMING,
} from "./support/unit";

const NEW_TASK = "0f8e9c1d2b3a4e5f60718293a4b5c6d7";
const DESTINATION = { name: "orders-db", host: "orders-db.dev.example.com", port: 5432 };
const SESSION = {
    SessionId: "alice@example.com-0a1b2c3d4e5f6a7b8",
    TokenValue: "token",
    StreamUrl: "wss://ssmmessages.us-east-1.amazonaws.com/v1/data-channel/alice@example.com-0a1b2c3d4e5f6a7b8?role=publish_subscribe",
};
const REQUEST = {
    Target: `ecs:${OUTPUTS.clusterName}_${NEW_TASK}_${NEW_TASK}-1527056392`,
    DocumentName: "AWS-StartPortForwardingSessionToRemoteHost",
    Parameters: { host: [DESTINATION.host], portNumber: ["5432"], localPortNumber: ["15432"] },
};

const awsError = (name: string, message: string) => Object.assign(new Error(message), { name, $metadata: { httpStatusCode: 400 } });

/**
 * A forward against mocked ECS, STS, SSM and Logs: no task of mine runs, a started task is ready at once, no other
 * session uses it. The plugin listens on the local port while its session is open; the session ends once the tool
 * has said where to connect (a user's Ctrl-C, later), unless a test ends it otherwise.
 */
function setUp(options: Partial<ForwardOptions> = {}) {
    const { ecs, ecsMock } = mockedEcs();
    const { sts } = mockedSts();
    const { ssm, ssmMock } = mockedSsm();
    const { logs, logsMock, s3 } = mockedTranscriptStores();
    const plugin = new FakePlugin();
    plugin.sessionExit = "held";
    const signals = new FakeSignals();
    const terminal = new FakeTerminal();
    const clock = new FakeClock();
    const { progress, text } = capturedProgress();
    const printed: string[] = [];
    let stderr = "";
    ecsMock.on(ListTasksCommand).resolves({ taskArns: [] });
    ecsMock.on(RunTaskCommand).resolves({ tasks: [task(NEW_TASK, { owner: ALICE, startedAt: new Date() })], failures: [] });
    ecsMock.on(DescribeTasksCommand).resolves({ tasks: [task(NEW_TASK, { owner: ALICE, startedAt: new Date() })] });
    ecsMock.on(StopTaskCommand).resolves({});
    ssmMock.on(StartSessionCommand).resolves(SESSION);
    ssmMock.on(TerminateSessionCommand).resolves({ SessionId: SESSION.SessionId });
    const run = () =>
        forward(
            { destination: DESTINATION, localPort: 15432, ...OWN_TASK_DEFAULTS, ...options },
            {
                ecs,
                sts,
                ssm,
                logs,
                s3,
                outputs: { ...OUTPUTS, portForwarding: [DESTINATION] },
                profile: "",
                plugin,
                signals,
                progress,
                now: () => (clock.time += 5000),
                sleep: clock.sleep,
                ...TEST_TIMING,
                print: (line) => {
                    printed.push(line);
                    if (t.endOnReady) {
                        plugin.endSession(0);
                    }
                },
                stderr: { write: (chunk: Buffer) => (stderr += chunk) },
                terminal,
            },
        );
    const stopped = () => ecsMock.commandCalls(StopTaskCommand).map((c) => c.args[0].input.task);
    const terminated = () => ssmMock.commandCalls(TerminateSessionCommand).map((c) => c.args[0].input.SessionId);
    const t = { ecsMock, ssmMock, logsMock, plugin, signals, terminal, clock, text, printed, stderr: () => stderr, run, stopped, terminated, endOnReady: true };
    return t;
}

describe("ecs-exec forward", () => {
    it("opens the forwarding session on my task's exec container, hands it to the plugin as `aws ssm start-session` does, then ends it and stops the task", async () => {
        const t = setUp({ reason: "INC-42" });
        assert.equal(await t.run(), 0);
        assert.deepEqual(t.ssmMock.commandCalls(StartSessionCommand)[0].args[0].input, { ...REQUEST, Reason: "INC-42" });
        assert.deepEqual(t.plugin.started, [
            "AWS_SSM_START_SESSION_RESPONSE",
            REGION,
            "StartSession",
            "",
            `{"Target": "${REQUEST.Target}", "DocumentName": "AWS-StartPortForwardingSessionToRemoteHost", "Reason": "INC-42", ` +
                `"Parameters": {"host": ["${DESTINATION.host}"], "portNumber": ["5432"], "localPortNumber": ["15432"]}}`,
            `https://ssm.${REGION}.amazonaws.com`,
        ]);
        assert.deepEqual(t.plugin.startedEnv, {
            AWS_SSM_START_SESSION_RESPONSE: `{"SessionId": "${SESSION.SessionId}", "TokenValue": "token", "StreamUrl": "${SESSION.StreamUrl}"}`,
        });
        assert.deepEqual(t.printed, [
            `localhost:15432 → ${DESTINATION.host}:5432 through task ${NEW_TASK} (session ${SESSION.SessionId}); Ctrl-C ends it.`,
        ]);
        assert.deepEqual(t.terminated(), [SESSION.SessionId]);
        assert.deepEqual(t.stopped(), [taskArn(NEW_TASK)]);
    });

    it("gives a plugin of 1.2.497.0 or older the response as an argument, as the AWS CLI does", async () => {
        const t = setUp();
        t.plugin.pluginVersion = "1.2.497.0\n";
        assert.equal(await t.run(), 0);
        assert.equal(t.plugin.started![0], `{"SessionId": "${SESSION.SessionId}", "TokenValue": "token", "StreamUrl": "${SESSION.StreamUrl}"}`);
        assert.deepEqual(t.plugin.startedEnv, {});
    });

    it("reuses my running task and leaves it running", async () => {
        const t = setUp();
        const mine = task("aaaa", { owner: ALICE, startedAt: new Date() });
        t.ecsMock.on(ListTasksCommand).resolves({ taskArns: [mine.taskArn!] });
        t.ecsMock.on(DescribeTasksCommand).resolves({ tasks: [mine] });
        assert.equal(await t.run(), 0);
        assert.equal(t.ssmMock.commandCalls(StartSessionCommand)[0].args[0].input.Target, `ecs:${OUTPUTS.clusterName}_aaaa_aaaa-1527056392`);
        assert.equal(t.ecsMock.commandCalls(RunTaskCommand).length, 0);
        assert.deepEqual(t.stopped(), []);
    });

    describe("Ctrl-C and other signals", () => {
        it("Ctrl-C ends the forwarding: passed on to the plugin, whose exit then is no failure; session ended, task stopped, exit 0", async () => {
            const t = setUp();
            t.plugin.sessionExit = "held";
            t.plugin.duringSession = () => t.signals.send("SIGINT");
            assert.equal(await t.run(), 0);
            assert.deepEqual(t.plugin.killedWith, ["SIGINT"]);
            assert.deepEqual(t.terminated(), [SESSION.SessionId]);
            assert.deepEqual(t.stopped(), [taskArn(NEW_TASK)]);
        });

        it("Ctrl-C that ends the plugin before the tool sees its own SIGINT (the terminal sends both) is still no failure, exit 0", async () => {
            const t = setUp();
            t.plugin.sessionExit = 130;
            t.plugin.duringSession = () => setTimeout(() => t.signals.send("SIGINT"), 5);
            assert.equal(await t.run(), 0);
            assert.deepEqual(t.plugin.killedWith, [], "the plugin had ended already");
            assert.deepEqual(t.terminated(), [SESSION.SessionId]);
            assert.deepEqual(t.stopped(), [taskArn(NEW_TASK)]);
        });

        it("SIGTERM during the forwarding ends the plugin, the session and the task, exit 143", async () => {
            const t = setUp();
            t.plugin.sessionExit = "held";
            t.plugin.duringSession = () => t.signals.send("SIGTERM");
            const error = await rejects(t.run(), InterruptedError);
            assert.equal(error.exitCode, 143);
            assert.deepEqual(t.terminated(), [SESSION.SessionId]);
            assert.deepEqual(t.stopped(), [taskArn(NEW_TASK)]);
        });

        it("Ctrl-C while StartSession is in flight: the session it opened is ended, no plugin runs, exit 130", async () => {
            const t = setUp();
            t.ssmMock.on(StartSessionCommand).callsFake(() => {
                t.signals.send("SIGINT");
                return SESSION;
            });
            const error = await rejects(t.run(), InterruptedError);
            assert.equal(error.exitCode, 130);
            assert.equal(t.plugin.started, undefined);
            assert.deepEqual(t.terminated(), [SESSION.SessionId]);
            assert.deepEqual(t.stopped(), [taskArn(NEW_TASK)]);
            assert.equal(t.signals.listening(), 0);
        });
    });

    describe("failures", () => {
        it("a plugin that fails: exit 1, after the session is ended and the task stopped", async () => {
            const t = setUp();
            t.plugin.sessionExit = 1;
            const error = await rejects(t.run(), SessionError);
            assert.match(error.message, /exit code 1\)$/);
            assert.deepEqual(t.terminated(), [SESSION.SessionId]);
            assert.deepEqual(t.stopped(), [taskArn(NEW_TASK)]);
        });

        it("a session the plugin could not start (it exits 0, as the real one does): exit 1 with its message; ended, task stopped", async () => {
            const t = setUp();
            t.plugin.startFailure = "listen tcp 127.0.0.1:15432: bind: address already in use";
            const error = await rejects(t.run(), SessionError);
            assert.equal(error.exitCode, 1);
            assert.equal(error.message, "session-manager-plugin could not start the session: Cannot perform start session: listen tcp 127.0.0.1:15432: bind: address already in use");
            assert.match(t.stderr(), /Cannot perform start session: listen tcp/, "the plugin's output on stderr");
            assert.deepEqual(t.printed, [], "no line saying where to connect");
            assert.deepEqual(t.terminated(), [SESSION.SessionId]);
            assert.deepEqual(t.stopped(), [taskArn(NEW_TASK)]);
        });

        it("a plugin that exits 0 without ever taking the local port: exit 1, saying so", async () => {
            const t = setUp();
            t.plugin.listens = false;
            t.plugin.duringSession = () => setTimeout(() => t.plugin.endSession(0), 20);
            const error = await rejects(t.run(), SessionError);
            assert.equal(error.message, "session-manager-plugin ended without listening on localhost:15432");
            assert.deepEqual(t.printed, []);
        });

        it("the task stopping during the forwarding: the plugin is ended, ECS's reason, exit 1; the session ended", async () => {
            const t = setUp();
            const stopped = task(NEW_TASK, { owner: ALICE, status: "DEACTIVATING", desiredStatus: "STOPPED" }, { stoppedReason: "Scaling activity initiated by (deployment)" });
            t.endOnReady = false;
            t.plugin.duringSession = () => t.ecsMock.on(DescribeTasksCommand).resolves({ tasks: [stopped] });
            const error = await rejects(t.run(), SessionError);
            assert.equal(error.message, `exec task ${NEW_TASK} stopped during the forward: Scaling activity initiated by (deployment)`);
            assert.deepEqual(t.terminated(), [SESSION.SessionId]);
            assert.deepEqual(t.stopped(), [], "nothing left to stop");
            assert.deepEqual(t.terminal.restored, ["icanon echo"]);
        });

        it("StartSession refused by IAM: names ssm:StartSession (exit 5), stops the task, nothing to end", async () => {
            const t = setUp();
            t.ssmMock
                .on(StartSessionCommand)
                .rejects(awsError("AccessDeniedException", "User: arn:aws:sts::111122223333:assumed-role/Dev/alice is not authorized to perform: ssm:StartSession on resource: arn:aws:ecs:us-east-1:111122223333:task/dev-ecs-exec/0f8e"));
            const error = await rejects(t.run(), PermissionError);
            assert.equal(error.action, "ssm:StartSession");
            assert.deepEqual(t.terminated(), []);
            assert.deepEqual(t.stopped(), [taskArn(NEW_TASK)]);
        });

        it("TerminateSession failing is reported, not fatal: the session ends with the task anyway", async () => {
            const t = setUp();
            t.ssmMock.on(TerminateSessionCommand).rejects(awsError("InternalServerError", "try again"));
            assert.equal(await t.run(), 0);
            assert.match(t.text(), /Session alice@example\.com-0a1b2c3d4e5f6a7b8 may still be open \(ssm:TerminateSession failed: InternalServerError: try again\); it ends when the exec task stops\./);
            assert.deepEqual(t.stopped(), [taskArn(NEW_TASK)]);
        });

        it("the local port taken while the task started: refused before StartSession (exit 2), the task stopped", async () => {
            const t = setUp();
            const server = net.createServer();
            t.ecsMock.on(RunTaskCommand).callsFake(
                () =>
                    new Promise((resolve) =>
                        server.listen(15432, "127.0.0.1", () => resolve({ tasks: [task(NEW_TASK, { owner: ALICE, startedAt: new Date() })] })),
                    ),
            );
            try {
                const error = await rejects(t.run(), UsageError);
                assert.equal(error.message, "local port 15432 is in use: stop what listens on it, or choose another with --local-port");
                assert.equal(t.ssmMock.commandCalls(StartSessionCommand).length, 0);
                assert.deepEqual(t.stopped(), [taskArn(NEW_TASK)]);
            } finally {
                server.close();
            }
        });
    });

    it("checks a local port by listening on it as the plugin will: free, taken on 127.0.0.1, taken on every address (Linux)", async () => {
        const server = net.createServer();
        await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
        const { port } = server.address() as net.AddressInfo;
        try {
            await rejects(requireFreePort(port), UsageError);
        } finally {
            await new Promise((resolve) => server.close(resolve));
        }
        await requireFreePort(port);
        if (process.platform !== "linux") {
            return; // BSD kernels let a specific bind share a port with a wildcard listener: the plugin's bind then succeeds too.
        }
        const wildcard = net.createServer();
        await new Promise<void>((resolve) => wildcard.listen(port, resolve));
        try {
            await rejects(requireFreePort(port), UsageError);
        } finally {
            wildcard.close();
        }
    });

    describe("the destination", () => {
        const outputs = { ...OUTPUTS, portForwarding: [DESTINATION, { name: "billing-db", host: "10.0.7.12", port: 3306 }] };

        it("is found by name", () => {
            assert.deepEqual(forwardingDestination(outputs, "billing-db"), { name: "billing-db", host: "10.0.7.12", port: 3306 });
        });

        it("unknown: a bad argument (exit 2) naming the configured ones, or saying none are", () => {
            assert.throws(
                () => forwardingDestination(outputs, "orders"),
                (e: Error) => e instanceof UsageError && e.exitCode === 2 && e.message === 'no destination "orders" in stack dev; configured: orders-db, billing-db',
            );
            assert.throws(() => forwardingDestination({ ...OUTPUTS, portForwarding: [] }, "orders-db"), /stack dev configures none \(ecs-exec:portForwarding is empty\)/);
        });

        it("outputs of a deployment from before forward: refused like any output missing (exit 3)", () => {
            assert.throws(
                () => forwardingDestination(OUTPUTS, "orders-db"),
                (e: Error) => e instanceof OutputsError && /lack portForwarding, which ecs-exec forward needs/.test(e.message),
            );
        });
    });
});

describe("session-manager-plugin as `aws ssm start-session` runs it", () => {
    it("takes the response from the environment when its version is newer than 1.2.497.0 (the AWS CLI's VersionRequirement)", () => {
        const cases: [string, boolean][] = [
            ["1.2.707.0\n", true],
            ["1.2.498.0", true],
            ["1.3", true],
            ["2", true],
            [" 1.2.707.0 ", true],
            ["1.2.497.0", false],
            ["1.2.497", false],
            ["1.2.331.0", false],
            ["1.2.707.0.1", false],
            ["unknown", false],
            ["", false],
        ];
        for (const [version, expected] of cases) {
            assert.equal(readsResponseFromEnvironment(version), expected, JSON.stringify(version));
        }
    });

    it("serializes as Python's json.dumps: spaced separators, nested members in order, non-ASCII escaped, undefined left out", () => {
        assert.equal(
            pythonJsonDumps({ Target: "ecs:a_b_c", Reason: undefined, Parameters: { host: ["ä.example"], n: [1, null, true] } }),
            '{"Target": "ecs:a_b_c", "Parameters": {"host": ["\\u00e4.example"], "n": [1, null, true]}}',
        );
    });

    it("makes the six arguments the AWS CLI passes, with the profile and the endpoint", () => {
        const call = startSessionPluginCall({
            response: SESSION,
            region: "eu-west-1",
            profile: "dev-developer",
            request: REQUEST,
            endpointUrl: "https://ssm.eu-west-1.amazonaws.com",
            pluginVersion: "1.2.331.0",
        });
        assert.deepEqual(call.args.slice(1), ["eu-west-1", "StartSession", "dev-developer", pythonJsonDumps(REQUEST), "https://ssm.eu-west-1.amazonaws.com"]);
        assert.deepEqual(call.env, {});
    });
});
