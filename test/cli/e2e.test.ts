/**
 * The bin end to end, as built by npm ci: the real SDK over HTTP to FakeAws on 127.0.0.1 (through
 * AWS_ENDPOINT_URL_ECS/_STS, static fake credentials), a stand-in session-manager-plugin first on PATH, and real
 * signals sent to the process group.
 * Each scenario has its own FakeAws and sandbox; they run a few at a time (see `pool`), and each `it` reports one.
 */
import { strict as assert } from "assert";
import { execFile, execFileSync } from "child_process";
import * as fs from "fs";
import * as net from "net";
import * as path from "path";
import { DEFAULT_SHELL } from "../../cli/remoteCommand";
import { PROJECT_DIR } from "../../synth/synth";
import { synthStack } from "../support/synthRun";
import { assertBuiltFromCurrentSources } from "./support/bundle";
import { FakeAws, FakeAwsOptions, REGION } from "./support/fakeAws";
import { delay, eventually, PluginKind, pool, Sandbox, startTool, ToolExit, ToolRun } from "./support/tool";
import { AWKWARD_WORDS } from "./support/words";

const ALICE = "AROAEXAMPLEROLEID123:alice@example.com";
const BOB = "AIDAEXAMPLEUSERBOB01";

interface Scenario {
    aws: FakeAws;
    sandbox: Sandbox;
    outputs: Record<string, any>;
    /** `ecs-exec shell --stack dev --outputs FILE ...extra` in a terminal of its own. */
    shell(extra?: string[], env?: Record<string, string>): ToolRun;
    /** `ecs-exec run --stack dev --outputs FILE ...extra`, with no terminal (stdin at end of file, or a pipe). */
    run(extra: string[], env?: Record<string, string>, stdin?: "ignore" | "pipe"): ToolRun;
    /** `ecs-exec forward ...args --stack dev --outputs FILE` in a terminal of its own. */
    forward(args: string[], env?: Record<string, string>): ToolRun;
    operations(): string[];
}

type ScenarioOptions = Partial<FakeAwsOptions> & { plugin?: PluginKind | true };

/** A TCP port nothing listens on now. */
function freePort(): Promise<number> {
    return new Promise((resolve) => {
        const server = net.createServer().listen(0, "127.0.0.1", () => {
            const { port } = server.address() as net.AddressInfo;
            server.close(() => resolve(port));
        });
    });
}

/** A listener on 127.0.0.1, as a local database or another forward would hold a port. */
function occupy(port: number): Promise<net.Server> {
    return new Promise((resolve) => {
        const server = net.createServer().listen(port, "127.0.0.1", () => resolve(server));
    });
}

/** The AWS CLI, as a reference client for `ssm start-session`, when this machine has it. */
const AWS_CLI = (() => {
    try {
        return execFileSync("sh", ["-c", "command -v aws"], { encoding: "utf8" }).trim() || undefined;
    } catch {
        return undefined;
    }
})();

/**
 * Stops the scenario's task as ECS does and waits for the tool to end, with a guard against a hang far beyond its
 * look at the task every 10 s (test/cli/shell.test.ts counts those on a fake clock): how it ended, and how many times
 * it looked at the task after the stop.
 */
async function afterTaskStops(aws: FakeAws, tool: ToolRun, reason: string): Promise<{ result: ToolExit; looks: number }> {
    const before = aws.callsOf("DescribeTasks").length;
    aws.stopTask(aws.taskArn([...aws.tasks.keys()][0]), reason);
    const bound = new Promise<never>((_, reject) => setTimeout(() => reject(new Error("still running 40 s after its task stopped")), 40_000).unref());
    const result = await Promise.race([tool.exited, bound]);
    return { result, looks: aws.callsOf("DescribeTasks").length - before };
}

