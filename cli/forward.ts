/**
 * `ecs-exec forward`: a local port forwarded to a destination the stack configures, through your own exec task
 * (reused or started, and stopped afterwards: cli/ownTask.ts), opened as `aws ssm start-session` opens a session with
 * the document AWS-StartPortForwardingSessionToRemoteHost. It runs until Ctrl-C or until the plugin ends the session;
 * the session is terminated on every way out once StartSession has answered.
 */
import { StartSessionCommand, SSMClient, TerminateSessionCommand } from "@aws-sdk/client-ssm";
import { ecsSessionTarget, ForwardingTarget, forwardingRequest } from "../components/portForwarding";
import { awsCall, endpointUrl } from "./aws";
import { EXIT, SessionError, TaskNotReadyError } from "./errors";
import { requireFreePort } from "./localPort";
import { OwnTaskContext, OwnTaskOptions, ReadyTask, withOwnTask } from "./ownTask";
import { startSessionPluginCall } from "./plugin";
import { taskId } from "./tasks";

export { POLL_MS } from "./ownTask";

export interface ForwardOptions extends OwnTaskOptions {
    destination: ForwardingTarget;
    localPort: number;
}

export interface ForwardContext extends OwnTaskContext {
    ssm: SSMClient;
    /** The profile in use ("" for none), for the plugin. */
    profile: string;
    /** Where the line saying where to connect goes (stdout). */
    print: (line: string) => void;
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

async function openForwarding(options: ForwardOptions, { task, interruption }: ReadyTask, ctx: ForwardContext): Promise<number> {
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

        ctx.print(`localhost:${localPort} → ${destination.host}:${destination.port} through task ${id} (session ${response.SessionId}); Ctrl-C ends it.`);
        const plugin = ctx.plugin.start(call.args, call.env);
        interruption.duringSession(plugin, "ends-session");
        const code = await plugin.exited;
        interruption.duringSession(undefined);
        interruption.throwIfInterrupted();
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
