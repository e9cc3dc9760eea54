/** `ecs-exec list`: your running exec tasks (everyone's with --all), and how long each has left. */
import type { ECSClient, Task } from "@aws-sdk/client-ecs";
import type { STSClient } from "@aws-sdk/client-sts";
import { formatDuration, formatTime, textTable } from "./format";
import { callerUserId } from "./identity";
import type { StackOutputs } from "./outputs";
import { listExecTasks, ownerOf, stopsAt, taskId } from "./tasks";

export interface ListContext {
    ecs: ECSClient;
    sts: STSClient;
    outputs: StackOutputs;
    now: () => number;
}

export async function list(all: boolean, ctx: ListContext): Promise<string> {
    const me = await callerUserId(ctx.sts);
    const tasks = (await listExecTasks(ctx.ecs, ctx.outputs)).filter((task) => all || ownerOf(task) === me);
    if (tasks.length === 0) {
        return all
            ? `No exec tasks running in ${ctx.outputs.clusterName}.`
            : `You have no exec tasks running in ${ctx.outputs.clusterName}. Start one with: ecs-exec shell`;
    }
    return taskTable(tasks, ctx.outputs.maxSessionHours, new Date(ctx.now()));
}

export function taskTable(tasks: Task[], maxSessionHours: number, now: Date): string {
    const rows = tasks.map((task) => {
        const end = stopsAt(task, maxSessionHours);
        return [
            taskId(task.taskArn!),
            ownerOf(task) ?? "(no Owner tag)",
            task.lastStatus ?? "-",
            formatTime(task.startedAt ?? task.createdAt),
            end ? formatDuration(end.getTime() - now.getTime()) : "-",
        ];
    });
    return textTable(["TASK", "OWNER", "STATUS", "STARTED", "TIME LEFT"], rows);
}