describe("ecs-exec end to end (real SDK, local AWS endpoint, stand-in plugin)", function () {
    this.timeout(60_000);
    const scenarios: [string, (s: Scenario) => Promise<void>, ScenarioOptions][] = [];
    const outcomes = new Map<string, Promise<unknown>>();

    function scenario(name: string, options: ScenarioOptions, body: (s: Scenario) => Promise<void>) {
        scenarios.push([name, body, options]);
        it(name, async () => {
            const failure = await outcomes.get(name);
            if (failure) {
                throw failure;
            }
        });
    }

    before(async () => {
        // The scenarios run the bundle: a stale one would test old code.
        assertBuiltFromCurrentSources();
        const outputs = (await synthStack("dev")).outputs as Record<string, any>;
        const limited = pool(4);
        for (const [name, body, { plugin = "shell", ...options }] of scenarios) {
            const run = limited(async () => {
                const aws = await new FakeAws({
                    cluster: outputs.clusterName,
                    family: outputs.taskDefinitionFamily,
                    container: outputs.containerName,
                    userId: ALICE,
                    transcriptBucket: outputs.transcriptBucketName,
                    ...options,
                }).start();
                const sandbox = await Sandbox.create({ plugin });
                try {
                    await body({
                        aws,
                        sandbox,
                        outputs,
                        shell: (extra = [], env = {}) =>
                            startTool(["shell", "--stack", "dev", "--outputs", sandbox.outputsFile, ...extra], sandbox.env(aws, env)),
                        run: (extra, env = {}, stdin = "ignore") =>
                            startTool(["run", "--stack", "dev", "--outputs", sandbox.outputsFile, ...extra], sandbox.env(aws, env), undefined, stdin),
                        forward: (args, env = {}) =>
                            startTool(["forward", ...args, "--stack", "dev", "--outputs", sandbox.outputsFile], sandbox.env(aws, env)),
                        operations: () => aws.calls.map((c) => c.operation),
                    });
                } finally {
                    await aws.stop();
                    sandbox.remove();
                }
            });
            // Settled here, reported by the scenario's own `it`.
            outcomes.set(name, run.then(() => undefined, (e: unknown) => e));
        }
    });

    // First: it waits for the tool's look at the task (every 10 s, as ecsta's), while the others run.
    scenario(
        "the task stopping mid-session (the plugin stays, as the real one does) ends the tool at its next look at the task with ECS's reason, exit 1",
        { readyAfterDescribes: -1 },
        async ({ aws, sandbox, shell }) => {
            const run = shell();
            await sandbox.waitForSession();
            const { result, looks } = await afterTaskStops(aws, run, "Essential container in task exited");
            assert.equal(looks, 1, "one look after the stop, the one that saw it");
            assert.equal(result.code, 1, result.stderr);
            assert.match(result.stderr, /^ecs-exec: exec task \w+ stopped during the shell: Essential container in task exited \(EssentialContainerExited\)$/m);
            assert.deepEqual(sandbox.pluginSignals(), ["TERM"], "the tool ended the plugin");
            assert.equal(aws.callsOf("StopTask").length, 0, "nothing left to stop");
        },
    );

    scenario(
        "run: the task stopping during the command (the remote end dies, the plugin stays) ends the run with ECS's reason, exit 1",
        { plugin: "agent", readyAfterDescribes: -1 },
        async ({ aws, run }) => {
            const running = run(["--", "sh", "-c", "echo started; sleep 60"]);
            await eventually(() => running.stdoutSoFar() === "started\n", "the command has started", 15_000);
            const { result, looks } = await afterTaskStops(aws, running, "Task stopped by user");
            assert.equal(looks, 1, "one look after the stop, the one that saw it");
            assert.equal(result.code, 1, result.stderr);
            assert.match(result.stderr, /^ecs-exec: exec task \w+ stopped during the run: Task stopped by user \(EssentialContainerExited\)$/m);
            assert.equal(result.stdout, "started\n");
        },
    );

    scenario(
        "opens a shell in a new task tagged Owner = caller, hands the session to the plugin as the AWS CLI does, then stops the task",
        { readyAfterDescribes: 0 },
        async ({ aws, sandbox, outputs, shell, operations }) => {
            // A profile from the standard files: the plugin receives its name.
            fs.mkdirSync(path.join(sandbox.dir, ".aws"));
            fs.writeFileSync(
                path.join(sandbox.dir, ".aws", "credentials"),
                "[dev-developer]\naws_access_key_id = AKIAEXAMPLEFAKEKEY02\naws_secret_access_key = fake\n",
            );
            sandbox.endSession();
            const result = await shell([], { AWS_PROFILE: "dev-developer", AWS_ACCESS_KEY_ID: "", AWS_SECRET_ACCESS_KEY: "" }).exited;
            assert.equal(result.code, 0, result.stderr);

            assert.deepEqual(operations(), [
                "GetCallerIdentity",
                "ListTasks",
                "RunTask",
                "DescribeTasks",
                "ExecuteCommand",
                "DescribeTasks",
                // No other session uses the task; the transcript has arrived, in the log group and its copy in the
                // bucket; still no other session: it is stopped.
                "DescribeSessions",
                "DescribeLogStreams",
                "ListObjectsV2",
                "DescribeSessions",
                "StopTask",
            ]);
            // The SDK adds an idempotency token of its own.
            const { clientToken, ...runTask } = aws.callsOf("RunTask")[0].body;
            assert.match(clientToken, /^[0-9a-f-]{36}$/);
            assert.deepEqual(runTask, {
                cluster: outputs.clusterName,
                taskDefinition: outputs.taskDefinitionFamily,
                launchType: "FARGATE",
                platformVersion: "LATEST",
                enableExecuteCommand: true,
                count: 1,
                networkConfiguration: {
                    awsvpcConfiguration: { subnets: outputs.subnetIds, securityGroups: [outputs.securityGroupId], assignPublicIp: "ENABLED" },
                },
                tags: [{ key: "Owner", value: ALICE }],
            });
            const taskId = [...aws.tasks.keys()][0];
            const taskArn = aws.taskArn(taskId);
            assert.deepEqual(aws.callsOf("ExecuteCommand")[0].body, {
                cluster: outputs.clusterName,
                task: taskArn,
                container: outputs.containerName,
                interactive: true,
                // bash where the container has it, else sh: chosen in the container.
                command: DEFAULT_SHELL,
            });
            const [sessionId] = aws.sessions.keys();
            const streamUrl = `wss://ssmmessages.${REGION}.amazonaws.com/v1/data-channel/${sessionId}?role=publish_subscribe`;
            assert.deepEqual(sandbox.pluginArgs(), [
                `{"sessionId": "${sessionId}", "streamUrl": "${streamUrl}", "tokenValue": "token-of-${sessionId}"}`,
                REGION,
                "StartSession",
                "dev-developer",
                `{"Target": "ecs:${outputs.clusterName}_${taskId}_${taskId}-1527056392"}`,
                aws.url,
            ]);
            // The agent uploads the transcript when the session ends: the task is stopped once its stream is there.
            assert.deepEqual(aws.callsOf("DescribeLogStreams")[0].body, { logGroupName: outputs.sessionLogGroupName, logStreamNamePrefix: sessionId });
            assert.deepEqual(aws.callsOf("StopTask")[0].body, { cluster: outputs.clusterName, task: taskArn, reason: "ecs-exec shell ended" });
            assert.match(result.stderr, /Shell ready in \d+\.\d s/);
        },
    );

    scenario("reuses my running task for a second shell, and leaves it running", {}, async ({ aws, sandbox, shell, operations }) => {
        const mine = aws.addTask({ owner: ALICE, status: "RUNNING", startedAt: new Date(Date.now() - 600_000) });
        aws.addTask({ owner: BOB, status: "RUNNING" });
        sandbox.endSession();
        const result = await shell().exited;
        assert.equal(result.code, 0, result.stderr);
        assert.deepEqual(operations(), ["GetCallerIdentity", "ListTasks", "DescribeTasks", "ExecuteCommand", "DescribeTasks"]);
        assert.deepEqual(aws.callsOf("DescribeTasks")[0].body.include, ["TAGS"]);
        assert.equal(aws.callsOf("ExecuteCommand")[0].body.task, mine);
        assert.match(result.stderr, /Reusing your exec task/);
    });

    scenario("lists my tasks and stops them with --mine, and no one else's", {}, async ({ aws, sandbox }) => {
        const mine = aws.addTask({ owner: ALICE, status: "RUNNING", startedAt: new Date(Date.now() - 3_600_000) });
        aws.addTask({ owner: BOB, status: "RUNNING" });
        const env = sandbox.env(aws);
        const listed = await startTool(["list", "--outputs", sandbox.outputsFile], env).exited;
        assert.equal(listed.code, 0, listed.stderr);
        const lines = listed.stdout.trimEnd().split("\n");
        assert.equal(lines.length, 2);
        assert.match(lines[1], new RegExp(`^${mine.split("/").pop()}\\s+${ALICE}\\s+RUNNING\\s+\\S+ \\S+Z\\s+(6h 59m|7h 00m)$`));
        const stopped = await startTool(["stop", "--mine", "--outputs", sandbox.outputsFile], env).exited;
        assert.equal(stopped.code, 0, stopped.stderr);
        assert.deepEqual(aws.callsOf("StopTask").map((c) => c.body.task), [mine]);
    });

    scenario(
        "starts no task when session-manager-plugin is not installed, and says how to install it (exit 6)",
        { plugin: false },
        async ({ shell, operations }) => {
            const result = await shell().exited;
            assert.equal(result.code, 6);
            assert.match(result.stderr, /session-manager-plugin cannot run \(not found on PATH\)/);
            assert.match(result.stderr, /session-manager-working-with-install-plugin/);
            assert.doesNotMatch(result.stderr, /\n\s+at /, "no stack trace");
            assert.deepEqual(operations(), []);
        },
    );

    scenario(
        "refuses a caller id ECS cannot take as the Owner tag before any ECS call, saying what to change (exit 4)",
        { userId: "AROAEXAMPLEROLEID123:alice,ops" },
        async ({ shell, operations }) => {
            const result = await shell().exited;
            assert.equal(result.code, 4);
            assert.match(result.stderr, /^ecs-exec: your caller id AROAEXAMPLEROLEID123:alice,ops cannot be the Owner tag of an exec task: it contains ","/m);
            assert.doesNotMatch(result.stderr, /\n\s+at /, "no stack trace");
            assert.deepEqual(operations(), ["GetCallerIdentity"]);
        },
    );

    scenario(
        "stops the task when IAM refuses ExecuteCommand, naming the action (exit 5)",
        {
            readyAfterDescribes: -1,
            executeCommandError: {
                type: "AccessDeniedException",
                message: "User: arn:aws:sts::111122223333:assumed-role/Dev/alice is not authorized to perform: ecs:ExecuteCommand on resource: arn:aws:ecs:us-east-1:111122223333:cluster/dev-ecs-exec",
            },
        },
        async ({ aws, sandbox, shell }) => {
            const result = await shell().exited;
            assert.equal(result.code, 5);
            assert.match(result.stderr, /not allowed to call ecs:ExecuteCommand/);
            assert.equal(aws.callsOf("StopTask").length, 1);
            assert.equal(sandbox.pluginArgs(), undefined);
        },
    );

    scenario("Ctrl-C twice while waiting for the task: stops it, exits 130", { readyAfterDescribes: Infinity }, async ({ aws, shell }) => {
        const run = shell();
        await aws.waitFor("RunTask");
        run.interruptGroup();
        run.interruptGroup();
        const result = await run.exited;
        assert.equal(result.code, 130, result.stderr);
        assert.equal(aws.callsOf("StopTask").length, 1);
        assert.equal(aws.callsOf("ExecuteCommand").length, 0);
    });

    scenario(
        "Ctrl-C while RunTask is in flight: waits for the task's ARN, then stops it",
        { readyAfterDescribes: Infinity },
        async ({ aws, shell }) => {
            const release = aws.hold("RunTask");
            const run = shell();
            await aws.waitFor("RunTask");
            run.interruptGroup();
            await delay(200);
            release();
            const result = await run.exited;
            assert.equal(result.code, 130, result.stderr);
            assert.equal(aws.callsOf("StopTask")[0].body.task, aws.taskArn([...aws.tasks.keys()][0]));
        },
    );

    scenario("Ctrl-C again during the cleanup does not cut it short", { readyAfterDescribes: Infinity }, async ({ aws, shell }) => {
        const release = aws.hold("StopTask");
        const run = shell();
        await aws.waitFor("RunTask");
        run.interruptGroup();
        await aws.waitFor("StopTask");
        run.interruptGroup();
        run.interruptGroup();
        await delay(300);
        assert.equal(run.child.exitCode, null, "still running until StopTask has answered");
        release();
        const result = await run.exited;
        assert.equal(result.code, 130, result.stderr);
        assert.match(result.stderr, /Stopped exec task/);
    });

    scenario(
        "Ctrl-C in the open shell belongs to the remote shell; the task stops when the shell ends",
        { readyAfterDescribes: -1 },
        async ({ aws, sandbox, shell }) => {
            const run = shell();
            await sandbox.waitForSession();
            run.interruptGroup();
            await eventually(() => sandbox.pluginSignals().length > 0, "the plugin got Ctrl-C");
            await delay(200);
            assert.equal(run.child.exitCode, null, "the tool ignores Ctrl-C while the session is open");
            assert.deepEqual(sandbox.pluginSignals(), ["INT"]);
            assert.equal(aws.callsOf("StopTask").length, 0);
            sandbox.endSession();
            const result = await run.exited;
            assert.equal(result.code, 0, result.stderr);
            assert.equal(aws.callsOf("StopTask").length, 1);
        },
    );

    for (const [signal, code] of [["SIGTERM", 143], ["SIGHUP", 129]] as const) {
        scenario(
            `${signal} during the session (SIGHUP: the terminal closed) ends the plugin, stops the task, exits ${code}`,
            { readyAfterDescribes: -1 },
            async ({ aws, sandbox, shell }) => {
                const run = shell();
                await sandbox.waitForSession();
                if (signal === "SIGHUP") {
                    // Writes to a closed terminal fail: they must not stop the cleanup.
                    run.child.stdout!.destroy();
                    run.child.stderr!.destroy();
                }
                run.child.kill(signal);
                const result = await run.exited;
                assert.equal(result.code, code);
                assert.deepEqual(sandbox.pluginSignals(), [signal.slice(3)]);
                assert.equal(aws.callsOf("StopTask").length, 1);
            },
        );
    }

    scenario(
        "under npx: Ctrl-C (delivered by the terminal and again by npm) during the wait stops the task",
        { readyAfterDescribes: Infinity },
        async ({ aws, sandbox }) => {
            // With the sandbox's empty npm cache, npx installs this project into it, which would run its prepare and
            // rebuild cli/dist under the bins of the other scenarios running meanwhile.
            const env = {
                ...sandbox.env(aws),
                PATH: `${sandbox.bin}:${process.env.PATH}`,
                npm_config_update_notifier: "false",
                npm_config_ignore_scripts: "true",
            };
            const run = startTool(["ecs-exec", "shell", "--outputs", sandbox.outputsFile], env, ["npx"]);
            await aws.waitFor("RunTask");
            run.interruptGroup();
            const result = await run.exited;
            assert.equal(aws.callsOf("StopTask").length, 1, result.stderr);
            assert.match(result.stderr, /Stopped exec task/);
        },
    );

    scenario(
        "a session the plugin could not start (it prints why and exits 0, as the real one does) exits 1 with its message, and stops the task",
        { readyAfterDescribes: -1 },
        async ({ aws, shell, operations }) => {
            const result = await shell([], { FAKE_PLUGIN_FAIL: "failed to open data channel with error: websocket: bad handshake" }).exited;
            assert.equal(result.code, 1, result.stderr);
            assert.match(
                result.stderr,
                /^ecs-exec: session-manager-plugin could not start the session: Cannot perform start session: failed to open data channel with error: websocket: bad handshake$/m,
            );
            assert.ok(!operations().includes("DescribeLogStreams"), "no transcript to wait for");
            assert.equal(aws.callsOf("StopTask").length, 1);
        },
    );

    scenario("forward: a session the plugin could not start exits 1 with its message, saying nowhere to connect", { readyAfterDescribes: -1 }, async ({ forward }) => {
        const result = await forward(["orders-db", "--local-port", String(await freePort())], { FAKE_PLUGIN_FAIL: "The session is not connected." }).exited;
        assert.equal(result.code, 1, result.stderr);
        assert.equal(result.stdout, "", "no line saying where to connect");
        assert.match(result.stderr, /^ecs-exec: session-manager-plugin could not start the session: Cannot perform start session: The session is not connected\.$/m);
    });

    scenario("another active session on the task keeps it running, and the tool says so", { readyAfterDescribes: -1 }, async ({ aws, sandbox, shell }) => {
        const run = shell();
        await sandbox.waitForSession();
        const other = aws.addSession(aws.taskArn([...aws.tasks.keys()][0]));
        sandbox.endSession();
        const result = await run.exited;
        assert.equal(result.code, 0, result.stderr);
        assert.equal(aws.callsOf("StopTask").length, 0);
        assert.match(result.stderr, new RegExp(`keeps running: another session uses it \\(${other}\\)`));
    });

    scenario(
        "AWS_REGION=eu-west-1 is noted and not followed: list and audit sign every request for the stack's region, and audit finds its calls",
        {
            trail: [
                {
                    eventName: "ExecuteCommand",
                    eventSource: "ecs.amazonaws.com",
                    eventTime: new Date(Date.now() - 3_600_000).toISOString().replace(/\.\d{3}Z$/, "Z"),
                    userIdentity: { arn: "arn:aws:sts::111122223333:assumed-role/Dev/carol@example.com", principalId: "AROAEXAMPLEROLEID123:carol@example.com" },
                    requestParameters: { cluster: "dev-ecs-exec", task: "0f8e9c1d2b3a4e5f60718293a4b5c6d7", container: "dev-ecs-exec", command: "/bin/bash" },
                    errorCode: "AccessDenied",
                    errorMessage: "not authorized to perform: ecs:ExecuteCommand",
                },
            ],
        },
        async ({ aws, sandbox }) => {
            const env = sandbox.env(aws, { AWS_REGION: "eu-west-1" });
            const listed = await startTool(["list", "--outputs", sandbox.outputsFile], env).exited;
            assert.equal(listed.code, 0, listed.stderr);
            const audited = await startTool(["audit", "--outputs", sandbox.outputsFile, "--since", "2h"], env).exited;
            assert.equal(audited.code, 0, audited.stderr);
            for (const result of [listed, audited]) {
                assert.match(result.stderr, /^AWS_REGION=eu-west-1 ignored: the stack is in us-east-1, and ecs-exec uses its region\.$/m);
            }
            assert.deepEqual([...new Set(aws.calls.map((c) => c.region))], [REGION]);
            assert.match(audited.stdout, /refused \(AccessDenied\)/);
            assert.match(audited.stdout, /^1 ExecuteCommand calls on dev-ecs-exec /m);
        },
    );

    scenario(
        "--profile NAME: every request signed with that profile's credentials, whatever AWS_PROFILE says, and the plugin gets its name",
        { readyAfterDescribes: -1 },
        async ({ aws, sandbox, shell }) => {
            fs.mkdirSync(path.join(sandbox.dir, ".aws"));
            fs.writeFileSync(
                path.join(sandbox.dir, ".aws", "credentials"),
                "[dev-developer]\naws_access_key_id = AKIAEXAMPLEFAKEKEY02\naws_secret_access_key = fake\n" +
                    "[other]\naws_access_key_id = AKIAEXAMPLEFAKEKEY03\naws_secret_access_key = fake\n",
            );
            sandbox.endSession();
            const result = await shell(["--profile", "dev-developer"], { AWS_PROFILE: "other", AWS_ACCESS_KEY_ID: "", AWS_SECRET_ACCESS_KEY: "" }).exited;
            assert.equal(result.code, 0, result.stderr);
            assert.deepEqual([...new Set(aws.calls.map((c) => c.accessKeyId))], ["AKIAEXAMPLEFAKEKEY02"]);
            assert.equal(sandbox.pluginArgs()![3], "dev-developer");
        },
    );

    // ecs-exec run, against a stand-in plugin whose remote end runs the command as the agent does (standInPlugin.ts).
    const agent = { plugin: "agent" as const, readyAfterDescribes: -1 };

    scenario(
        "run: every word reaches the container as given (quotes, backslashes, #, $, spaces, empty, non-ASCII), its output exactly on stdout, exit 0",
        agent,
        async ({ aws, sandbox, outputs, run, operations }) => {
            const result = await run(["--", "printf", "%s\\0", ...AWKWARD_WORDS]).exited;
            assert.equal(result.code, 0, result.stderr);
            assert.deepEqual(result.stdout.split("\0"), [...AWKWARD_WORDS, ""]);
            assert.match(result.stderr, /Starting session with SessionId: ecs-execute-command-\w+\n/, "the plugin's banners on stderr");
            assert.match(result.stderr, /Exiting session with sessionId/);
            assert.deepEqual(operations(), [
                "GetCallerIdentity",
                "ListTasks",
                "RunTask",
                "ExecuteCommand",
                "DescribeTasks",
                "DescribeSessions",
                "DescribeLogStreams",
                "ListObjectsV2",
                "DescribeSessions",
                "StopTask",
            ]);
            assert.equal(aws.callsOf("ExecuteCommand")[0].body.container, outputs.containerName);
            assert.equal(aws.callsOf("StopTask")[0].body.reason, "ecs-exec run ended");
            assert.equal(fs.existsSync(path.join(sandbox.plugin, "stdin")), false, "the plugin's stdin never ended");
        },
    );

    scenario(
        "run: the command's own exit status (3, 1), stderr in the session's one stream, output without a final newline, stdin a closed pipe",
        agent,
        async ({ run }) => {
            const mixed = run(["--", "sh", "-c", "echo out; echo err >&2; printf last; exit 3"], {}, "pipe");
            mixed.child.stdin!.end();
            const result = await mixed.exited;
            assert.equal(result.code, 3, result.stderr);
            assert.equal(result.stdout, "out\nerr\nlast");
            const failed = await run(["--", "false"]).exited;
            assert.equal(failed.code, 1, failed.stderr);
            assert.equal(failed.stdout, "");
        },
    );

    scenario(
        "run: a program the container lacks ends with the shell's message and 127; a container without sh, with the agent's message (exit 1)",
        agent,
        async ({ run, sandbox }) => {
            const missing = await run(["--", "no-such-program", "--version"]).exited;
            assert.equal(missing.code, 127, missing.stderr);
            assert.match(missing.stdout, /no-such-program: not found/);
            const noShell = await run(["--", "true"], { FAKE_CONTAINER_PATH: sandbox.plugin }).exited;
            assert.equal(noShell.code, 1);
            assert.match(noShell.stderr, /Unable to start command: failed to start pty: exec: "sh": executable file not found in \$PATH/);
            assert.match(noShell.stderr, /ecs-exec: the session ended before true reported its exit status/);
            assert.equal(noShell.stdout, "");
        },
    );

    scenario("run: Ctrl-C reaches the command first (its status, 130), then the task is stopped", agent, async ({ aws, sandbox, run }) => {
        const running = run(["--", "sh", "-c", "echo started; sleep 30; echo not reached"]);
        await eventually(() => running.stdoutSoFar() === "started\n", "the command has started", 15_000);
        running.interruptGroup();
        const result = await running.exited;
        assert.equal(result.code, 130, result.stderr);
        assert.equal(result.stdout, "started\n", "no ^C echoed into the output, nothing after the interrupt");
        assert.deepEqual(sandbox.pluginSignals(), ["INT"]);
        assert.match(result.stderr, /Ctrl-C passed to the command/);
        assert.equal(aws.callsOf("StopTask").length, 1);
    });

    scenario("run: the command runs for a file, not a terminal: no pager, no colour", agent, async ({ run }) => {
        const result = await run(["--", "sh", "-c", 'echo "$TERM|$PAGER|$GIT_PAGER|$PSQL_PAGER|[$AWS_PAGER]|$NO_COLOR"']).exited;
        assert.equal(result.code, 0, result.stderr);
        assert.equal(result.stdout, "dumb|cat|cat|cat|[]|1\n");
    });

    scenario(
        "run --reason tags the task it starts; a stack that requires a reason refuses run without one before any AWS call (exit 2)",
        agent,
        async ({ aws, sandbox, outputs, run }) => {
            const tagged = await run(["--reason", "INC-4711 restore orders", "--", "true"]).exited;
            assert.equal(tagged.code, 0, tagged.stderr);
            assert.deepEqual(aws.callsOf("RunTask")[0].body.tags, [
                { key: "Owner", value: ALICE },
                { key: "Reason", value: "INC-4711 restore orders" },
            ]);
            const strict = path.join(sandbox.dir, "strict.json");
            fs.writeFileSync(strict, JSON.stringify({ ...outputs, requireReason: true }));
            const before = aws.calls.length;
            const refused = await startTool(["run", "--outputs", strict, "--", "true"], sandbox.env(aws)).exited;
            assert.equal(refused.code, 2);
            assert.match(refused.stderr, /requires a reason for every exec task/);
            assert.equal(aws.calls.length, before, "no AWS call");
        },
    );

    scenario(
        "forward: StartSession and the plugin exactly as `aws ssm start-session` sends and starts them, where to connect, then TerminateSession and StopTask",
        { readyAfterDescribes: -1 },
        async ({ aws, sandbox, outputs, forward, operations }) => {
            const [destination] = outputs.portForwarding as { name: string; host: string; port: number }[];
            const localPort = await freePort();
            const run = forward([destination.name, "--local-port", String(localPort), "--reason", "INC-42 läuft"]);
            await eventually(() => run.stdoutSoFar().endsWith("Ctrl-C ends it.\n"), "the tool says where to connect");
            const args = sandbox.pluginArgs()!;
            const environment = sandbox.pluginEnvironment();
            sandbox.endSession();
            const result = await run.exited;
            assert.equal(result.code, 0, result.stderr);

            // A forwarding session has no transcript to wait for.
            assert.deepEqual(operations(), ["GetCallerIdentity", "ListTasks", "RunTask", "StartSession", "TerminateSession", "DescribeSessions", "StopTask"]);
            const taskId = [...aws.tasks.keys()][0];
            assert.deepEqual(aws.callsOf("RunTask")[0].body.tags, [
                { key: "Owner", value: ALICE },
                { key: "Reason", value: "INC-42 läuft" },
            ]);
            const request = aws.callsOf("StartSession")[0].body;
            assert.deepEqual(request, {
                Target: `ecs:${outputs.clusterName}_${taskId}_${taskId}-1527056392`,
                DocumentName: "AWS-StartPortForwardingSessionToRemoteHost",
                Reason: "INC-42 läuft",
                Parameters: { host: [destination.host], portNumber: [String(destination.port)], localPortNumber: [String(localPort)] },
            });
            const sessionId = aws.callsOf("TerminateSession")[0].body.SessionId;
            assert.match(sessionId, /^alice@example\.com-[0-9a-f]{17}$/);
            assert.equal(
                result.stdout,
                `localhost:${localPort} → ${destination.host}:${destination.port} through task ${taskId} (session ${sessionId}); Ctrl-C ends it.\n`,
            );
            assert.deepEqual(aws.callsOf("StopTask")[0].body, { cluster: outputs.clusterName, task: aws.taskArn(taskId), reason: "ecs-exec forward ended" });

            if (AWS_CLI === undefined) {
                return; // No reference client here: the test after this scenario says so.
            }
            // The same request from the AWS CLI, to the same stand-ins: the plugin must see the same call.
            fs.rmSync(path.join(sandbox.plugin, "args"));
            const cli = startTool(
                ["ssm", "start-session", "--target", request.Target, "--document-name", request.DocumentName, "--reason", request.Reason,
                    "--parameters", JSON.stringify(request.Parameters), "--endpoint-url", aws.url, "--region", REGION],
                { ...sandbox.env(aws), AWS_CONFIG_FILE: "/dev/null" },
                [AWS_CLI],
            );
            const cliResult = await cli.exited;
            assert.equal(cliResult.code, 0, cliResult.stderr);
            assert.deepEqual(aws.callsOf("StartSession")[1].body, request);
            // Each StartSession opens a session of its own: compare with the session ids blanked.
            const cliSessionId: string = JSON.parse(sandbox.pluginEnvironment()!).SessionId;
            const blank = (text: string, id: string) => text.split(id).join("SESSION");
            assert.deepEqual(args.map((a) => blank(a, sessionId)), sandbox.pluginArgs()!.map((a) => blank(a, cliSessionId)));
            assert.equal(blank(environment!, sessionId), blank(sandbox.pluginEnvironment()!, cliSessionId));
            assert.equal(args[0], "AWS_SSM_START_SESSION_RESPONSE", "the response goes in the environment to this plugin version");
        },
    );

    it(`forward: compared with the AWS CLI (${AWS_CLI ?? "not installed here: that comparison did not run"})`, function () {
        if (AWS_CLI === undefined) {
            this.skip();
        }
    });

    scenario(
        "forward: a second forward while my task runs reuses it without waiting (no RunTask, no poll); the first one stops the task when it ends",
        { readyAfterDescribes: -1 },
        async ({ aws, sandbox, forward }) => {
            const first = forward(["orders-db", "--local-port", String(await freePort())]);
            await sandbox.waitForSession();
            const secondPlugin = path.join(sandbox.dir, "plugin-2");
            fs.mkdirSync(secondPlugin);
            // An access key of its own tells the second forward's requests from the first's.
            const secondKey = "AKIAEXAMPLEFAKEKEY03";
            const second = forward(["orders-db", "--local-port", String(await freePort())], { FAKE_PLUGIN_DIR: secondPlugin, AWS_ACCESS_KEY_ID: secondKey });
            await eventually(() => fs.existsSync(path.join(secondPlugin, "args")), "the second forward's plugin has started", 15_000);
            // Up to its session: who I am, my tasks listed and described once, the session; no RunTask, no DescribeTasks poll.
            const secondCalls = aws.calls.filter((c) => c.accessKeyId === secondKey).map((c) => c.operation);
            assert.deepEqual(secondCalls.slice(0, secondCalls.indexOf("StartSession") + 1), ["GetCallerIdentity", "ListTasks", "DescribeTasks", "StartSession"]);
            assert.equal(aws.callsOf("RunTask").length, 1, "one task for both");
            fs.writeFileSync(path.join(secondPlugin, "end"), "");
            const secondResult = await second.exited;
            assert.equal(secondResult.code, 0, secondResult.stderr);
            assert.match(secondResult.stderr, /Reusing your exec task/);
            assert.equal(aws.callsOf("StopTask").length, 0, "the second leaves the task running");
            sandbox.endSession();
            assert.equal((await first.exited).code, 0);
            assert.equal(aws.callsOf("StopTask").length, 1);
            assert.equal(aws.callsOf("TerminateSession").length, 2);
        },
    );

    scenario("forward: an unknown destination is exit 2, listing the configured ones, before any AWS call", {}, async ({ forward, operations }) => {
        const result = await forward(["billing-db"]).exited;
        assert.equal(result.code, 2);
        assert.equal(result.stderr, 'ecs-exec: no destination "billing-db" in stack dev; configured: orders-db (see ecs-exec forward --help)\n');
        assert.deepEqual(operations(), []);
    });

    scenario("forward: a local port in use is exit 2 before any AWS call, saying to choose another", {}, async ({ forward, operations }) => {
        const port = await freePort();
        const server = await occupy(port);
        try {
            const result = await forward(["orders-db", "--local-port", String(port)]).exited;
            assert.equal(result.code, 2);
            assert.equal(result.stderr, `ecs-exec: local port ${port} is in use: stop what listens on it, or choose another with --local-port (see ecs-exec forward --help)\n`);
            assert.deepEqual(operations(), []);
        } finally {
            server.close();
        }
    });

    scenario(
        "forward: Ctrl-C ends the forwarding (the plugin's port session ends on it), then TerminateSession and StopTask, exit 0",
        { readyAfterDescribes: -1 },
        async ({ aws, sandbox, forward, operations }) => {
            const run = forward(["orders-db", "--local-port", String(await freePort())]);
            await sandbox.waitForSession();
            run.interruptGroup();
            const result = await run.exited;
            assert.equal(result.code, 0, result.stderr);
            assert.equal(sandbox.pluginSignals()[0], "INT");
            assert.deepEqual(operations().slice(-3), ["TerminateSession", "DescribeSessions", "StopTask"]);
            assert.match(result.stderr, /Stopped exec task/);
            assert.equal(aws.callsOf("StartSession").length, 1);
        },
    );

    it("npx ecs-exec runs the built bin from the project root", async () => {
        const help = await new Promise<string>((resolve, reject) =>
            execFile(
                "npx",
                ["ecs-exec", "--help"],
                { cwd: PROJECT_DIR, env: { ...process.env, npm_config_update_notifier: "false" } },
                (e, out) => (e ? reject(e) : resolve(out)),
            ),
        );
        assert.match(help, /^Usage: ecs-exec /);
        for (const command of ["shell", "run", "forward", "list", "stop", "audit"]) {
            assert.match(help, new RegExp(`^  ${command} `, "m"));
        }
    });
});
