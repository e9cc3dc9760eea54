/** Reads several checks share: made once per run, each check still declaring the action it relies on. */
import { DescribeTaskDefinitionCommand, DescribeTasksCommand, ListTasksCommand, type Tag, type Task, type TaskDefinition } from "@aws-sdk/client-ecs";
import type { CheckContext } from "./check";

const DESCRIBE_TASKS_LIMIT = 100;

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

/** Every exec task of the cluster that runs or is starting, with its tags. */
export async function runningExecTasks(ctx: CheckContext<never>): Promise<Task[]> {
    const arns = await ctx.aws(
        "ecs:ListTasks",
        async () => {
            const found: string[] = [];
            let nextToken: string | undefined;
            do {
                const page = await ctx.clients.ecs.send(
                    new ListTasksCommand({
                        cluster: ctx.outputs.clusterName,
                        family: ctx.outputs.taskDefinitionFamily,
                        desiredStatus: "RUNNING",
                        nextToken,
                    }),
                );
                found.push(...(page.taskArns ?? []));
                nextToken = page.nextToken;
            } while (nextToken);
            return found;
        },
        "ListTasks of the exec family",
    );
    return ctx.aws(
        "ecs:DescribeTasks",
        async () => {
            const tasks: Task[] = [];
            for (let i = 0; i < arns.length; i += DESCRIBE_TASKS_LIMIT) {
                tasks.push(...(await send(ctx, arns.slice(i, i + DESCRIBE_TASKS_LIMIT))));
            }
            return tasks;
        },
        "DescribeTasks of the exec family",
    );
}

/** Tasks of the exec cluster by id or ARN (those it does not know are left out). */
export function describeTasks(ctx: CheckContext<never>, tasks: string[]): Promise<Task[]> {
    return ctx.aws("ecs:DescribeTasks", () => send(ctx, tasks));
}

async function send(ctx: CheckContext<never>, tasks: string[]): Promise<Task[]> {
    if (tasks.length === 0) {
        return [];
    }
    const response = await ctx.clients.ecs.send(new DescribeTasksCommand({ cluster: ctx.outputs.clusterName, tasks, include: ["TAGS"] }));
    return response.tasks ?? [];
}
