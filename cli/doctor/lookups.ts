/** Reads several checks share: made once per run, each check still declaring the action it relies on. */
import { DescribeTaskDefinitionCommand, type Tag, type Task, type TaskDefinition } from "@aws-sdk/client-ecs";
import { describeTasks as describeTasksOf, listExecTasks } from "../tasks";
import type { CheckContext } from "./check";

/** The exec family's latest ACTIVE revision, which RunTask by family starts ("If you specify only a family, the latest ACTIVE revision is used": ECS API reference, RunTask). */
export async function execTaskDefinition(ctx: CheckContext<never>): Promise<{ taskDefinition: TaskDefinition; tags: Tag[] }> {
    const response = await ctx.aws(
        "ecs:DescribeTaskDefinition",
        () =>
            ctx.clients.ecs.send(
                new DescribeTaskDefinitionCommand({ taskDefinition: ctx.outputs.taskDefinitionFamily, include: ["TAGS"] }),
            ),
        "DescribeTaskDefinition",
    );
    return { taskDefinition: response.taskDefinition!, tags: response.tags ?? [] };
}

/**
 * Every exec task of the cluster that runs or is starting, with its tags: listed once per run, whichever checks ask.
 * The listing's nth request depends only on the answers to those before it, so the nth request of every check's
 * listing is the same request, and is sent once.
 */
export function runningExecTasks(ctx: CheckContext<never>): Promise<Task[]> {
    let request = 0;
    return listExecTasks(ctx.clients.ecs, ctx.outputs, (action, send) => ctx.aws(action, send, `exec tasks, request ${request++}`));
}

/** Tasks of the exec cluster by id or ARN (those it does not know are left out). */
export function describeTasks(ctx: CheckContext<never>, tasks: string[]): Promise<Task[]> {
    return describeTasksOf(ctx.clients.ecs, ctx.outputs.clusterName, tasks, ctx.aws);
}
