/**
 * Your own exec task, for as long as a command needs it: the one life cycle `shell`, `run` and `forward` go through.
 * Checks session-manager-plugin first, as the AWS CLI does, so no task is started for a session that could not open;
 * reuses your running exec task unless --new or it stops itself within --min-left, else starts one tagged with your
 * caller id; waits until its exec agent runs; hands it to the command; and, for a task it started (unless --keep), on
 * every way out (the command ending, an error, or a signal): waits for the transcripts of the command's sessions,
 * leaves the task running if another session still uses it, and stops it otherwise.
 */
import type { CloudWatchLogsClient } from "@aws-sdk/client-cloudwatch-logs";
import type { S3Client } from "@aws-sdk/client-s3";
import { ECSClient, RunTaskCommand, Task } from "@aws-sdk/client-ecs";
import type { SSMClient } from "@aws-sdk/client-ssm";
import type { STSClient } from "@aws-sdk/client-sts";
import { ecsSessionTarget, runTaskRequest } from "../components/config";
import { awsCall } from "./aws";
import type { Sleep } from "./clock";
import { TaskNotReadyError } from "./errors";
import { formatDuration, formatTime } from "./format";
import { callerUserId, requireTaggableOwner } from "./identity";
import { otherActiveSessions } from "./otherSessions";
import type { StackOutputs } from "./outputs";
import type { SessionManagerPlugin } from "./plugin";
import type { Progress } from "./progress";
import { SessionLedger, WATCH_MS } from "./session";
import { Interruption, SignalSource } from "./signals";
import { describeTasks, listExecTasks, notReadyMessage, readiness, reasonOf, reusableTask, stopsAt, stopTask, taskId } from "./tasks";
import { bucketTranscripts, logGroupTranscripts, TRANSCRIPT_POLL_MS, waitForTranscripts } from "./transcripts";

export interface OwnTaskOptions {
    /** Start a new task even if one of yours is running. */
    new: boolean;
    /** Leave the task this command started running when it ends. */
    keep: boolean;
    /** How long to wait for the task and its exec agent. */
    timeoutMs: number;
    /** The Reason tag of a task this command starts (checked: cli/reason.ts). A reused task keeps its own. */
    reason?: string;
    /** A running task of yours is reused only with this long left before it stops itself (`--min-left`). */
    minLeftMs: number;
    /** How long to wait for the transcripts before stopping the task this command started (`--transcript-wait`). */
    transcriptWaitMs: number;
}

export interface OwnTaskContext extends Timing {
    ecs: ECSClient;
    sts: STSClient;
    /** Other sessions on the task (DescribeSessions), and forward's own. */
    ssm: SSMClient;
    /** The session log group and the transcripts' bucket, for the transcript wait. */
    logs: CloudWatchLogsClient;
    s3: S3Client;
    outputs: StackOutputs;
    plugin: SessionManagerPlugin;
    signals: SignalSource;
    progress: Progress;
    now: () => number;
    sleep: Sleep;
}

/** How often the tool looks: at the task while it starts and during a session, for transcripts, at forward's port. Shorter in tests. */
export interface Timing {
    pollMs: number;
    watchMs: number;
    transcriptPollMs: number;
    probeMs: number;
}

export const TIMING: Timing = { pollMs: 2000, watchMs: WATCH_MS, transcriptPollMs: TRANSCRIPT_POLL_MS, probeMs: 200 };

