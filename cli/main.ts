/**
 * The `ecs-exec` command line: arguments, the stack outputs and AWS clients each command needs, and the mapping
 * of failures to one message and a documented exit code.
 *
 * Each command loads its own modules and AWS clients when it runs (`import()`, a chunk of its own in the bundle):
 * `--help`, `--version` and bad arguments are answered without loading the AWS SDK.
 */
import { Command, CommanderError, Option } from "commander";
import { version } from "../package.json";
import type { AuditFormat } from "./audit";
import { stackRegion } from "./aws";
import { sleep } from "./clock";
import { CliError, EXIT, NoCredentialsError, seeHelp, UsageError } from "./errors";
import { formatTime, parseDuration, parseTime } from "./format";
import { ENVIRONMENT_HELP, EXIT_CODES_HELP, withExamples } from "./help";
import { requireFreePort } from "./localPort";
import { forwardingDestination, loadStackOutputs, PulumiRunner, runPulumi, StackOutputs } from "./outputs";
import { SessionManagerPlugin, sessionManagerPlugin } from "./plugin";
import { Progress, StatusStream } from "./progress";
import { checkReason, requireReasonWhereNeeded, withReasonOption } from "./reason";
import type { Timing } from "./ownTask";
import type { OutputSink } from "./run";
import type { SignalSource } from "./signals";
import { processTerminal, Terminal } from "./terminal";

/** Everything the tool takes from its process, so tests can run it in-process. */
export interface Runtime {
    argv: string[];
    env: NodeJS.ProcessEnv;
    /** Results, and `run`'s command output (bytes, with backpressure). */
    stdout: StatusStream & OutputSink;
    stderr: StatusStream;
    signals: SignalSource;
    plugin: SessionManagerPlugin;
    pulumi: PulumiRunner;
    now: () => number;
    /** The terminal on stdin, whose settings a session's plugin changes. */
    terminal: Terminal;
}

/** What every AWS client of a command is made with (see stackOutputs). */
interface ClientConfig {
    region: string;
    profile?: string;
}

interface StackOptions {
    stack?: string;
    outputs?: string;
    profile?: string;
}

/** The options of every command that uses your exec task (reused, or started and stopped afterwards). */
interface OwnTaskFlags {
    new?: boolean;
    keep?: boolean;
    timeout: string;
    reason?: string;
    minLeft: string;
    transcriptWait: string;
}

function withStackOptions(command: Command): Command {
    return command
        .option("-s, --stack <stack>", "the Pulumi stack (default: the selected stack, or the one in --outputs)")
        .option("--outputs <file>", "the stack's outputs as JSON (`pulumi stack output --json`), when the Pulumi CLI is not installed")
        .option("--profile <name>", "the AWS profile to use, for the AWS calls and session-manager-plugin (default: AWS_PROFILE)");
}

/** CloudTrail's event history, which LookupEvents reads, holds the last 90 days (LookupEvents API reference). */
const EVENT_HISTORY_DAYS = 90;

/** Declares OwnTaskFlags on a command that uses your exec task; `what` names it in --keep's help ("shell"). */
function withOwnTaskOptions(command: Command, what: string): Command {
    return withReasonOption(withStackOptions(command))
        .option("--new", "start a new task even if one of yours is running")
        .option("--min-left <duration>", "reuse a running task of yours only if it has this long before it stops itself", "30m")
        .option("--keep", `leave the task this ${what} started running when it ends`)
        .option("--timeout <duration>", "how long to wait for the task and its exec agent", "5m")
        .option("--transcript-wait <duration>", "how long to wait for the transcript before stopping the task this command started", "60s");
}

/** A duration option; `zero`: 0 is allowed (0s). */
function duration(text: string, option: string, zero = false): number {
    const ms = parseDuration(text);
    if (ms === undefined || (ms === 0 && !zero)) {
        throw new UsageError(`${option} takes a duration such as ${zero ? "0s, " : ""}90s, 5m or 1h, not "${text}"`);
    }
    return ms;
}

