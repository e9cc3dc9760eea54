/**
 * Exec tasks as the developer policy lets a developer see them: ListTasks on the exec cluster, DescribeTasks with
 * their tags (ListTagsForResource and DescribeTaskDefinition are not granted), StopTask on their own.
 */
import { DescribeTasksCommand, ECSClient, ListTasksCommand, StopTaskCommand, Task } from "@aws-sdk/client-ecs";
import { OWNER_TAG_KEY, REASON_TAG_KEY } from "../components/config";
import { awsCall } from "./aws";
import { formatDuration } from "./format";
import type { StackOutputs } from "./outputs";

/** The managed agent ECS Exec sessions go through. */
export const EXEC_AGENT = "ExecuteCommandAgent";
const DESCRIBE_TASKS_LIMIT = 100;

/**
 * How a request is sent: the tool's commands use `awsCall` (a refusal is an error naming the action); doctor passes
 * its check's own, which shares a run's reads between checks and turns a refusal into a skipped check.
 */
export type TaskReads = <T>(action: "ecs:ListTasks" | "ecs:DescribeTasks", send: () => Promise<T>) => Promise<T>;

export const taskId = (taskArn: string) => taskArn.split("/").pop()!;

export const ownerOf = (task: Task) => task.tags?.find((tag) => tag.key === OWNER_TAG_KEY)?.value;

export const reasonOf = (task: Task) => task.tags?.find((tag) => tag.key === REASON_TAG_KEY)?.value;

/** When the task stops itself: it sleeps maxSessionHours from when its container started. */
export function stopsAt(task: Task, maxSessionHours: number): Date | undefined {
    const start = task.startedAt ?? task.createdAt;
    return start && new Date(start.getTime() + maxSessionHours * 3_600_000);
}

/** The stack's exec tasks that are running or starting, with their tags. */
export async function listExecTasks(
    ecs: ECSClient,
    outputs: Pick<StackOutputs, "clusterName" | "taskDefinitionFamily">,
    call: TaskReads = awsCall,
): Promise<Task[]> {
    const arns: string[] = [];
    let nextToken: string | undefined;
    do {
        const page = await call("ecs:ListTasks", () =>
            ecs.send(
                new ListTasksCommand({
                    cluster: outputs.clusterName,
                    family: outputs.taskDefinitionFamily,
                    desiredStatus: "RUNNING",
                    nextToken,
                }),
            ),
        );
        arns.push(...(page.taskArns ?? []));
        nextToken = page.nextToken;
    } while (nextToken);
    const tasks: Task[] = [];
    for (let i = 0; i < arns.length; i += DESCRIBE_TASKS_LIMIT) {
        tasks.push(...(await describeTasks(ecs, outputs.clusterName, arns.slice(i, i + DESCRIBE_TASKS_LIMIT), call)));
    }
    return tasks;
}

/** Tasks of `cluster` by id or ARN, with their tags (those it does not know are left out). */
export async function describeTasks(ecs: ECSClient, cluster: string, taskArns: string[], call: TaskReads = awsCall): Promise<Task[]> {
    if (taskArns.length === 0) {
        return [];
    }
    const response = await call("ecs:DescribeTasks", () => ecs.send(new DescribeTasksCommand({ cluster, tasks: taskArns, include: ["TAGS"] })));
    return response.tasks ?? [];
}

/** When a task may be reused: while it has `minLeftMs` to run before it stops itself (`--min-left`). */
export interface ReuseRule {
    now: number;
    minLeftMs: number;
    maxSessionHours: number;
}

/**
 * The newest of `owner`'s tasks that a session can use (exec enabled, not stopping, with at least `minLeftMs` before
 * it stops itself), and the newest of theirs passed over for having less time left than that.
 */
