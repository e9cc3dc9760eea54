/**
 * `ecs-exec shell`: a shell in your own exec task. Reuses your running exec task unless --new, else starts one;
 * waits until its exec agent runs; opens the session through session-manager-plugin; and stops the task it
 * started (unless --keep) on every way out: the shell ending, an error, or a signal.
 */
import { ECSClient, ExecuteCommandCommand, RunTaskCommand, Task } from "@aws-sdk/client-ecs";
import type { STSClient } from "@aws-sdk/client-sts";
import { runTaskRequest } from "../components/commands";
import { awsCall, ecsEndpointUrl } from "./aws";
import { EXIT, SessionError, TaskNotReadyError } from "./errors";
import { formatDuration, formatTime } from "./format";
import { callerUserId, requireTaggableOwner } from "./identity";
import type { StackOutputs } from "./outputs";
import { pluginArguments, SessionManagerPlugin } from "./plugin";
import type { Progress } from "./progress";
import { Interruption, SignalSource } from "./signals";
import {
    describeTasks,
    listExecTasks,
    notReadyMessage,
    readiness,
    reusableTask,
    stopsAt,
    stopTask,
    taskId,
} from "./tasks";

export interface ShellOptions {
    command: string;
    /** Start a new task even if one of yours is running. */
    new: boolean;
    /** Leave the task this shell started running when the shell ends. */
    keep: boolean;
    /** How long to wait for the task and its exec agent. */
    timeoutMs: number;
}

export interface ShellContext {
    ecs: ECSClient;
    sts: STSClient;
    outputs: StackOutputs;
    /** The profile in use ("" for none), for the plugin. */
    profile: string;
    plugin: SessionManagerPlugin;
    signals: SignalSource;
    progress: Progress;
    /** When the command started, for time-to-shell. */
    startedAt: number;
    now: () => number;
    pollMs: number;
}

export const POLL_MS = 2000;

/** Runs the shell command; resolves with its exit code when the session ends. */
export async function shell(options: ShellOptions, ctx: ShellContext): Promise<number> {
    const interruption = new Interruption(ctx.signals);
    const own: { task?: Task } = {};
    let outcome: { code: number } | { error: unknown };
    try {
        outcome = { code: await openSession(options, ctx, interruption, own) };
    } catch (error) {
        outcome = { error };
    }
    // Signals keep being caught until the cleanup is done: a second Ctrl-C waits for it instead of skipping it.
    interruption.duringSession(undefined);
    let cleanupError: unknown;
    if (own.task) {
        try {
            await leaveTask(own.task, options.keep, ctx);
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

async function openSession(
    options: ShellOptions,
    ctx: ShellContext,
    interruption: Interruption,
    own: { task?: Task },
): Promise<number> {
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
        progress.log(`Reusing your exec task ${taskId(task.taskArn!)}; it keeps running after this shell.`);
    } else {
        const placement = {
            cluster: outputs.clusterName,
            taskFamily: outputs.taskDefinitionFamily,
            subnetIds: outputs.subnetIds,
            securityGroupId: outputs.securityGroupId,
            assignPublicIp: outputs.assignPublicIp,
        };
        // Never aborted: a task must not start without the tool learning its ARN, or nobody would stop it.
        const response = await awsCall("ecs:RunTask", () => ecs.send(new RunTaskCommand(runTaskRequest(placement, me))));
        task = response.tasks?.[0];
        if (!task?.taskArn) {
            const reasons = (response.failures ?? []).map((f) => `${f.reason}${f.detail ? ` (${f.detail})` : ""}`);
            throw new TaskNotReadyError(`ECS did not start the exec task: ${reasons.join("; ") || "no reason given"}`);
        }
        own.task = task;
        progress.log(`Started exec task ${taskId(task.taskArn)} in ${outputs.clusterName}, Owner ${me}.`);
        interruption.throwIfInterrupted();
    }

    task = await waitUntilReady(task, options.timeoutMs, ctx, interruption);
    if (own.task) {
        own.task = task; // now with its startedAt, for --keep's "until"
    }
    const taskArn = task.taskArn!;
    const response = await awsCall("ecs:ExecuteCommand", () =>
        ecs.send(
            new ExecuteCommandCommand({
                cluster: outputs.clusterName,
                task: taskArn,
                container: outputs.containerName,
                interactive: true,
                command: options.command,
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
        endpointUrl: await ecsEndpointUrl(ecs),
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

/** Polls DescribeTasks until the task and its exec agent run, the task stops, or the timeout passes. */
async function waitUntilReady(task: Task, timeoutMs: number, ctx: ShellContext, interruption: Interruption): Promise<Task> {
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

/** Stops the task this shell started, or says how long it keeps running with --keep. */
async function leaveTask(task: Task, keep: boolean, ctx: ShellContext): Promise<void> {
    const id = taskId(task.taskArn!);
    if (keep) {
        const until = stopsAt(task, ctx.outputs.maxSessionHours);
        ctx.progress.log(`Exec task ${id} keeps running (--keep) until about ${formatTime(until)}; ecs-exec stop ${id} stops it.`);
        return;
    }
    ctx.progress.update(`Stopping exec task ${id}...`);
    try {
        await stopTask(ctx.ecs, ctx.outputs.clusterName, task.taskArn!, "ecs-exec shell ended");
    } catch (e) {
        ctx.progress.log(
            `Exec task ${id} may still be running: ecs-exec stop ${id} stops it (it stops itself after ${ctx.outputs.maxSessionHours} h).`,
        );
        throw e;
    }
    ctx.progress.log(`Stopped exec task ${id}.`);
}
