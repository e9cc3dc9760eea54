/**
 * What SIGINT, SIGTERM and SIGHUP do while a command runs: they never kill the tool outright (a task it started
 * must be stopped first); the first one interrupts the current wait, later ones only wait for the cleanup that
 * is already under way. Ctrl-C under npx arrives more than once (from the terminal and from npm).
 */
import { sleep } from "./clock";
import { InterruptedError, STOP_SIGNALS, StopSignal } from "./errors";

/** `process`, or a stand-in in tests. */
export interface SignalSource {
    on(signal: NodeJS.Signals, listener: () => void): unknown;
    off(signal: NodeJS.Signals, listener: () => void): unknown;
}

/** Signals a keyboard sends besides Ctrl-C (Ctrl-\, Ctrl-Z): during a session they are the plugin's too. */
const OTHER_KEYBOARD_SIGNALS: NodeJS.Signals[] = ["SIGQUIT", "SIGTSTP"];
const ignore = () => undefined;

/** The running session-manager-plugin, as far as signals go (SIGKILL: one that outlived SIGTERM, see cli/session.ts). */
export interface SessionChild {
    kill(signal: StopSignal | "SIGKILL"): void;
}

/**
 * A session whose Ctrl-C the tool passes on (`run`: the plugin is in a process group of its own). `announce` is called
 * when the first one has been passed on.
 */
export interface PassedInterrupts {
    announce(): void;
}

/**
 * What Ctrl-C does to a session: in a shell it belongs to the remote shell ("remote": the plugin gets it from the
 * terminal); a port forwarding session ends on it, as session-manager-plugin's port sessions do ("ends-session"); a
 * command run without a terminal gets it from the tool (`PassedInterrupts`).
 */
export type CtrlC = "remote" | "ends-session" | PassedInterrupts;

/**
 * Ctrl-C under npx reaches the tool twice, from the terminal and from npm, within moments: a second SIGINT this soon
 * after the first is the same keypress.
 */
export const SAME_INTERRUPT_MS = 1000;

export class Interruption {
    private readonly controller = new AbortController();
    private received?: StopSignal;
    private session?: SessionChild;
    private ctrlC: CtrlC = "remote";
    /** When the tool passed a Ctrl-C on to a session without a terminal. */
    private passedAt?: number;
    /** When a session that Ctrl-C ends last ended. */
    private endsSessionEndedAt?: number;
    private readonly listeners = STOP_SIGNALS.map((signal) => [signal, () => this.onSignal(signal)] as const);

    constructor(
        private readonly source: SignalSource,
        private readonly now: () => number = Date.now,
    ) {
        for (const [signal, listener] of this.listeners) {
            source.on(signal, listener);
        }
    }

    /** Call between steps: a signal received during the last step ends the command here (cleanup follows). */
    throwIfInterrupted(): void {
        if (this.received) {
            throw new InterruptedError(this.received);
        }
    }

    /** Aborted by the first signal that arrives while no session runs: a wait under way ends then. */
    get signal(): AbortSignal {
        return this.controller.signal;
    }

    /** Waits `ms`, or less if a signal arrives. */
    sleep(ms: number): Promise<void> {
        return sleep(ms, this.controller.signal);
    }

    /**
     * While a session runs, Ctrl-C belongs to the remote shell, as with the AWS CLI: the plugin gets it from the
     * terminal and forwards it, and the tool ignores it. With `ctrlC: "ends-session"` Ctrl-C is passed on too (the
     * terminal sends it to the plugin as well: a port session takes the second as it took the first), and ends the
     * session, not the command. With `PassedInterrupts` (a plugin that has no terminal), the tool passes the first
     * Ctrl-C on to the plugin, which forwards it to the remote command, and takes another one as "stop waiting": the
     * session is ended, and the task as after any interruption. SIGTERM and SIGHUP still end the session (and then
     * the task): they are passed on to the plugin. Like the AWS CLI, Ctrl-\ and Ctrl-Z are ignored too.
     */
    duringSession(child: SessionChild | undefined, ctrlC: CtrlC = "remote"): void {
        if (!child && this.session && this.ctrlC === "ends-session") {
            this.endsSessionEndedAt = this.now();
        }
        this.ctrlC = child ? ctrlC : "remote";
        this.passedAt = undefined;
        for (const signal of OTHER_KEYBOARD_SIGNALS) {
            if (child) {
                this.source.on(signal, ignore);
            } else {
                this.source.off(signal, ignore);
            }
        }
        this.session = child;
    }

    dispose(): void {
        for (const [signal, listener] of this.listeners) {
            this.source.off(signal, listener);
        }
    }

    private onSignal(signal: StopSignal): void {
        if (this.session) {
            if (signal !== "SIGINT") {
                this.received ??= signal;
                this.session.kill(signal);
            } else if (this.ctrlC === "ends-session") {
                // Not an interruption of the command, which ends as the session did.
                this.session.kill(signal);
            } else if (typeof this.ctrlC === "object" && this.passedAt === undefined) {
                this.passedAt = this.now();
                this.session.kill("SIGINT");
                this.ctrlC.announce();
            } else if (typeof this.ctrlC === "object" && this.now() - this.passedAt! >= SAME_INTERRUPT_MS) {
                this.received ??= signal;
                this.session.kill("SIGTERM");
            }
            return;
        }
        // The terminal sends Ctrl-C to the plugin and to the tool alike: a port session the plugin ended on it may be
        // seen to end before the tool's own SIGINT arrives. That SIGINT is the same keypress, not a new interruption.
        if (signal === "SIGINT" && this.endsSessionEndedAt !== undefined && this.now() - this.endsSessionEndedAt < SAME_INTERRUPT_MS) {
            return;
        }
        this.received ??= signal;
        this.controller.abort();
    }
}