/** A ready exec task of the caller's, handed to the command that asked for it. */
export interface ReadyTask {
    task: Task;
    /** Signals during the command: it passes its session to `duringSession`, and calls `throwIfInterrupted` between steps. */
    interruption: Interruption;
    /** The command records its sessions here, for what happens to the task after them. */
    ledger: SessionLedger;
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
    const ledger: SessionLedger = { sessions: [] };
    let outcome: { code: number } | { error: unknown };
    try {
        const task = await readyTask(command, options, ctx, interruption, own);
        outcome = { code: await use({ task, interruption, ledger }) };
    } catch (error) {
        outcome = { error };
    }
    // Signals keep being caught until the cleanup is done: a second Ctrl-C waits for it instead of skipping it.
    interruption.duringSession(undefined);
    let cleanupError: unknown;
    if (own.task && !ledger.stopped) {
        try {
            await leaveTask(command, own.task, options, { ...ctx, ledger, interruption });
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

    let task = options.new ? undefined : await yourReusableTask(me, options, ctx);
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

/** Your running task with --min-left to go, if any; says so when one of yours is passed over for stopping sooner. */
async function yourReusableTask(me: string, options: OwnTaskOptions, ctx: OwnTaskContext): Promise<Task | undefined> {
    const rule = { now: ctx.now(), minLeftMs: options.minLeftMs, maxSessionHours: ctx.outputs.maxSessionHours };
    const { task, endingSoon } = reusableTask(await listExecTasks(ctx.ecs, ctx.outputs), me, rule);
    if (!task && endingSoon) {
        const left = stopsAt(endingSoon, ctx.outputs.maxSessionHours)!.getTime() - rule.now;
        ctx.progress.log(
            `Your exec task ${taskId(endingSoon.taskArn!)} stops itself in ${formatDuration(left)}, less than --min-left ` +
                `(${formatDuration(options.minLeftMs)}): starting a new one.`,
        );
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

interface Leaving extends OwnTaskContext {
    ledger: SessionLedger;
    interruption: Interruption;
}

/**
 * The task the command started, once its sessions have ended: kept with --keep; otherwise, after the transcripts of
 * its sessions have arrived (or the wait has ended), stopped unless another session still uses it.
 */
async function leaveTask(command: string, task: Task, options: OwnTaskOptions, ctx: Leaving): Promise<void> {
    const id = taskId(task.taskArn!);
    const until = stopsAt(task, ctx.outputs.maxSessionHours);
    if (options.keep) {
        ctx.progress.log(`Exec task ${id} keeps running (--keep) until about ${formatTime(until)}; ecs-exec stop ${id} stops it.`);
        return;
    }
    const transcripts = transcriptsToAwait(options, ctx);
    // A task another session keeps needs no wait: nothing stops it before the agent uploads.
    if (transcripts.length > 0 && (await keptForOtherSessions(task, until, ctx, { sayWhenUnknown: false }))) {
        return;
    }
    await awaitTranscripts(id, transcripts, options, ctx);
    // Asked again right before StopTask: the owner may have opened another session during the wait.
    if (await keptForOtherSessions(task, until, ctx, { sayWhenUnknown: true })) {
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

/** Whether another active session uses the task, which then keeps running: says so. */
async function keptForOtherSessions(
    task: Task,
    until: ReturnType<typeof stopsAt>,
    ctx: Leaving,
    asking: { sayWhenUnknown: boolean },
): Promise<boolean> {
    const others = await otherSessionsIn(task, ctx, asking.sayWhenUnknown);
    if (others.length === 0) {
        return false;
    }
    const id = taskId(task.taskArn!);
    ctx.progress.log(
        `Exec task ${id} keeps running: ${others.length === 1 ? "another session uses" : `${others.length} other sessions use`} it ` +
            `(${others.join(", ")}). It stops itself at about ${formatTime(until)}; ecs-exec stop ${id} stops it.`,
    );
    return true;
}

/** The sessions whose transcripts to wait for: those that have one, unless --transcript-wait is 0. */
function transcriptsToAwait(options: OwnTaskOptions, ctx: Leaving): string[] {
    return options.transcriptWaitMs === 0 ? [] : ctx.ledger.sessions.filter((session) => session.transcript).map((session) => session.id);
}

/** Waits for the transcripts of the sessions named, and says when the task is stopped without them. */
async function awaitTranscripts(id: string, sessionIds: string[], options: OwnTaskOptions, ctx: Leaving): Promise<void> {
    if (sessionIds.length === 0) {
        return;
    }
    const problem = await waitForTranscripts(sessionIds, {
        stores: [
            logGroupTranscripts(ctx.logs, ctx.outputs.sessionLogGroupName),
            // Deployments before the transcripts' bucket have none in their outputs.
            ...(ctx.outputs.transcriptBucketName ? [bucketTranscripts(ctx.s3, ctx.outputs.transcriptBucketName)] : []),
        ],
        timeoutMs: options.transcriptWaitMs,
        pollMs: ctx.transcriptPollMs,
        now: ctx.now,
        sleep: ctx.sleep,
        signal: ctx.interruption.signal,
        progress: ctx.progress,
    });
    if (problem) {
        ctx.progress.log(`The transcript of ${sessionIds.join(", ")} may be lost: ${problem}. Stopping exec task ${id} anyway.`);
    }
}

/**
 * The ids of the other active sessions on the task's exec container. Where Session Manager cannot be asked (an older
 * developer policy), counts none, saying so with `sayWhenUnknown`: the task is then stopped, as before this check.
 */
async function otherSessionsIn(task: Task, ctx: Leaving, sayWhenUnknown: boolean): Promise<string[]> {
    const id = taskId(task.taskArn!);
    const runtimeId = task.containers?.find((c) => c.name === ctx.outputs.containerName)?.runtimeId;
    if (!runtimeId) {
        return [];
    }
    const own = ctx.ledger.sessions.map((session) => session.id);
    try {
        const others = await otherActiveSessions(ctx.ssm, ecsSessionTarget(ctx.outputs.clusterName, id, runtimeId), own);
        return others.map((session) => session.SessionId ?? "?");
    } catch (e) {
        if (sayWhenUnknown) {
            ctx.progress.log(`Cannot tell whether another session uses exec task ${id} (${(e as Error).message}); stopping it.`);
        }
        return [];
    }
}
