/**
 * How `ecs-exec run` passes a command to the agent and reads its output back: the quoting against a port of the
 * splitter the agent uses (test/support/shlex.ts), and the reading of the session's stream chunk by chunk.
 */
import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import { randomBytes } from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { DEFAULT_SHELL, SessionOutput, shlexQuote, unwrappedCommand, wrappedCommand } from "../../cli/remoteCommand";
import { ShlexError, shlexSplit } from "../support/shlex";
import { AWKWARD_WORDS } from "./support/words";


describe("the google/shlex port (test support)", () => {
    it("splits google/shlex's own test string as its TestSplit expects", () => {
        // shlex_test.go, testString and TestSplit's want.
        const testString = 'one two "three four" "five \\"six\\"" seven#eight # nine # ten\n eleven \'twelve\\\' thirteen=13 fourteen/14';
        assert.deepEqual(shlexSplit(testString), ["one", "two", "three four", 'five "six"', "seven#eight", "eleven", "twelve\\", "thirteen=13", "fourteen/14"]);
    });

    it("differs from a POSIX shell where shlex.go does: a backslash in double quotes escapes anything and is dropped", () => {
        assert.deepEqual(shlexSplit('"a\\b" c\\ d'), ["ab", "c d"]);
        assert.deepEqual(shlexSplit("#all a comment"), []);
        assert.deepEqual(shlexSplit("'' \"\""), ["", ""]);
    });

    it("fails where shlex.go returns an error: an open quote or a trailing escape", () => {
        for (const input of ["'open", '"open', "end\\", '"end\\']) {
            assert.throws(() => shlexSplit(input), ShlexError, input);
        }
    });
});

describe("run's command for the agent", () => {
    it("quotes each word so that the agent's split gives it back exactly", () => {
        for (const word of AWKWARD_WORDS) {
            assert.deepEqual(shlexSplit(shlexQuote(word)), [word], JSON.stringify(word));
        }
        assert.deepEqual(shlexSplit(AWKWARD_WORDS.map(shlexQuote).join(" ")), AWKWARD_WORDS);
    });

    it("quotes any word: 2000 random ones of quotes, backslashes, spaces, # $ and non-ASCII", () => {
        const alphabet = [..."'\"\\ #$\t\n\r`;|&*?~=-abc", "é", "日", "🚀"];
        const bytes = randomBytes(2000 * 12);
        for (let n = 0; n < 2000; n++) {
            const word = [...bytes.subarray(n * 12, n * 12 + (bytes[n * 12] % 12))].map((b) => alphabet[b % alphabet.length]).join("");
            assert.deepEqual(shlexSplit(shlexQuote(word)), [word], JSON.stringify(word));
        }
    });

    it("wraps the words in a shell that reports their status: sh -c WRAPPER sh NONCE COMMAND ARGS, each word intact", () => {
        const words = shlexSplit(wrappedCommand(["psql", "-c", "select 'it''s'; -- #1"], "0123abcd"));
        assert.deepEqual(words.slice(0, 2), ["sh", "-c"]);
        assert.match(words[2], /^stty -echo 2>\/dev\/null; trap : INT; .*\(exec "\$@"\) <\/dev\/null; s=\$\?; printf "%s exit %s\\n" "\$n" "\$s"$/);
        assert.deepEqual(words.slice(3), ["sh", "0123abcd", "psql", "-c", "select 'it''s'; -- #1"]);
    });

    it("reads the words back out of a wrapped command, for the audit, and nothing out of another command", () => {
        assert.equal(unwrappedCommand(wrappedCommand(["psql", "-c", "select 1"], "0123abcd")), "'psql' '-c' 'select 1'");
        assert.equal(unwrappedCommand("/bin/bash"), undefined);
        assert.equal(unwrappedCommand("sh -c 'echo hi'"), undefined);
    });

    it("runs the command for a file, not a terminal: no pager, no colour, whatever TERM the agent's terminal set", () => {
        // The words as the agent splits them, run by this machine's sh in place of the container's.
        const [program, ...args] = shlexSplit(wrappedCommand(["env"], "0123abcd"));
        const ran = spawnSync(program, args, { encoding: "utf8", env: { PATH: process.env.PATH, TERM: "xterm-256color", PAGER: "less" } });
        const environment = ran.stdout.split("0123abcd begin\n")[1].split("\n");
        for (const variable of ["TERM=dumb", "PAGER=cat", "GIT_PAGER=cat", "PSQL_PAGER=cat", "AWS_PAGER=", "NO_COLOR=1"]) {
            assert.ok(environment.includes(variable), `${variable} in ${environment.join(" ")}`);
        }
    });

    it("reads back the words of a command an earlier release sent, without the environment (CloudTrail keeps 90 days)", () => {
        const earlier =
            "'sh' '-c' 'stty -echo 2>/dev/null; trap : INT; n=$1; shift; printf \"%s begin\\n\" \"$n\"; (exec \"$@\") </dev/null; s=$?; " +
            "printf \"%s exit %s\\n\" \"$n\" \"$s\"' 'sh' '0123abcd' 'bin/rails' 'db:migrate:status'";
        assert.equal(unwrappedCommand(earlier), "'bin/rails' 'db:migrate:status'");
    });

    it("refuses no words, and a nonce the markers could not find as it is", () => {
        assert.throws(() => wrappedCommand([], "abc"), /no command/);
        assert.throws(() => wrappedCommand(["true"], "a b"), /not a nonce/);
    });
});

