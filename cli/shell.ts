/**
 * `ecs-exec shell`: a shell in your own exec task (reused or started, and stopped afterwards: cli/ownTask.ts),
 * opened through session-manager-plugin as `aws ecs execute-command` opens it.
 */
import { EXIT, SessionError } from "./errors";
import { ExecSessionContext, openExecSession } from "./execSession";
import { OwnTaskContext, OwnTaskOptions, ReadyTask, withOwnTask } from "./ownTask";

export { POLL_MS } from "./ownTask";

export interface ShellOptions extends OwnTaskOptions {
    command: string;
}

export interface ShellContext extends OwnTaskContext, ExecSessionContext {
    /** When the command started, for time-to-shell. */
    startedAt: number;
}

/** Runs the shell command; resolves with its exit code when the session ends. */
export function shell(options: ShellOptions, ctx: ShellContext): Promise<number> {
    return withOwnTask("shell", options, ctx, (ready) => openSession(options.command, ready, ctx));
}

async function openSession(command: string, ready: ReadyTask, ctx: ShellContext): Promise<number> {
    const { interruption } = ready;
    const { sessionId, pluginArgs } = await openExecSession(command, ready, ctx);
    ctx.progress.log(`Shell ready in ${((ctx.now() - ctx.startedAt) / 1000).toFixed(1)} s (${sessionId}).`);
    const plugin = ctx.plugin.start(pluginArgs);
    interruption.duringSession(plugin);
    const code = await plugin.exited;
    interruption.duringSession(undefined);
    interruption.throwIfInterrupted();
    if (code !== 0) {
        throw new SessionError(`the session ended with an error (session-manager-plugin exit code ${code})`);
    }
    return EXIT.OK;
}
