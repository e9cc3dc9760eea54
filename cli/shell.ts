/**
 * `ecs-exec shell`: a shell in your own exec task (reused or started, and stopped afterwards: cli/ownTask.ts),
 * opened through session-manager-plugin as `aws ecs execute-command` opens it.
 */
import { ExecuteCommandCommand } from "@aws-sdk/client-ecs";
import { awsCall, endpointUrl } from "./aws";
import { EXIT, SessionError, TaskNotReadyError } from "./errors";
import { OwnTaskContext, OwnTaskOptions, ReadyTask, withOwnTask } from "./ownTask";
import { pluginArguments } from "./plugin";
import { describeTasks, taskId } from "./tasks";

export { POLL_MS } from "./ownTask";

export interface ShellOptions extends OwnTaskOptions {
    command: string;
}

export interface ShellContext extends OwnTaskContext {
    /** The profile in use ("" for none), for the plugin. */
    profile: string;
    /** When the command started, for time-to-shell. */
    startedAt: number;
}

/** Runs the shell command; resolves with its exit code when the session ends. */
export function shell(options: ShellOptions, ctx: ShellContext): Promise<number> {
    return withOwnTask("shell", options, ctx, (ready) => openSession(options.command, ready, ctx));
}

async function openSession(command: string, { task, interruption }: ReadyTask, ctx: ShellContext): Promise<number> {
    const { ecs, outputs, progress } = ctx;
    const taskArn = task.taskArn!;
    const response = await awsCall("ecs:ExecuteCommand", () =>
        ecs.send(
            new ExecuteCommandCommand({
                cluster: outputs.clusterName,
                task: taskArn,
                container: outputs.containerName,
                interactive: true,
                command,
            }),
        ),
    );
    interruption.throwIfInterrupted();
    // As the AWS CLI: names from the response, the container's runtime id from DescribeTasks.
    const clusterName = taskId(response.clusterArn!);
    const [described] = await describeTasks(ecs, clusterName, [taskId(response.taskArn!)]);
    const runtimeId = described?.containers?.find((c) => c.name === response.containerName)?.runtimeId;
    if (!runtimeId) {
        throw new TaskNotReadyError(`exec task ${taskId(taskArn)} stopped, or its container has no runtime id yet`);
    }
    const args = pluginArguments({
        session: response.session ?? {},
        region: await ecs.config.region(),
        profile: ctx.profile,
        clusterName,
        taskId: taskId(response.taskArn!),
        runtimeId,
        endpointUrl: await endpointUrl(ecs),
    });
    interruption.throwIfInterrupted();

    progress.log(`Shell ready in ${((ctx.now() - ctx.startedAt) / 1000).toFixed(1)} s (${response.session?.sessionId}).`);
    const plugin = ctx.plugin.start(args);
    interruption.duringSession(plugin);
    const code = await plugin.exited;
    interruption.duringSession(undefined);
    interruption.throwIfInterrupted();
    if (code !== 0) {
        throw new SessionError(`the session ended with an error (session-manager-plugin exit code ${code})`);
    }
    return EXIT.OK;
}
