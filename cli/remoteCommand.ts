/**
 * One command in the exec container, the way `ecs-exec run` sends it and reads it back.
 *
 * How the agent runs it: in container mode the SSM agent splits ExecuteCommand's `command` with google/shlex and
 * execs the words under a pseudo-terminal, with no shell (aws/amazon-ssm-agent agent/session/shell/shell_unix.go,
 * StartCommandExecutor: `shlex.Split`, `exec.Command(commands[0], commands[1:]...)`, `pty.Start`). So each word is
 * quoted for shlex's rules (google/shlex shlex.go): inside single quotes every character is literal, up to the next
 * single quote; a single quote itself is written `'\''` (close, an escaped quote, reopen).
 *
 * ECS Exec does not report the command's exit status (session-manager-plugin exits 0 whatever it was:
 * amazon-ecs-agent#2846, containers-roadmap#2207), and the session is one terminal stream. So the words run inside a
 * small POSIX shell that prints a line with a per-run nonce before the command, and one with the nonce and `$?`
 * after it; the tool takes the command's output from between the two, and its status from the second.
 */

/** A word quoted so that google/shlex's Split gives it back exactly. */
export function shlexQuote(word: string): string {
    return `'${word.replace(/'/g, `'\\''`)}'`;
}

/**
 * The wrapper, `sh -c WRAPPER sh NONCE COMMAND [ARG...]`:
 * - `stty -echo`: the session's terminal would echo the Ctrl-C the plugin forwards (`^C`) into the output;
 * - `trap : INT`: Ctrl-C ends the command, not the wrapper, which still reports the status (a caught signal is
 *   reset to its default in the command it starts, so the command is interrupted as usual);
 * - `export TERM=dumb ...`: the agent's pseudo-terminal sets TERM=xterm-256color (aws/amazon-ssm-agent
 *   agent/session/shell/shell_unix.go), so a pager would wait for a key nobody presses and colours would reach stdout;
 *   the command runs for a file instead: no pager (git, psql, the AWS CLI, any that reads PAGER), no colour (NO_COLOR);
 * - `(exec "$@")`: the words run as the agent would run them, a program found on PATH, never a shell builtin or
 *   keyword (`exit 3` is not the shell's exit), and a program that cannot run ends with the shell's message and
 *   status 127; its standard input is empty (`</dev/null`): the session's terminal gets no input from `run`.
 */
const WRAPPER =
    'stty -echo 2>/dev/null; trap : INT; export TERM=dumb PAGER=cat GIT_PAGER=cat PSQL_PAGER=cat AWS_PAGER= NO_COLOR=1; ' +
    'n=$1; shift; printf "%s begin\\n" "$n"; (exec "$@") </dev/null; s=$?; printf "%s exit %s\\n" "$n" "$s"';

/** The wrapper of earlier releases, without the environment: CloudTrail's event history still holds its commands. */
const EARLIER_WRAPPER =
    'stty -echo 2>/dev/null; trap : INT; n=$1; shift; printf "%s begin\\n" "$n"; (exec "$@") </dev/null; s=$?; printf "%s exit %s\\n" "$n" "$s"';

/**
 * `ecs-exec shell`'s command when `--command` names none: bash where the container has it, else sh, as the container's
 * PATH finds them. The agent runs a command without a shell (above), so a `sh` chooses; every exec task has one (its
 * entry point is `/bin/sh -c`, components/session/execTask.ts).
 */
export const DEFAULT_SHELL = ["/bin/sh", "-c", "command -v bash >/dev/null 2>&1 && exec bash; exec sh"].map(shlexQuote).join(" ");

/** The ExecuteCommand `command` that runs `words` and reports their status with `nonce` (letters and digits). */
export function wrappedCommand(words: string[], nonce: string): string {
    if (words.length === 0) {
        throw new Error("no command to run");
    }
    if (!/^[A-Za-z0-9]+$/.test(nonce)) {
        throw new Error(`not a nonce: ${nonce}`);
    }
    return ["sh", "-c", WRAPPER, "sh", nonce, ...words].map(shlexQuote).join(" ");
}

/**
 * COMMAND and its ARGs as `run` sent them (each quoted), when `command` is a wrapped one; undefined otherwise. For
 * reading ExecuteCommand records: the wrapper and its nonce say nothing about what was run.
 */
export function unwrappedCommand(command: string): string | undefined {
    const prefix = [WRAPPER, EARLIER_WRAPPER].map((wrapper) => `${["sh", "-c", wrapper, "sh"].map(shlexQuote).join(" ")} `).find((p) => command.startsWith(p));
    return prefix !== undefined ? /^'[A-Za-z0-9]+' ([\s\S]*)$/.exec(command.slice(prefix.length))?.[1] : undefined;
}

const CR = 0x0d;
const LF = 0x0a;

/** A piece of the plugin's output, and where it belongs. */
export interface Routed {
    /** The command's own output, line ends as it wrote them. */
    stdout: Buffer[];
    /** Everything else the plugin printed: its banners, the agent's messages, anything before or after the command. */
    stderr: Buffer[];
}

/**
 * Reads session-manager-plugin's output as it streams: before the begin line, plugin banners ("Starting session
 * with SessionId: ..."); between the lines, the command's output through the session's terminal, which turns each
 * `\n` into `\r\n` (the pty's ONLCR) and is turned back here (a `\r` the command wrote itself stays: `\r\n` becomes
 * `\r\r\n`, which turns back into `\r\n`); after the end line's status, the plugin's closing banner. Only a marker's
 * length is ever held back, so memory stays flat whatever the output's size.
 */
export class SessionOutput {
    private readonly begin: Buffer;
    private readonly end: Buffer;
    /** The plugin's closing banner (datachannel/streaming.go, HandleChannelClosedMessage), held back in case the session ends without the end line. */
    private readonly closing: Buffer;
    private state: "banner" | "afterBegin" | "output" | "status" | "after" = "banner";
    private pending: Buffer = Buffer.alloc(0);
    private heldCr = false;
    /** The last byte of the command's output taken from the stream. */
    private lastOutput?: number;
    private statusText = "";
    /** The command's exit status, once its end line has been read. */
    status?: number;

    constructor(nonce: string, sessionId: string) {
        this.begin = Buffer.from(`${nonce} begin`);
        this.end = Buffer.from(`${nonce} exit `);
        this.closing = Buffer.from(`\n\nExiting session with sessionId: ${sessionId}.\n\n`);
    }

    /** Routes a chunk of the plugin's stdout. */
    write(chunk: Buffer): Routed {
        const routed: Routed = { stdout: [], stderr: [] };
        this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
        for (let progress = true; progress && this.pending.length > 0; ) {
            progress = this.step(routed, false);
        }
        return routed;
    }

    /** Routes what is left once the plugin's stdout has ended. */
    finish(): Routed {
        const routed: Routed = { stdout: [], stderr: [] };
        let closing: Buffer | undefined;
        if (this.state === "output" && this.pending.subarray(-this.closing.length).equals(this.closing)) {
            closing = this.pending.subarray(-this.closing.length);
            this.pending = this.pending.subarray(0, -this.closing.length);
        }
        while (this.pending.length > 0 && this.step(routed, true)) {
            // each step consumes what it can
        }
        if (this.heldCr) {
            routed.stdout.push(Buffer.from([CR]));
            this.heldCr = false;
        }
        if (this.pending.length > 0) {
            routed.stderr.push(this.pending);
            this.pending = Buffer.alloc(0);
        }
        if (closing) {
            routed.stderr.push(closing);
        }
        return routed;
    }

    /** Consumes from `pending` what the current state can; false when it must wait for more. */
    private step(routed: Routed, ended: boolean): boolean {
        const data = this.pending;
        switch (this.state) {
            case "banner": {
                const at = data.indexOf(this.begin);
                if (at >= 0) {
                    push(routed.stderr, data.subarray(0, at));
                    this.pending = data.subarray(at + this.begin.length);
                    this.state = "afterBegin";
                    return true;
                }
                const safe = ended ? data.length : data.length - partial(data, this.begin);
                push(routed.stderr, data.subarray(0, safe));
                this.pending = data.subarray(safe);
                return false;
            }
            case "afterBegin": {
                // The rest of the begin line: "\r\n" through the terminal.
                if (data[0] === CR && data.length === 1 && !ended) {
                    return false;
                }
                const skip = data[0] === CR ? (data[1] === LF ? 2 : 1) : data[0] === LF ? 1 : 0;
                this.pending = data.subarray(skip);
                this.state = "output";
                return true;
            }
            case "output": {
                const at = data.indexOf(this.end);
                if (at >= 0) {
                    this.output(routed, data.subarray(0, at), true);
                    this.pending = data.subarray(at + this.end.length);
                    this.state = "status";
                    return true;
                }
                // Held back: only what could be the start of the end line, or of the plugin's closing banner where a
                // bare \n begins it (the terminal sends every line end of the command as \r\n). So a line the
                // command prints reaches stdout at once.
                const bare = (at: number) => (at > 0 ? data[at - 1] !== CR : !this.heldCr && this.lastOutput !== CR);
                const held = Math.max(partial(data, this.end), partial(data, this.closing, bare, true));
                const safe = ended ? data.length : data.length - held;
                this.output(routed, data.subarray(0, safe), false);
                this.pending = data.subarray(safe);
                return false;
            }
            case "status": {
                const lf = data.indexOf(LF);
                const line = lf >= 0 ? data.subarray(0, lf) : data;
                this.statusText += line.toString("latin1");
                this.pending = lf >= 0 ? data.subarray(lf + 1) : Buffer.alloc(0);
                if (lf >= 0 || ended) {
                    const text = this.statusText.replace(/\r$/, "");
                    if (/^\d{1,3}$/.test(text) && Number(text) <= 255) {
                        this.status = Number(text);
                    }
                    this.state = "after";
                }
                return lf >= 0;
            }
            case "after":
                push(routed.stderr, data);
                this.pending = Buffer.alloc(0);
                return false;
        }
    }

    /** The command's output with the terminal's `\r\n` turned back into `\n`; `last`: no more output follows. */
    private output(routed: Routed, data: Buffer, last: boolean): void {
        if (data.length > 0) {
            this.lastOutput = data[data.length - 1];
        }
        let start = 0;
        if (this.heldCr) {
            this.heldCr = false;
            if (data.length > 0 && data[0] === LF) {
                routed.stdout.push(Buffer.from([LF]));
                start = 1;
            } else if (data.length > 0 || last) {
                routed.stdout.push(Buffer.from([CR]));
            } else {
                this.heldCr = true;
                return;
            }
        }
        let end = data.length;
        if (!last && end > start && data[end - 1] === CR) {
            this.heldCr = true;
            end--;
        }
        const body = data.subarray(start, end);
        const out = Buffer.allocUnsafe(body.length);
        let written = 0;
        let from = 0;
        for (let cr = body.indexOf(CR); cr >= 0; cr = body.indexOf(CR, cr + 1)) {
            if (body[cr + 1] === LF) {
                written += body.copy(out, written, from, cr);
                from = cr + 1;
            }
        }
        written += body.copy(out, written, from, body.length);
        push(routed.stdout, out.subarray(0, written));
    }
}

/**
 * The length of the longest end of `data` that `marker` starts with (and that `where` accepts by its position), short
 * of the whole marker unless `whole`: what must wait for the next chunk, or the end, to tell.
 */
function partial(data: Buffer, marker: Buffer, where: (at: number) => boolean = () => true, whole = false): number {
    for (let length = Math.min(data.length, marker.length - (whole ? 0 : 1)); length > 0; length--) {
        const at = data.length - length;
        if (data.compare(marker, 0, length, at) === 0 && where(at)) {
            return length;
        }
    }
    return 0;
}

function push(into: Buffer[], data: Buffer): void {
    if (data.length > 0) {
        into.push(data);
    }
}
