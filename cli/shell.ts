/**
 * `ecs-exec shell`: a shell in your own exec task (reused or started, and stopped afterwards: cli/ownTask.ts),
 * opened through session-manager-plugin as `aws ecs execute-command` opens it.
 */
import { EXIT, SessionError } from "./errors";
import { ExecSessionContext, openExecSession } from "./execSession";
import { OwnTaskContext, OwnTaskOptions, ReadyTask, withOwnTask } from "./ownTask";
import { openedBeforeFailing, PluginOutcome, relayPluginOutput, startFailureMessage } from "./plugin";
import type { OutputSink } from "./run";
import { superviseSession } from "./session";
import type { Terminal } from "./terminal";

export { TIMING } from "./ownTask";
export { DEFAULT_SHELL } from "./remoteCommand";

export interface ShellOptions extends OwnTaskOptions {
    /** What to run in the container (DEFAULT_SHELL when `--command` names nothing). */
    command: string;
}

export interface ShellContext extends OwnTaskContext, ExecSessionContext {
    /** When the command started, for time-to-shell. */
    startedAt: number;
    /** The tool's stdout: the plugin writes to it itself when it is a terminal, else through the tool. */
    stdout: OutputSink & { isTTY?: boolean };
    terminal: Terminal;
}

/** Runs the shell command; resolves with its exit code when the session ends. */
export function shell(options: ShellOptions, ctx: ShellContext): Promise<number> {
    return withOwnTask("shell", options, ctx, (ready) => openSession(options.command, ready, ctx));
}

async function openSession(command: string, ready: ReadyTask, ctx: ShellContext): Promise<number> {
    const { interruption, ledger } = ready;
    const { sessionId, pluginArgs } = await openExecSession(command, ready, ctx);
    const session = { id: sessionId, transcript: true };
    ledger.sessions.push(session);
    ctx.progress.log(`Shell ready in ${((ctx.now() - ctx.startedAt) / 1000).toFixed(1)} s (${sessionId}).`);
    const outcome = new PluginOutcome();
    const settings = ctx.terminal.save();
    let code: number;
    try {
        const plugin = ctx.plugin.start(pluginArgs, { readStdout: ctx.stdout.isTTY !== true });
        interruption.duringSession(plugin);
        const relayed = plugin.stdout ? relayPluginOutput(plugin.stdout, ctx.stdout, outcome) : Promise.resolve();
        code = await superviseSession(
            Promise.all([plugin.exited, relayed]).then(([exit]) => exit),
            plugin,
            { command: "shell", task: ready.task, ledger },
            ctx,
        );
    } finally {
        interruption.duringSession(undefined);
        if (settings !== undefined) {
            ctx.terminal.restore(settings);
        }
    }
    interruption.throwIfInterrupted();
    const failure = outcome.startFailure;
    if (code === 0 && failure !== undefined) {
        session.transcript = openedBeforeFailing(failure);
        const hint = openedBeforeFailing(failure) ? " (its input ended: a shell needs a terminal, or input that stays open; ecs-exec run runs one command)" : "";
        throw new SessionError(`${startFailureMessage(failure)}${hint}`);
    }
    if (code !== 0) {
        throw new SessionError(`the session ended with an error (session-manager-plugin exit code ${code})`);
    }
    return EXIT.OK;
}