function localPort(text: string): number {
    const port = /^\d+$/.test(text) ? Number(text) : NaN;
    if (!(port >= 1 && port <= 65535)) {
        throw new UsageError(`--local-port takes a TCP port from 1 to 65535, not "${text}"`);
    }
    return port;
}

export async function main(rt: Runtime): Promise<number> {
    const startedAt = rt.now();
    const progress = new Progress(rt.stderr);
    const print = (text: string) => rt.stdout.write(`${text}\n`);
    const clients: { destroy(): void }[] = [];
    const client = <T extends { destroy(): void }>(c: T) => (clients.push(c), c);
    /** The profile of the command's AWS calls, as it goes to every client and to the plugin. */
    let profile: { name: string; from: "--profile" | "AWS_PROFILE" } | undefined;

    /**
     * The stack's outputs, and what every AWS client of the command is made with: the stack's region, and the profile
     * of --profile (the SDK reads AWS_PROFILE itself).
     */
    async function stackOutputs(options: StackOptions): Promise<{ outputs: StackOutputs; config: ClientConfig }> {
        profile = options.profile ? { name: options.profile, from: "--profile" } : rt.env.AWS_PROFILE ? { name: rt.env.AWS_PROFILE, from: "AWS_PROFILE" } : undefined;
        const outputs = await loadStackOutputs({ stack: options.stack, outputsFile: options.outputs }, rt.pulumi);
        const { region, notice } = stackRegion(outputs.region, rt.env);
        if (notice) {
            progress.log(notice);
        }
        return { outputs, config: { region, ...(options.profile ? { profile: options.profile } : {}) } };
    }

    /**
     * The options of a command that starts your task, checked with the stack's outputs before any AWS call: a bad
     * --timeout or --reason, or no reason where the stack requires one, exits 2 here.
     */
    async function ownTask(options: StackOptions & OwnTaskFlags) {
        const timeoutMs = duration(options.timeout, "--timeout");
        const minLeftMs = duration(options.minLeft, "--min-left", true);
        const transcriptWaitMs = duration(options.transcriptWait, "--transcript-wait", true);
        const reason = checkReason(options.reason);
        const { outputs, config } = await stackOutputs(options);
        requireReasonWhereNeeded(reason, outputs);
        if (minLeftMs > outputs.maxSessionHours * 3_600_000) {
            throw new UsageError(
                `--min-left ${options.minLeft} is more than an exec task of stack ${outputs.stack} lives (maxSessionHours: ${outputs.maxSessionHours} h)`,
            );
        }
        const own = { new: options.new === true, keep: options.keep === true, timeoutMs, reason, minLeftMs, transcriptWaitMs };
        return { outputs, config, own };
    }

    /** What every command that uses your exec task hands withOwnTask (cli/ownTask.ts), with its AWS clients. */
    function ownTaskContext(outputs: StackOutputs, clients: Awaited<ReturnType<typeof ownTaskClients>>, timing: Timing) {
        return {
            ...clients,
            ...timing,
            outputs,
            profile: profile?.name ?? "",
            plugin: rt.plugin,
            signals: rt.signals,
            progress,
            now: rt.now,
            sleep,
            terminal: rt.terminal,
        };
    }

    /** The ECS and STS clients of shell, run, forward, list and stop. */
    async function ecsAndSts(config: ClientConfig) {
        const [{ ECSClient }, { STSClient }] = await Promise.all([import("@aws-sdk/client-ecs"), import("@aws-sdk/client-sts")]);
        return { ecs: client(new ECSClient(config)), sts: client(new STSClient(config)) };
    }

    /** The clients of a command that uses your exec task: SSM for the other sessions on it, Logs and S3 for its transcripts. */
    async function ownTaskClients(config: ClientConfig) {
        const [ecsSts, { SSMClient }, { CloudWatchLogsClient }, { S3Client }] = await Promise.all([
            ecsAndSts(config),
            import("@aws-sdk/client-ssm"),
            import("@aws-sdk/client-cloudwatch-logs"),
            import("@aws-sdk/client-s3"),
        ]);
        return { ...ecsSts, ssm: client(new SSMClient(config)), logs: client(new CloudWatchLogsClient(config)), s3: client(new S3Client(config)) };
    }

    /** Every client doctor's checks use, loaded together: doctor runs them all at once. */
    async function doctorClients(config: ClientConfig) {
        const [sts, ecs, iam, kms, logs, ec2, events, cloudwatch, sns, sqs, cloudtrail] = await Promise.all([
            import("@aws-sdk/client-sts"),
            import("@aws-sdk/client-ecs"),
            import("@aws-sdk/client-iam"),
            import("@aws-sdk/client-kms"),
            import("@aws-sdk/client-cloudwatch-logs"),
            import("@aws-sdk/client-ec2"),
            import("@aws-sdk/client-eventbridge"),
            import("@aws-sdk/client-cloudwatch"),
            import("@aws-sdk/client-sns"),
            import("@aws-sdk/client-sqs"),
            import("@aws-sdk/client-cloudtrail"),
        ]);
        return {
            sts: client(new sts.STSClient(config)),
            ecs: client(new ecs.ECSClient(config)),
            iam: client(new iam.IAMClient(config)),
            kms: client(new kms.KMSClient(config)),
            logs: client(new logs.CloudWatchLogsClient(config)),
            ec2: client(new ec2.EC2Client(config)),
            events: client(new events.EventBridgeClient(config)),
            cloudwatch: client(new cloudwatch.CloudWatchClient(config)),
            sns: client(new sns.SNSClient(config)),
            // The queue URL names the stack's region's endpoint anyway; the client's own endpoint is the one configured.
            sqs: client(new sqs.SQSClient({ ...config, useQueueUrlAsEndpoint: false })),
            cloudtrail: client(new cloudtrail.CloudTrailClient(config)),
        };
    }

    const program = new Command("ecs-exec")
        .description("Shells, commands and port forwarding in your own ECS Exec task, and the audit of who opened which.")
        .version(version)
        // Options after run's COMMAND belong to it (`ecs-exec run --stack dev ls -la`).
        .enablePositionalOptions()
        .addHelpText("after", `${ENVIRONMENT_HELP}\n${EXIT_CODES_HELP}`)
        // `help` is a command of its own, so that `help <unknown>` is an error like `<unknown>`.
        .helpCommand(false)
        // Commander's own errors are printed in the tool's style by the catch below, like every other error.
        .configureOutput({ writeOut: (s) => rt.stdout.write(s), writeErr: (s) => rt.stderr.write(s), outputError: () => undefined });

    let exitCode: number = EXIT.OK;
    /** The command whose action runs: the help a UsageError of its own points to. */
    let running = "";
    program.hook("preAction", (_program, command) => {
        running = command.name();
    });

    withOwnTaskOptions(program.command("shell"), "shell")
        .description("open a shell in your exec task: reuse your running one, or start one and stop it when the shell ends")
        .option("--command <command>", "what to run in the container (default: bash where the container has it, else sh)")
        .action(async (options: StackOptions & OwnTaskFlags & { command?: string }) => {
            const { outputs, config, own } = await ownTask(options);
            const [{ shell, DEFAULT_SHELL, TIMING }, clients] = await Promise.all([import("./shell"), ownTaskClients(config)]);
            exitCode = await shell(
                { command: options.command ?? DEFAULT_SHELL, ...own },
                { ...ownTaskContext(outputs, clients, TIMING), startedAt, stdout: rt.stdout },
            );
        });

    withOwnTaskOptions(program.command("run"), "command")
        .description("run one command in your exec task: its output on stdout, its exit status as ecs-exec's (reuse or start the task as shell does)")
        .argument("<command>", "the program to run in the container (found on its PATH; no shell unless you run one: sh -c '...')")
        .argument("[args...]", "its arguments, each passed exactly as given")
        .passThroughOptions()
        .action(async (command: string, args: string[], options: StackOptions & OwnTaskFlags) => {
            const { outputs, config, own } = await ownTask(options);
            const [{ run, TIMING }, clients] = await Promise.all([import("./run"), ownTaskClients(config)]);
            exitCode = await run(
                { words: [command, ...args], ...own },
                { ...ownTaskContext(outputs, clients, TIMING), stdout: rt.stdout, stderr: rt.stderr },
            );
        });

    withOwnTaskOptions(program.command("forward"), "forwarding")
        .description("forward a local port to a destination the stack configures, through your exec task (reused, or started and stopped afterwards)")
        .argument("<name>", "the destination, as the stack's portForwarding names it")
        .option("--local-port <port>", "the local port to listen on (default: the destination's port)")
        .action(async (name: string, options: StackOptions & OwnTaskFlags & { localPort?: string }) => {
            const port = options.localPort === undefined ? undefined : localPort(options.localPort);
            const { outputs, config, own } = await ownTask(options);
            // Before any AWS call, and before the AWS clients load: a task started for a port nobody can use would only cost.
            const destination = forwardingDestination(outputs, name);
            await requireFreePort(port ?? destination.port);
            const [{ forward, TIMING }, clients] = await Promise.all([import("./forward"), ownTaskClients(config)]);
            exitCode = await forward(
                { destination, localPort: port ?? destination.port, ...own },
                { ...ownTaskContext(outputs, clients, TIMING), print, stderr: rt.stderr },
            );
        });

    withStackOptions(program.command("list"))
        .description("your running exec tasks, and the time each has left before it stops itself")
        .option("--all", "everyone's exec tasks")
        .action(async (options: StackOptions & { all?: boolean }) => {
            const { outputs, config } = await stackOutputs(options);
            const [{ list }, clients] = await Promise.all([import("./list"), ecsAndSts(config)]);
            print(await list(options.all === true, { ...clients, outputs, now: rt.now }));
        });

    withStackOptions(program.command("stop"))
        .description("stop an exec task of yours (IAM refuses anyone else's)")
        .argument("[task]", "the task id or ARN")
        .option("--mine", "stop all your exec tasks")
        .action(async (task: string | undefined, options: StackOptions & { mine?: boolean }) => {
            if ((task === undefined) === (options.mine !== true)) {
                throw new UsageError("stop takes a task id or --mine (one of them)");
            }
            const { outputs, config } = await stackOutputs(options);
            const [{ stop }, clients] = await Promise.all([import("./stop"), ecsAndSts(config)]);
            print((await stop(task !== undefined ? { task } : { mine: true }, { ...clients, outputs })).join("\n"));
        });

    withStackOptions(program.command("audit"))
        .description(
            "every ExecuteCommand call on the stack's cluster, refused ones included, joined to its session log, and every " +
                "Session Manager session straight to its tasks (port forwarding)",
        )
        .option("--since <time>", "start of the window: a duration back from now (24h, 7d) or an ISO time", "24h")
        .option("--until <time>", "end of the window (default: now)")
        .addOption(new Option("--json", "JSON records").conflicts("markdown"))
        .addOption(new Option("--markdown", "a Markdown table, for a ticket or a report"))
        .action(async (options: StackOptions & { since: string; until?: string; json?: boolean; markdown?: boolean }) => {
            const now = new Date(rt.now());
            const window = {
                start: parseTime(options.since, "--since", now),
                end: options.until ? parseTime(options.until, "--until", now) : now,
            };
            if (window.start >= window.end) {
                throw new UsageError("--since must be before --until");
            }
            const oldest = new Date(now.getTime() - EVENT_HISTORY_DAYS * 86_400_000);
            if (window.start < oldest) {
                throw new UsageError(
                    `--since reaches back before ${formatTime(oldest)}: CloudTrail's event history keeps ${EVENT_HISTORY_DAYS} days ` +
                        `(use --since ${EVENT_HISTORY_DAYS}d at most; older events are in the trail's S3 bucket)`,
                );
            }
            const format: AuditFormat = options.json ? "json" : options.markdown ? "markdown" : "text";
            const { outputs, config } = await stackOutputs(options);
            const [{ CloudTrailClient }, { CloudWatchLogsClient }, { S3Client }, { audit, formatAudit }] = await Promise.all([
                import("@aws-sdk/client-cloudtrail"),
                import("@aws-sdk/client-cloudwatch-logs"),
                import("@aws-sdk/client-s3"),
                import("./audit"),
            ]);
            const ctx = {
                // One attempt per request: audit paces LookupEvents and retries its throttling itself (cli/audit.ts).
                cloudTrail: client(new CloudTrailClient({ ...config, maxAttempts: 1 })),
                logs: client(new CloudWatchLogsClient(config)),
                s3: client(new S3Client(config)),
                outputs,
                progress,
                oldest,
                now: rt.now,
                sleep,
            };
            print(formatAudit(await audit(window, ctx), format, window, outputs.clusterName));
        });

    withStackOptions(program.command("doctor"))
        .description("check, read-only, that the deployed stack works: your access, the session path and the audit trail")
        .option("--task <id>", "the exec task whose agent to check (default: your running exec task)")
        .option("--json", "the report as JSON")
        .action(async (options: StackOptions & { task?: string; json?: boolean }) => {
            const { outputs, config } = await stackOutputs(options);
            const [{ doctor, formatReport, wantsColor }, clients] = await Promise.all([import("./doctor/run"), doctorClients(config)]);
            const result = await doctor({ clients, outputs, region: config.region, plugin: rt.plugin, taskId: options.task, now: rt.now });
            const report = options.json
                ? JSON.stringify(result.report, null, 2)
                : formatReport(result.report, result.caller, wantsColor(rt.stdout, rt.env));
            print(report);
            exitCode = result.exitCode;
        });

    program
        .command("help")
        .description("display help for command")
        .argument("[command]", "the command to explain")
        .action((name: string | undefined) => {
            const command = name === undefined ? program : program.commands.find((c) => c.name() === name);
            if (command === undefined) {
                throw new UsageError(`unknown command '${name}'`, "");
            }
            command.outputHelp();
        });

    withExamples(program);
    for (const command of [program, ...program.commands]) {
        command.exitOverride((e) => {
            throw parserError(e, command === program ? "" : command.name());
        });
    }

    try {
        await program.parseAsync(rt.argv);
        return exitCode;
    } catch (e) {
        progress.clear();
        if (e instanceof CommanderError) {
            // Commander has printed the help (or the version): asked for, or for a missing command (exit 2).
            return e.exitCode === 0 ? EXIT.OK : EXIT.USAGE;
        }
        if (e instanceof UsageError) {
            // The one place a usage error is written: each ends with where the help of the command concerned is.
            rt.stderr.write(`ecs-exec: ${e.message} ${seeHelp(e.command ?? running)}\n`);
            return e.exitCode;
        }
        if (e instanceof NoCredentialsError) {
            rt.stderr.write(`ecs-exec: ${new NoCredentialsError(e.detail, profile).message}\n`);
            return e.exitCode;
        }
        if (e instanceof CliError) {
            rt.stderr.write(`ecs-exec: ${e.message}\n`);
            return e.exitCode;
        }
        rt.stderr.write(`ecs-exec: unexpected error (a bug, please report it):\n${(e as Error)?.stack ?? String(e)}\n`);
        return EXIT.INTERNAL;
    } finally {
        for (const c of clients) {
            c.destroy();
        }
    }
}

/**
 * Commander's error (an unknown option or command, a missing or excess argument, options that conflict) as the
 * tool's: one line, without commander's `error: `. Help and version pass through.
 */
function parserError(e: CommanderError, command: string): Error {
    if (e.code === "commander.helpDisplayed" || e.code === "commander.version" || e.code === "commander.help") {
        return e;
    }
    // A suggestion comes on a line of its own: "(Did you mean --stack?)".
    return new UsageError(e.message.replace(/^error: /, "").replace(/\n/g, " ").replace(/\.$/, ""), command);
}

/** The real process: what the bin runs. */
export function run(): void {
    // A terminal that hung up (SIGHUP) or a closed pipe must not crash the tool before it stops its task.
    for (const stream of [process.stdout, process.stderr]) {
        stream.on("error", () => undefined);
    }
    main({
        argv: process.argv,
        env: process.env,
        stdout: process.stdout,
        stderr: process.stderr,
        signals: process,
        plugin: sessionManagerPlugin,
        pulumi: runPulumi,
        now: Date.now,
        terminal: processTerminal,
    }).then((code) => {
        process.exitCode = code;
    });
}
