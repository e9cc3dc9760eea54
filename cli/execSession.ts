/**
 * A session in your exec task, opened as `aws ecs execute-command` opens it (aws-cli
 * awscli/customizations/ecs/executecommand.py): ExecuteCommand, then DescribeTasks for the container's runtime id,
 * then the six arguments session-manager-plugin takes. `shell` and `run` both open theirs this way.
 */
import { ExecuteCommandCommand } from "@aws-sdk/client-ecs";
import { awsCall, endpointUrl } from "./aws";
import { TaskNotReadyError } from "./errors";
import type { OwnTaskContext, ReadyTask } from "./ownTask";
import { pluginArguments } from "./plugin";
import { describeTasks, taskId } from "./tasks";

export interface ExecSessionContext extends Pick<OwnTaskContext, "ecs" | "outputs"> {
    /** The profile in use ("" for none), for the plugin. */
    profile: string;
}

export interface ExecSession {
    sessionId: string;
    /** session-manager-plugin's arguments. */
    pluginArgs: string[];
}

/** Runs `command` in the exec container of the ready task; resolves with what session-manager-plugin needs. */
export async function openExecSession(command: string, { task, interruption }: ReadyTask, ctx: ExecSessionContext): Promise<ExecSession> {
    const { ecs, outputs } = ctx;
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
    const pluginArgs = pluginArguments({
        session: response.session ?? {},
        region: await ecs.config.region(),
        profile: ctx.profile,
        clusterName,
        taskId: taskId(response.taskArn!),
        runtimeId,
        endpointUrl: await endpointUrl(ecs),
    });
    interruption.throwIfInterrupted();
    return { sessionId: response.session?.sessionId ?? "", pluginArgs };
}
