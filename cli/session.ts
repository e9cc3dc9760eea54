/**
 * A session while it runs. session-manager-plugin does not exit when its task stops: its data channel retries, logs and
 * stays (aws/aws-cli#7488). So the tool watches the task as ecsta does (fujiwara/ecsta exec.go,
 * watchTaskUntilStopping, fujiwara/ecsta#17: DescribeTasks every 10 s), and when the task leaves RUNNING ends the plugin
 * itself and says why ECS stopped the task.
 */
import type { ECSClient, Task } from "@aws-sdk/client-ecs";
import type { Sleep } from "./clock";
import { SessionError } from "./errors";
import type { StackOutputs } from "./outputs";
import type { SessionChild } from "./signals";
import { describeTasks, stopDescription, taskId } from "./tasks";

/** How often a session's task is looked at: ecsta's interval. */
export const WATCH_MS = 10_000;
/** How long a plugin has after SIGTERM before SIGKILL (ecsta kills its plugin 3 s after asking it to stop). */
export const KILL_GRACE_MS = 3_000;

/** What a command did in its task, for what follows its session: the transcript wait and the check for other sessions. */
export interface SessionLedger {
    /** The sessions the command opened; `transcript`: the agent writes one for it (an ExecuteCommand session that opened). */
    sessions: { id: string; transcript: boolean }[];
    /** The task as last described, once seen to leave RUNNING during a session. */
    stopped?: Task;
}

export interface WatchContext {
    ecs: ECSClient;
    outputs: Pick<StackOutputs, "clusterName">;
    sleep: Sleep;
    /** WATCH_MS, shorter in tests. */
    watchMs: number;
}

/** A task on its way out: ECS stops it (desired STOPPED), or it is no longer RUNNING (DEACTIVATING, STOPPING, STOPPED). */
export const hasLeftRunning = (task: Task) => task.lastStatus !== "RUNNING" || task.desiredStatus === "STOPPED";

/**
 * Resolves with the task once it has left RUNNING, or undefined once `signal` aborts. A look that fails is passed over:
 * it must not end a session that works.
 */
async function leftRunning(task: Task, ctx: WatchContext, signal: AbortSignal): Promise<Task | undefined> {
    for (;;) {
        await ctx.sleep(ctx.watchMs, signal);
        if (signal.aborted) {
            return undefined;
        }
        let latest: Task | undefined;
        try {
            [latest] = await describeTasks(ctx.ecs, ctx.outputs.clusterName, [task.taskArn!]);
        } catch {
            continue;
        }
        if (!latest) {
            // ECS describes a stopped task for about an hour: one it no longer knows is long gone.
            return { ...task, lastStatus: "STOPPED", stoppedReason: "ECS no longer describes the task" };
        }
        if (hasLeftRunning(latest)) {
            return latest;
        }
    }
}

/**
 * Waits until `ended` (the session's end, as the command reads it) while watching the task. When the task leaves
 * RUNNING first, ends the plugin (SIGTERM, then SIGKILL after KILL_GRACE_MS), records the task in the ledger, and fails
 * with ECS's reason (exit 1).
 */
export async function superviseSession<T>(
    ended: Promise<T>,
    plugin: SessionChild,
    session: { command: string; task: Task; ledger: SessionLedger },
    ctx: WatchContext,
): Promise<T> {
    const watching = new AbortController();
    try {
        const first = await Promise.race([
            ended.then((value) => ({ value })),
            leftRunning(session.task, ctx, watching.signal).then((stopped) => ({ stopped })),
        ]);
        if ("value" in first) {
            return first.value;
        }
        session.ledger.stopped = first.stopped!;
        await endPlugin(ended, plugin, ctx.sleep);
        throw new SessionError(`exec task ${taskId(session.task.taskArn!)} stopped during the ${session.command}: ${stopDescription(first.stopped!)}`);
    } finally {
        watching.abort();
    }
}

/** SIGTERM, and SIGKILL for a plugin still there after the grace. */
async function endPlugin(ended: Promise<unknown>, plugin: SessionChild, sleep: Sleep): Promise<void> {
    const grace = new AbortController();
    plugin.kill("SIGTERM");
    const gone = await Promise.race([ended.then(() => true, () => true), sleep(KILL_GRACE_MS, grace.signal).then(() => false)]);
    grace.abort();
    if (!gone) {
        plugin.kill("SIGKILL");
        await ended.catch(() => undefined);
    }
}