describe("shell's default command", () => {
    /** A container's PATH: its own sh, and bash only where it has one (a stand-in that says it is bash). */
    function containerPath(withBash: boolean): string {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ecs-exec-container-"));
        fs.symlinkSync("/bin/sh", path.join(dir, "sh"));
        if (withBash) {
            fs.writeFileSync(path.join(dir, "bash"), "#!/bin/sh\necho bash here\n", { mode: 0o755 });
        }
        return dir;
    }

    for (const withBash of [true, false]) {
        it(`opens ${withBash ? "bash where the container has it" : "sh where the container has no bash"}, as the container finds them`, () => {
            const dir = containerPath(withBash);
            try {
                // The words as the agent splits them, run in the container's PATH; the shell reads its commands from stdin.
                const [program, ...args] = shlexSplit(DEFAULT_SHELL);
                const ran = spawnSync(program, args, { encoding: "utf8", env: { PATH: dir }, input: 'echo "sh here"\n' });
                assert.equal(ran.stdout, withBash ? "bash here\n" : "sh here\n", ran.stderr);
            } finally {
                fs.rmSync(dir, { recursive: true, force: true });
            }
        });
    }
});

const NONCE = "5f0c2a9e";

/** What session-manager-plugin prints for a run: its banners around the terminal's stream. */
function session(terminal: string, { status = "0", end = true } = {}): Buffer {
    const closing = end ? `${NONCE} exit ${status}\r\n` : "";
    return Buffer.from(
        "\nStarting session with SessionId: ecs-execute-command-0a1b2c3d4e5f6a7b8\n" +
            `${NONCE} begin\r\n${terminal}${closing}` +
            "\n\nExiting session with sessionId: ecs-execute-command-0a1b2c3d4e5f6a7b8.\n\n",
    );
}

/** Feeds the stream in chunks of `size` bytes and collects where each byte went. */
function read(stream: Buffer, size: number) {
    const output = new SessionOutput(NONCE, "ecs-execute-command-0a1b2c3d4e5f6a7b8");
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    for (let at = 0; at < stream.length; at += size) {
        const routed = output.write(stream.subarray(at, at + size));
        stdout.push(...routed.stdout);
        stderr.push(...routed.stderr);
    }
    const rest = output.finish();
    stdout.push(...rest.stdout);
    stderr.push(...rest.stderr);
    return { stdout: Buffer.concat(stdout), stderr: Buffer.concat(stderr).toString(), status: output.status };
}

/** Every chunking of the stream, from one byte at a time to all at once. */
function readEveryWay(stream: Buffer) {
    const whole = read(stream, stream.length);
    for (let size = 1; size < stream.length; size++) {
        assert.deepEqual(read(stream, size), whole, `in chunks of ${size} bytes`);
    }
    return whole;
}

