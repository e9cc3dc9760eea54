/**
 * A stand-in session-manager-plugin whose remote end runs the command the way the SSM agent does, for end-to-end
 * tests of `ecs-exec run` (bundled into the sandbox by tool.ts and run as `session-manager-plugin`).
 *
 * The plugin's side, as aws/session-manager-plugin does it: with no arguments it says it is installed; otherwise it
 * prints "Starting session with SessionId: ..." (session/session.go, Execute), writes the session's output to its
 * stdout as it comes (sessionutil_unix.go, DisplayMessage), sends what it reads on stdin to the session and, at the
 * end of its stdin, prints "Cannot perform start session: EOF" and exits (shellsession_unix.go, handleKeyboardInput;
 * session.go, ValidateInputAndStartSession), turns SIGINT, SIGQUIT and SIGTSTP into the bytes 0x03, 0x1c and 0x1a
 * (control_signals_unix.go), and prints "Exiting session with sessionId: ..." when the session closes
 * (datachannel/streaming.go). It exits 0 whatever the command did, and on every failure it handles. When the task
 * stops, the remote end dies with it and the plugin stays, as the real one does (aws/aws-cli#7488): it prints nothing
 * more and waits for a signal. It tells the local AWS stand-in when the session ends (DELETE
 * /_stand-in/sessions/<id>), as Session Manager learns it from the closed connection.
 *
 * The agent's side, as aws/amazon-ssm-agent does it in container mode (agent/session/shell/shell_unix.go,
 * StartCommandExecutor): the command ExecuteCommand received (asked from the local ECS stand-in, which recorded it)
 * is split with google/shlex (test/support/shlex.ts, a port) and the words are executed, found on PATH as Go's
 * exec.Command finds them, without a shell, under a pseudo-terminal (`script`, util-linux's or BSD's, whose child is
 * session leader with the pty as controlling terminal, as creack/pty's Start makes it), with TERM=xterm-256color and
 * LANG=C.UTF-8. A command the agent cannot start ends the session with the agent's message.
 */
import { spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { shlexSplit } from "../../support/shlex";

const CONTROL_BYTES: Partial<Record<NodeJS.Signals, string>> = { SIGINT: "\x03", SIGQUIT: "\x1c", SIGTSTP: "\x1a" };

const record = (file: string, text: string) => {
    const dir = process.env.FAKE_PLUGIN_DIR;
    if (dir) {
        fs.appendFileSync(path.join(dir, file), text);
    }
};

/** The container's PATH: FAKE_CONTAINER_PATH where a test gives the container other programs than this machine's. */
const CONTAINER_PATH = process.env.FAKE_CONTAINER_PATH ?? process.env.PATH ?? "";

/** exec.LookPath: a name with a slash as it is, otherwise the first executable file of that name on PATH. */
function lookPath(name: string): string | undefined {
    const executable = (file: string) => {
        try {
            return fs.statSync(file).isFile() && (fs.accessSync(file, fs.constants.X_OK), true);
        } catch {
            return false;
        }
    };
    if (name.includes("/")) {
        return executable(name) ? name : undefined;
    }
    return CONTAINER_PATH.split(":").map((dir) => path.join(dir || ".", name)).find(executable);
}

/** A word for sh, literally. */
const shQuote = (word: string) => `'${word.replace(/'/g, `'\\''`)}'`;

async function main(args: string[]): Promise<void> {
    if (args.length === 0) {
        process.stdout.write("\nThe Session Manager plugin was installed successfully. Use the AWS CLI to start a session.\n\n");
        return;
    }
    record("args", args.map((a) => `${a}\0`).join(""));
    const { sessionId } = JSON.parse(args[0]) as { sessionId: string };
    const session = `${args[5]}/_stand-in/sessions/${sessionId}`;
    process.stdout.write(`\nStarting session with SessionId: ${sessionId}\n`);
    const ended = () => fetch(session, { method: "DELETE" }).catch(() => undefined);
    const closed = async (output = "") => {
        process.stdout.write(output === "" ? `\n\nExiting session with sessionId: ${sessionId}.\n\n` : `\n\nSessionId: ${sessionId} : ${output}\n\n`);
        await ended();
        process.exitCode = 0;
    };

    const { command } = (await (await fetch(session)).json()) as { command: string };
    let words: string[];
    try {
        words = shlexSplit(command);
    } catch (e) {
        return await closed(`Unable to start command: Failed to parse commands input: ${(e as Error).message}`);
    }
    const program = words.length > 0 ? lookPath(words[0]) : undefined;
    if (program === undefined) {
        return await closed(`Unable to start command: failed to start pty: exec: "${words[0] ?? ""}": executable file not found in $PATH`);
    }

    // The remote end: the words under a pseudo-terminal, exec'd (the shell script runs only long enough to exec).
    // `script` from this machine's PATH (the container's may not have it): util-linux's runs a command line with
    // $SHELL -c, the BSD one (macOS) the command's words as they are.
    const script = (process.env.PATH ?? "").split(":").map((dir) => path.join(dir, "script")).find((file) => fs.existsSync(file)) ?? "script";
    const scriptArgs =
        process.platform === "linux"
            ? ["--quiet", "--return", "--flush", "--command", `exec ${[program, ...words.slice(1)].map(shQuote).join(" ")}`, "/dev/null"]
            : ["-q", "/dev/null", program, ...words.slice(1)];
    const remote = spawn(script, scriptArgs, {
        stdio: ["pipe", "pipe", "inherit"],
        env: { ...process.env, PATH: CONTAINER_PATH, SHELL: "/bin/sh", TERM: "xterm-256color", LANG: process.env.LANG || "C.UTF-8" },
    });
    remote.stdin.on("error", () => undefined);
    remote.stdout.pipe(process.stdout, { end: false });

    for (const [signal, byte] of Object.entries(CONTROL_BYTES)) {
        process.on(signal as NodeJS.Signals, () => {
            record("signals", `${signal.slice(3)}\n`);
            remote.stdin.write(byte);
        });
    }
    process.on("SIGTERM", () => {
        record("signals", "TERM\n");
        remote.kill("SIGKILL");
        process.exit(143);
    });
    process.stdin.on("data", (data) => remote.stdin.write(data));
    process.stdin.on("end", async () => {
        record("stdin", "EOF\n");
        process.stdout.write("Cannot perform start session: EOF\n");
        remote.kill("SIGKILL");
        await ended();
        process.exit(0);
    });

    const taskStopped = watchTask(session);
    const remoteEnded = new Promise<void>((resolve) => remote.on("close", () => resolve()));
    if ((await Promise.race([taskStopped, remoteEnded.then(() => false)])) === true) {
        // The container is gone, and the remote end with it: nothing more arrives, and the plugin stays.
        remote.stdout.unpipe(process.stdout);
        remote.kill("SIGKILL");
        setInterval(() => undefined, 60_000);
        return;
    }
    process.stdin.destroy();
    await closed();
}

/** Resolves with true once the local AWS stand-in says the session's task has stopped, false once it cannot be asked. */
async function watchTask(session: string): Promise<boolean> {
    for (;;) {
        await new Promise((resolve) => setTimeout(resolve, 200).unref());
        try {
            const { taskStopped } = (await (await fetch(session)).json()) as { taskStopped: boolean };
            if (taskStopped) {
                return true;
            }
        } catch {
            return false;
        }
    }
}

main(process.argv.slice(2)).catch((e: unknown) => {
    process.stderr.write(`stand-in plugin: ${(e as Error).stack}\n`);
    process.exitCode = 1;
});
