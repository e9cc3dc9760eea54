/** `ecs-exec stop TASK | --mine`. IAM lets a developer stop only tasks whose Owner is themselves. */
import type { ECSClient } from "@aws-sdk/client-ecs";
import type { STSClient } from "@aws-sdk/client-sts";
import { PermissionError } from "./errors";
import { callerUserId } from "./identity";
import type { StackOutputs } from "./outputs";
import { listExecTasks, ownerOf, stopTask, taskId } from "./tasks";

export interface StopContext {
    ecs: ECSClient;
    sts: STSClient;
    outputs: StackOutputs;
}

const REASON = "Stopped with ecs-exec stop";

/** Stops one task (an id or ARN) or all of the caller's; returns what was stopped. */
export async function stop(target: { task: string } | { mine: true }, ctx: StopContext): Promise<string[]> {
    if ("task" in target) {
        try {
            await stopTask(ctx.ecs, ctx.outputs.clusterName, target.task, REASON);
        } catch (e) {
            if (e instanceof PermissionError) {
                throw new PermissionError(
                    e.action,
                    `the developer policy lets you stop only exec tasks whose Owner is you (AWS says: ${e.detail})`,
                );
            }
            throw e;
        }
        return [`Stopped exec task ${taskId(target.task)}.`];
    }
    const me = await callerUserId(ctx.sts);
    const mine = (await listExecTasks(ctx.ecs, ctx.outputs)).filter((task) => ownerOf(task) === me);
    for (const task of mine) {
        await stopTask(ctx.ecs, ctx.outputs.clusterName, task.taskArn!, REASON);
    }
    return mine.length > 0
        ? mine.map((task) => `Stopped exec task ${taskId(task.taskArn!)}.`)
        : [`You have no exec tasks running in ${ctx.outputs.clusterName}.`];
}