export function reusableTask(tasks: Task[], owner: string, rule: ReuseRule): { task?: Task; endingSoon?: Task } {
    const time = (task: Task) => (task.startedAt ?? task.createdAt)?.getTime() ?? 0;
    const usable = tasks
        .filter((task) => ownerOf(task) === owner && task.enableExecuteCommand && task.desiredStatus === "RUNNING")
        .sort((a, b) => time(b) - time(a));
    const timeLeft = (task: Task) => (stopsAt(task, rule.maxSessionHours)?.getTime() ?? Infinity) - rule.now;
    return { task: usable.find((task) => timeLeft(task) >= rule.minLeftMs), endingSoon: usable.find((task) => timeLeft(task) < rule.minLeftMs) };
}

export async function stopTask(ecs: ECSClient, cluster: string, taskArn: string, reason: string): Promise<void> {
    await awsCall("ecs:StopTask", () => ecs.send(new StopTaskCommand({ cluster, task: taskArn, reason })));
}

export type Readiness =
    | { state: "ready" }
    | { state: "starting"; stage: string }
    | { state: "stopped"; reason: string };

/** Ready for exec: the task RUNNING and, on the exec container, the ExecuteCommandAgent RUNNING. */
export function readiness(task: Task, containerName: string): Readiness {
    if (task.lastStatus === "STOPPED" || task.desiredStatus === "STOPPED") {
        return { state: "stopped", reason: stopDescription(task) };
    }
    if (task.lastStatus !== "RUNNING") {
        return { state: "starting", stage: task.lastStatus ?? "PROVISIONING" };
    }
    const agent = execAgent(task, containerName);
    if (agent?.lastStatus === "RUNNING") {
        return { state: "ready" };
    }
    return { state: "starting", stage: `RUNNING, exec agent ${agent?.lastStatus ?? "not reported yet"}` };
}

function execAgent(task: Task, containerName: string) {
    const container = task.containers?.find((c) => c.name === containerName);
    return container?.managedAgents?.find((agent) => agent.name === EXEC_AGENT);
}

/** Why ECS stopped a task, in its own words: the task's reason and each container's. */
export function stopDescription(task: Task): string {
    const parts = [task.stoppedReason ?? `desired status ${task.desiredStatus}, last status ${task.lastStatus}`];
    if (task.stopCode) {
        parts[0] += ` (${task.stopCode})`;
    }
    for (const container of task.containers ?? []) {
        const details = [container.reason, container.exitCode !== undefined ? `exit code ${container.exitCode}` : undefined];
        const known = details.filter((d) => d !== undefined);
        if (known.length > 0) {
            parts.push(`container ${container.name}: ${known.join(", ")}`);
        }
    }
    return parts.join("; ");
}

/** The timeout's message: where the task got to, and the checks that usually explain an agent that never runs. */
export function notReadyMessage(task: Task, containerName: string, timeoutMs: number): string {
    const id = taskId(task.taskArn ?? "");
    const waited = formatDuration(timeoutMs);
    if (task.lastStatus !== "RUNNING") {
        return (
            `exec task ${id} is still ${task.lastStatus ?? "PROVISIONING"} after ${waited} ` +
            "(a large image still pulling, or Fargate short of capacity). Try again with a longer --timeout."
        );
    }
    const agent = execAgent(task, containerName);
    const status = agent ? `${agent.lastStatus}${agent.reason ? `: ${agent.reason}` : ""}` : "not reported";
    return [
        `the exec agent of task ${id} is not RUNNING after ${waited} (agent ${status}). What usually explains it:`,
        "  - the task's subnets cannot reach Session Manager (ssmmessages) over HTTPS: they need a NAT gateway,",
        "    a public IP (ecs-exec:assignPublicIp) or the ssmmessages VPC endpoint (ecs-exec:vpcEndpoints);",
        "  - the task role lacks the ssmmessages Create/OpenControlChannel and Create/OpenDataChannel permissions;",
        "  - AWS credentials in the container's environment (AWS_ACCESS_KEY_ID ...) override the task role;",
        "  - a Fargate platform version older than 1.4.0.",
        "  Check a task in detail with https://github.com/aws-containers/amazon-ecs-exec-checker",
    ].join("\n");
}