describe("run's reading of the session", () => {
    it("gives stdout the command's output with its own line ends, and the banners to stderr, however the stream is cut", () => {
        const { stdout, stderr, status } = readEveryWay(session("line one\r\nline two\r\n", { status: "3" }));
        assert.equal(stdout.toString(), "line one\nline two\n");
        assert.equal(status, 3);
        assert.equal(
            stderr,
            "\nStarting session with SessionId: ecs-execute-command-0a1b2c3d4e5f6a7b8\n\n\nExiting session with sessionId: ecs-execute-command-0a1b2c3d4e5f6a7b8.\n\n",
        );
    });

    it("passes a line on as soon as it arrives: only what could start the end line or the closing banner waits", () => {
        const output = new SessionOutput(NONCE, "s-1");
        output.write(Buffer.from(`\nStarting session with SessionId: s-1\n${NONCE} begin\r\n`));
        assert.equal(Buffer.concat(output.write(Buffer.from("started\r\n")).stdout).toString(), "started\n");
        assert.equal(Buffer.concat(output.write(Buffer.from("50% 5f0")).stdout).toString(), "50% ", "5f0 may start the end line");
        assert.equal(Buffer.concat(output.write(Buffer.from("x\r\n")).stdout).toString(), "5f0x\n");
    });

    it("keeps output without a trailing newline as it is, and empty output empty", () => {
        assert.equal(readEveryWay(session("no newline")).stdout.toString(), "no newline");
        assert.deepEqual(readEveryWay(session("")).stdout, Buffer.alloc(0));
    });

    it("undoes only what the terminal did: a \\r the command wrote stays, \\r\\n it wrote comes back as \\r\\n", () => {
        // The command wrote "a\rb\r\nc\r" (the terminal: a\rb\r\r\nc\r); then "\r" right before the end line.
        assert.equal(readEveryWay(session("a\rb\r\r\nc\r")).stdout.toString(), "a\rb\r\nc\r");
        assert.equal(readEveryWay(session("\r\r\n\r\n")).stdout.toString(), "\r\n\n");
    });

    it("passes bytes that are not UTF-8 through untouched", () => {
        const bytes = Buffer.from([0xff, 0x00, 0xfe, 0x0d, 0x0a, 0x80]);
        const stream = Buffer.concat([session("").subarray(0, session("").indexOf(`${NONCE} exit`)), bytes, Buffer.from(`${NONCE} exit 0\r\n`)]);
        assert.deepEqual(readEveryWay(stream).stdout, Buffer.from([0xff, 0x00, 0xfe, 0x0a, 0x80]));
    });

    it("reads every status from 0 to 255", () => {
        for (const status of [0, 1, 3, 127, 130, 255]) {
            assert.equal(read(session("x\r\n", { status: String(status) }), 7).status, status);
        }
    });

    it("has no status when the session ends before the command does, and keeps what output came, without the closing banner", () => {
        const { stdout, stderr, status } = readEveryWay(session("partial\r\n", { end: false }));
        assert.equal(status, undefined);
        assert.equal(stdout.toString(), "partial\n");
        assert.match(stderr, /\n\nExiting session with sessionId: ecs-execute-command-0a1b2c3d4e5f6a7b8\.\n\n$/);
    });

    it("sends everything to stderr when the command never began (the agent's message, say)", () => {
        const stream = Buffer.from("\nStarting session with SessionId: s-1\n\n\nSessionId: s-1 : Unable to start command: exec: \"sh\": executable file not found in $PATH\n\n");
        const { stdout, stderr, status } = readEveryWay(stream);
        assert.equal(stdout.length, 0);
        assert.equal(stderr, stream.toString());
        assert.equal(status, undefined);
    });

    it("is not fooled by output that resembles a marker of another run", () => {
        const { stdout, status } = readEveryWay(session("0000 exit 9\r\n5f0c2a9f exit 1\r\n", { status: "0" }));
        assert.equal(stdout.toString(), "0000 exit 9\n5f0c2a9f exit 1\n");
        assert.equal(status, 0);
    });
});
