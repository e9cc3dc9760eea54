/**
 * `ecs-exec run -- COMMAND [ARG...]`: one command in your exec task (reused or started, and stopped afterwards:
 * cli/ownTask.ts), its output on stdout as it streams, and its own exit status as the tool's. The command and its
 * status travel through the session as cli/remoteCommand.ts describes; session-manager-plugin runs without a
 * terminal (cli/plugin.ts, `capture`), so run works the same in CI, under `</dev/null` and in pipes.
 */
import { randomBytes } from "crypto";
import type { Readable } from "stream";
import { finished } from "stream/promises";
import { SessionError } from "./errors";
import { ExecSessionContext, openExecSession } from "./execSession";
import { OwnTaskContext, OwnTaskOptions, ReadyTask, withOwnTask } from "./ownTask";
import { openedBeforeFailing, PluginOutcome, startFailureMessage } from "./plugin";
import { Routed, SessionOutput, shlexQuote, wrappedCommand } from "./remoteCommand";
import { superviseSession } from "./session";

export { TIMING } from "./ownTask";

export interface RunOptions extends OwnTaskOptions {
    /** COMMAND and its ARGs, each passed to the container exactly as given. */
    words: string[];
}

/** Where the command's output goes: stdout, with its backpressure (a pipe whose reader has gone takes no more). */
export interface OutputSink {
    write(chunk: Buffer): boolean;
    once(event: "drain" | "close", listener: () => void): unknown;
    readonly destroyed?: boolean;
}

export interface RunContext extends OwnTaskContext, ExecSessionContext {
    stdout: OutputSink;
    /** Banners and the plugin's own stderr. */
    stderr: { write(chunk: Buffer | string): unknown };
    /** A fresh nonce per run (random: nothing the command prints can end its output early). */
    nonce?: () => string;
}

/** Runs the command; resolves with its exit status once the task it started, if any, is stopped. */
export function run(options: RunOptions, ctx: RunContext): Promise<number> {
    return withOwnTask("run", options, ctx, (ready) => runInSession(options.words, ready, ctx));
}

async function runInSession(words: string[], ready: ReadyTask, ctx: RunContext): Promise<number> {
    const { interruption, ledger } = ready;
    const nonce = ctx.nonce?.() ?? randomBytes(16).toString("hex");
    const { sessionId, pluginArgs } = await openExecSession(wrappedCommand(words, nonce), ready, ctx);
    const session = { id: sessionId, transcript: true };
    ledger.sessions.push(session);
    const shown = words.map((word) => (/^[\w@%+=:,./-]+$/.test(word) ? word : shlexQuote(word))).join(" ");
    ctx.progress.log(`Running in ${sessionId}: ${shown}`);
    const plugin = ctx.plugin.capture(pluginArgs);
    interruption.duringSession(plugin, {
        announce: () => ctx.progress.log("Ctrl-C passed to the command; press Ctrl-C again to end the session."),
    });
    const output = new SessionOutput(nonce, sessionId);
    // Read from what is not the command's output: the banners, where the plugin says it could not start the session.
    const outcome = new PluginOutcome();
    try {
        plugin.stderr.on("data", (chunk: Buffer) => ctx.stderr.write(chunk));
        const ended = Promise.all([copy(plugin.stdout, output, outcome, ctx), plugin.exited, finished(plugin.stderr)]);
        await superviseSession(ended, plugin, { command: "run", task: ready.task, ledger }, ctx);
    } finally {
        interruption.duringSession(undefined);
    }
    interruption.throwIfInterrupted();
    if (output.status === undefined) {
        const failure = outcome.startFailure;
        if (failure !== undefined) {
            session.transcript = openedBeforeFailing(failure);
            throw new SessionError(startFailureMessage(failure));
        }
        throw new SessionError(
            `the session ended before ${words[0]} reported its exit status (the connection or the task ended, or the agent ` +
                `could not start it: its message, if any, is above)`,
        );
    }
    return output.status;
}

/**
 * The plugin's stdout through the reader: the command's output to stdout as it comes. Reading waits while stdout is
 * full (the loop takes the next chunk only then), so memory stays flat however much the command prints.
 */
async function copy(from: Readable, output: SessionOutput, outcome: PluginOutcome, ctx: RunContext): Promise<void> {
    const route = async (routed: Routed) => {
        for (const chunk of routed.stderr) {
            outcome.write(chunk);
            ctx.stderr.write(chunk);
        }
        for (const chunk of routed.stdout) {
            // Output to a reader that has gone is dropped: the command still runs to its end and its status.
            if (!ctx.stdout.destroyed && !ctx.stdout.write(chunk) && !ctx.stdout.destroyed) {
                await new Promise<void>((resolve) => {
                    ctx.stdout.once("drain", resolve);
                    ctx.stdout.once("close", resolve);
                });
            }
        }
    };
    for await (const chunk of from) {
        await route(output.write(chunk as Buffer));
    }
    await route(output.finish());
}
