/**
 * `ecs-exec forward`: a local port forwarded to a destination the stack configures, through your own exec task
 * (reused or started, and stopped afterwards: cli/ownTask.ts), opened as `aws ssm start-session` opens a session with
 * the document AWS-StartPortForwardingSessionToRemoteHost. It runs until Ctrl-C or until the plugin ends the session;
 * the session is terminated on every way out once StartSession has answered.
 */
import { StartSessionCommand, SSMClient, TerminateSessionCommand } from "@aws-sdk/client-ssm";
import { ecsSessionTarget, forwardingRequest, ForwardingTarget } from "../components/config";
import { awsCall, endpointUrl } from "./aws";
import { EXIT, SessionError, TaskNotReadyError } from "./errors";
import { acceptsConnections, requireFreePort } from "./localPort";
import { OwnTaskContext, OwnTaskOptions, ReadyTask, withOwnTask } from "./ownTask";
import { OutputTarget, PluginOutcome, relayPluginOutput, startFailureMessage, startSessionPluginCall } from "./plugin";
import { superviseSession } from "./session";
import { taskId } from "./tasks";
import type { Terminal } from "./terminal";

export { TIMING } from "./ownTask";

export interface ForwardOptions extends OwnTaskOptions {
    destination: ForwardingTarget;
    localPort: number;
}

export interface ForwardContext extends OwnTaskContext {
    ssm: SSMClient;
    /** The profile in use ("" for none), for the plugin. */
    profile: string;
    /** Where the line saying where to connect goes (stdout), once the local port takes connections. */
    print: (line: string) => void;
    /** Where the plugin's banners go. */
    stderr: OutputTarget;
    terminal: Terminal;
}

/** The exit code a plugin gets when Ctrl-C (SIGINT) kills it before its port session takes the signal over. */
const KILLED_BY_CTRL_C = 130;

/**
 * Runs the forward command once its local port was found free; resolves with its exit code when the session has
 * ended and the task is left as it should be.
 */
export function forward(options: ForwardOptions, ctx: ForwardContext): Promise<number> {
    return withOwnTask("forward", options, ctx, (ready) => openForwarding(options, ready, ctx));
}

async function openForwarding(options: ForwardOptions, { task, interruption, ledger }: ReadyTask, ctx: ForwardContext): Promise<number> {
    const { destination, localPort } = options;
    const { outputs, ssm } = ctx;
    const id = taskId(task.taskArn!);
    const runtimeId = task.containers?.find((c) => c.name === outputs.containerName)?.runtimeId;
    if (!runtimeId) {
        throw new TaskNotReadyError(`exec task ${id} reports no runtime id for its container ${outputs.containerName}`);
    }
    // Again: the wait for the task may have taken minutes.
    await requireFreePort(localPort);
    interruption.throwIfInterrupted();

    const request = forwardingRequest(ecsSessionTarget(outputs.clusterName, id, runtimeId), destination, localPort, options.reason);
    // Never aborted: a session must not open without the tool learning its id, or nobody would terminate it.
    const response = await awsCall("ssm:StartSession", () => ssm.send(new StartSessionCommand(request)));
    // A port forwarding session has no transcript (Session Manager logs none of it).
    ledger.sessions.push({ id: response.SessionId!, transcript: false });
    try {
        interruption.throwIfInterrupted();
        const call = startSessionPluginCall({
            response,
            region: await ssm.config.region(),
            profile: ctx.profile,
            request: { ...request },
            endpointUrl: await endpointUrl(ssm),
            pluginVersion: await ctx.plugin.version(),
        });
        interruption.throwIfInterrupted();

        const ready = `localhost:${localPort} → ${destination.host}:${destination.port} through task ${id} (session ${response.SessionId}); Ctrl-C ends it.`;
        const { code, listened, failure } = await runPlugin(call, localPort, ready, { task, interruption, ledger }, ctx);
        interruption.throwIfInterrupted();
        if (code === 0 && (failure !== undefined || !listened)) {
            throw new SessionError(failure !== undefined ? startFailureMessage(failure) : `session-manager-plugin ended without listening on localhost:${localPort}`);
        }
        // A plugin killed by SIGINT was ended by Ctrl-C: the terminal's, which may reach it before the tool sees its own.
        if (code !== 0 && code !== KILLED_BY_CTRL_C) {
            throw new SessionError(`the session ended with an error (session-manager-plugin exit code ${code})`);
        }
        return EXIT.OK;
    } finally {
        await terminate(response.SessionId!, ctx);
    }
}

/**
 * Runs the plugin until the forwarding ends: its banners to stderr, read for a failure to start, and the line saying
 * where to connect once the local port takes a connection. The terminal's settings are put back however it ends.
 */
async function runPlugin(
    call: { args: string[]; env: Record<string, string> },
    localPort: number,
    readyLine: string,
    ready: ReadyTask,
    ctx: ForwardContext,
): Promise<{ code: number; listened: boolean; failure?: string }> {
    const outcome = new PluginOutcome();
    const settings = ctx.terminal.save();
    try {
        const plugin = ctx.plugin.start(call.args, { env: call.env, readStdout: true });
        ready.interruption.duringSession(plugin, "ends-session");
        const exited = Promise.all([plugin.exited, relayPluginOutput(plugin.stdout!, ctx.stderr, outcome)]).then(([code]) => code);
        const listening = waitUntilListening(localPort, exited, outcome, ctx).then((listened) => {
            if (listened) {
                ctx.print(readyLine);
            }
            return listened;
        });
        const code = await superviseSession(exited, plugin, { command: "forward", task: ready.task, ledger: ready.ledger }, ctx);
        return { code, listened: await listening, failure: outcome.startFailure };
    } finally {
        ready.interruption.duringSession(undefined);
        if (settings !== undefined) {
            ctx.terminal.restore(settings);
        }
    }
}

/**
 * Whether the plugin took the local port: a plugin that could not open the session exits 0 all the same. It listens
 * once the session is open, and says so (portsession/basicportforwarding.go, startLocalListener); the tool also
 * connects to the port until a connection is accepted, so it needs no particular words. The plugin forwards that
 * connection: the destination sees one short connection.
 */
async function waitUntilListening(port: number, exited: Promise<unknown>, outcome: PluginOutcome, ctx: ForwardContext): Promise<boolean> {
    const ended = new AbortController();
    exited.then(
        () => ended.abort(),
        () => ended.abort(),
    );
    while (!ended.signal.aborted) {
        if (outcome.portOpened || (await acceptsConnections(port))) {
            return true;
        }
        await ctx.sleep(ctx.probeMs, ended.signal);
    }
    // A session ended at once (Ctrl-C) may have said it listened with its last words.
    return outcome.portOpened;
}

/**
 * Ends the session at Session Manager, as the plugin asks when it exits (it may have already: then this changes
 * nothing). A failure is reported, not fatal: the session also ends with the task.
 */
async function terminate(sessionId: string, ctx: ForwardContext): Promise<void> {
    try {
        await awsCall("ssm:TerminateSession", () => ctx.ssm.send(new TerminateSessionCommand({ SessionId: sessionId })));
    } catch (e) {
        ctx.progress.log(`Session ${sessionId} may still be open (${(e as Error).message}); it ends when the exec task stops.`);
    }
}
