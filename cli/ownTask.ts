/**
 * Your own exec task, for as long as a command needs it: the one life cycle `shell` and `forward` (and every later
 * command that opens a session) go through. Checks session-manager-plugin first, as the AWS CLI does, so no task is
 * started for a session that could not open; reuses your running exec task unless --new, else starts one tagged with
 * your caller id; waits until its exec agent runs; hands it to the command; and stops the task it started (unless
 * --keep) on every way out: the command ending, an error, or a signal.
 */
import { ECSClient, RunTaskCommand, Task } from "@aws-sdk/client-ecs";
import type { STSClient } from "@aws-sdk/client-sts";
import { runTaskRequest } from "../components/commands";
import { awsCall } from "./aws";
import { TaskNotReadyError } from "./errors";
import { formatDuration, formatTime } from "./format";
import { callerUserId, requireTaggableOwner } from "./identity";
import type { StackOutputs } from "./outputs";
import type { SessionManagerPlugin } from "./plugin";
import type { Progress } from "./progress";
import { Interruption, SignalSource } from "./signals";
import { describeTasks, listExecTasks, notReadyMessage, readiness, reasonOf, reusableTask, stopsAt, stopTask, taskId } from "./tasks";

export interface OwnTaskOptions {
    /** Start a new task even if one of yours is running. */
    new: boolean;
    /** Leave the task this command started running when it ends. */
    keep: boolean;
    /** How long to wait for the task and its exec agent. */
    timeoutMs: number;
    /** The Reason tag of a task this command starts (checked: cli/reason.ts). A reused task keeps its own. */
    reason?: string;
}

export interface OwnTaskContext {
    ecs: ECSClient;
    sts: STSClient;
    outputs: StackOutputs;
    plugin: SessionManagerPlugin;
    signals: SignalSource;
    progress: Progress;
    now: () => number;
    pollMs: number;
}

export const POLL_MS = 2000;

/** A ready exec task of the caller's, handed to the command that asked for it. */
export interface ReadyTask {
    task: Task;
    /** Signals during the command: it passes its session to `duringSession`, and calls `throwIfInterrupted` between steps. */
    interruption: Interruption;
}

/**
 * Runs `use` with a ready exec task of the caller's; resolves with its exit code once the task it started, if any,
 * is stopped (or left running with --keep). `command` names the command in messages and in the task's stop reason.
 */
export async function withOwnTask(
    command: string,
    options: OwnTaskOptions,
    ctx: OwnTaskContext,
    use: (ready: ReadyTask) => Promise<number>,
): Promise<number> {
    const interruption = new Interruption(ctx.signals, ctx.now);
    const own: { task?: Task } = {};
    let outcome: { code: number } | { error: unknown };
    try {
        const task = await readyTask(command, options, ctx, interruption, own);
        outcome = { code: await use({ task, interruption }) };
    } catch (error) {
        outcome = { error };
    }
    // Signals keep being caught until the cleanup is done: a second Ctrl-C waits for it instead of skipping it.
    interruption.duringSession(undefined);
    let cleanupError: unknown;
    if (own.task) {
        try {
            await leaveTask(command, own.task, options.keep, ctx);
        } catch (e) {
            cleanupError = e;
        }
    }
    interruption.dispose();
    if ("error" in outcome) {
        // The first failure is the one to report; a failed stop after it is printed, not lost.
        if (cleanupError) {
            ctx.progress.log(`error: ${(cleanupError as Error).message}`);
        }
        throw outcome.error;
    }
    if (cleanupError) {
        throw cleanupError;
    }
    interruption.throwIfInterrupted();
    return outcome.code;
}

/** Your running exec task, or a new one; once its exec agent runs. `own.task` is set to a task this started. */
async function readyTask(
    command: string,
    options: OwnTaskOptions,
    ctx: OwnTaskContext,
    interruption: Interruption,
    own: { task?: Task },
): Promise<Task> {
    const { ecs, outputs, progress } = ctx;
    // First, as the AWS CLI does: no task is started for a session that could not open.
    await ctx.plugin.check();
    interruption.throwIfInterrupted();
    const me = await callerUserId(ctx.sts);
    requireTaggableOwner(me);
    interruption.throwIfInterrupted();

    let task = options.new ? undefined : reusableTask(await listExecTasks(ecs, outputs), me);
    interruption.throwIfInterrupted();
    if (task) {
        progress.log(`Reusing your exec task ${taskId(task.taskArn!)}; it keeps running after this ${command}. ${reasonNotice(task, options.reason)}`);
    } else {
        const placement = {
            cluster: outputs.clusterName,
            taskFamily: outputs.taskDefinitionFamily,
            subnetIds: outputs.subnetIds,
            securityGroupId: outputs.securityGroupId,
            assignPublicIp: outputs.assignPublicIp,
        };
        // Never aborted: a task must not start without the tool learning its ARN, or nobody would stop it.
        const response = await awsCall("ecs:RunTask", () => ecs.send(new RunTaskCommand(runTaskRequest(placement, me, options.reason))));
        task = response.tasks?.[0];
        if (!task?.taskArn) {
            const reasons = (response.failures ?? []).map((f) => `${f.reason}${f.detail ? ` (${f.detail})` : ""}`);
            throw new TaskNotReadyError(`ECS did not start the exec task: ${reasons.join("; ") || "no reason given"}`);
        }
        own.task = task;
        const why = options.reason === undefined ? "" : `, Reason "${options.reason}"`;
        progress.log(`Started exec task ${taskId(task.taskArn)} in ${outputs.clusterName}, Owner ${me}${why}.`);
        interruption.throwIfInterrupted();
    }

    task = await waitUntilReady(task, options.timeoutMs, ctx, interruption);
    if (own.task) {
        own.task = task; // now with its startedAt, for --keep's "until"
    }
    return task;
}

/**
 * A reused task keeps the Reason it was started with: tags are set at RunTask only (the developer policy allows
 * TagResource at launch alone), so the alerts and the audit show that reason for every session in it.
 */
function reasonNotice(task: Task, reason: string | undefined): string {
    const current = reasonOf(task);
    const kept = current === undefined ? "It has no Reason tag" : `Its Reason, from when it was started: "${current}"`;
    if (reason === undefined || reason === current) {
        return `${kept}.`;
    }
    return `${kept}; --reason tags only a task a command starts (--new starts one with it).`;
}

/** Polls DescribeTasks until the task and its exec agent run, the task stops, or the timeout passes. */
async function waitUntilReady(task: Task, timeoutMs: number, ctx: OwnTaskContext, interruption: Interruption): Promise<Task> {
    const { containerName, clusterName } = ctx.outputs;
    const id = taskId(task.taskArn!);
    const start = ctx.now();
    for (;;) {
        const state = readiness(task, containerName);
        if (state.state === "ready") {
            ctx.progress.clear();
            return task;
        }
        if (state.state === "stopped") {
            throw new TaskNotReadyError(`exec task ${id} stopped before it was ready: ${state.reason}`);
        }
        const elapsed = ctx.now() - start;
        if (elapsed >= timeoutMs) {
            throw new TaskNotReadyError(notReadyMessage(task, containerName, timeoutMs));
        }
        const status = `Waiting for exec task ${id}: ${state.stage}`;
        ctx.progress.update(`${status} (${formatDuration(elapsed)})`, status);
        await interruption.sleep(Math.min(ctx.pollMs, timeoutMs - elapsed));
        interruption.throwIfInterrupted();
        const [latest] = await describeTasks(ctx.ecs, clusterName, [task.taskArn!]);
        if (!latest) {
            throw new TaskNotReadyError(`exec task ${id} is gone: ECS no longer describes it`);
        }
        task = latest;
    }
}

/** Stops the task the command started, or says how long it keeps running with --keep. */
async function leaveTask(command: string, task: Task, keep: boolean, ctx: OwnTaskContext): Promise<void> {
    const id = taskId(task.taskArn!);
    if (keep) {
        const until = stopsAt(task, ctx.outputs.maxSessionHours);
        ctx.progress.log(`Exec task ${id} keeps running (--keep) until about ${formatTime(until)}; ecs-exec stop ${id} stops it.`);
        return;
    }
    ctx.progress.update(`Stopping exec task ${id}...`);
    try {
        await stopTask(ctx.ecs, ctx.outputs.clusterName, task.taskArn!, `ecs-exec ${command} ended`);
    } catch (e) {
        ctx.progress.log(
            `Exec task ${id} may still be running: ecs-exec stop ${id} stops it (it stops itself after ${ctx.outputs.maxSessionHours} h).`,
        );
        throw e;
    }
    ctx.progress.log(`Stopped exec task ${id}.`);
}
