/** The command line itself, run in-process: arguments, help, and one message with a documented exit code. */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { main } from "../../cli/main";
import { FakePlugin, FakeSignals, FakeTerminal, OUTPUTS } from "./support/unit";
import { readDoc } from "../support/docs";

const outputsFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "ecs-exec-main-")), "dev.json");
fs.writeFileSync(outputsFile, JSON.stringify(OUTPUTS));
/** A stack that requires a reason for every exec task, as prod does. */
const prodOutputsFile = path.join(path.dirname(outputsFile), "prod.json");
fs.writeFileSync(
    prodOutputsFile,
    JSON.stringify({ ...OUTPUTS, stack: "prod", requireReason: true, portForwarding: [{ name: "orders-db", host: "orders-db.internal", port: 5432 }] }),
);

/** Every command of the tool, as its help lists them. */
const COMMANDS = ["shell", "run", "forward", "list", "stop", "audit", "doctor", "help"];

/** A directory with no files in it. */
const noFiles = fs.mkdtempSync(path.join(os.tmpdir(), "ecs-exec-no-files-"));

/** The words of a command line as a POSIX shell splits it, for the quoting examples use: "..." and '...' words. */
function shellWords(line: string): string[] {
    return [...line.matchAll(/"([^"]*)"|'([^']*)'|([^\s"']+)/g)].map(([, double, single, bare]) => double ?? single ?? bare);
}

async function run(args: string[], plugin = new FakePlugin()) {
    let stdout = "";
    let stderr = "";
    const code = await main({
        argv: ["node", "ecs-exec", ...args],
        env: {},
        stdout: {
            write: (s: string | Buffer) => ((stdout += s), true),
            once: () => undefined,
        },
        stderr: { write: (s: string) => (stderr += s) },
        signals: new FakeSignals(),
        plugin,
        pulumi: () => Promise.reject(Object.assign(new Error("spawn pulumi ENOENT"), { code: "ENOENT" })),
        now: () => Date.parse("2026-03-14T12:00:00Z"),
        terminal: new FakeTerminal(),
    });
    return { code, stdout, stderr };
}

describe("ecs-exec command line", () => {
    after(() => {
        fs.rmSync(path.dirname(outputsFile), { recursive: true, force: true });
        fs.rmSync(noFiles, { recursive: true, force: true });
    });

    it("prints help with the exit codes, exit 0", async () => {
        const { code, stdout } = await run(["--help"]);
        assert.equal(code, 0);
        assert.match(stdout, /Exit codes:\n {2}0 {4}done\n/);
    });

    for (const args of [
        ["deploy"],
        ["stop"],
        ["stop", "abc", "--mine"],
        ["audit", "--json", "--markdown"],
        ["audit", "--since", "yesterday"],
        ["audit", "--since", "1h", "--until", "2h"],
        ["audit", "--since", "91d"],
        ["audit", "--since", "2025-12-01T00:00Z"],
        ["shell", "--timeout", "5x"],
        ["run"],
        ["run", "--timeout", "0s", "--", "true"],
        ["run", "--reason", "", "--", "true"],
        ["run", "--reason", "INC-1, INC-2", "--", "true"],
        ["shell", "--reason", "aws:reserved"],
        ["shell", "--reason", "x".repeat(257)],
        ["shell", "--reason", "INC-42"],
        ["shell", "--reason", " INC-4711 restore"],
        ["run", "--reason", "INC-4711 restore\u3000", "--", "true"],
        ["forward"],
        ["forward", "orders-db", "--local-port", "0"],
        ["forward", "orders-db", "--local-port", "65536"],
        ["forward", "orders-db", "--local-port", "pg"],
        ["shell", "--min-left", "half an hour"],
        ["run", "--transcript-wait", "1x", "--", "true"],
        ["list", "--profile"],
    ]) {
        it(`bad arguments (${args.join(" ")}): one message with the tool's prefix once, ending with where the command's help is, exit 2`, async () => {
            const { code, stderr } = await run([...args, "--outputs", outputsFile]);
            assert.equal(code, 2);
            assert.equal(stderr.trimEnd().split("\n").length, 1, stderr);
            assert.match(stderr, /^ecs-exec: (?!ecs-exec: |error: )/);
            const command = COMMANDS.includes(args[0]) ? `ecs-exec ${args[0]}` : "ecs-exec";
            assert.ok(stderr.endsWith(` (see ${command} --help)\n`), stderr);
        });
    }

    for (const [args, message] of [
        [["shell", "--bogus"], "unknown option '--bogus' (see ecs-exec shell --help)"],
        [["shell", "--stak", "dev"], "unknown option '--stak' (Did you mean --stack?) (see ecs-exec shell --help)"],
        [["forward"], "missing required argument 'name' (see ecs-exec forward --help)"],
        [["list", "extra"], "too many arguments for 'list'. Expected 0 arguments but got 1 (see ecs-exec list --help)"],
        [["list", "--profile"], "option '--profile <name>' argument missing (see ecs-exec list --help)"],
        [["audit", "--json", "--markdown"], "option '--json' cannot be used with option '--markdown' (see ecs-exec audit --help)"],
        [
            ["audit", "--since", "yesterday"],
            '--since takes a duration back from now (30m, 24h, 7d) or an ISO time (2026-03-14T09:00Z), not "yesterday" (see ecs-exec audit --help)',
        ],
        [["shell", "--timeout", "5x"], '--timeout takes a duration such as 90s, 5m or 1h, not "5x" (see ecs-exec shell --help)'],
        [["audit", "--since", "1h", "--until", "2h"], "--since must be before --until (see ecs-exec audit --help)"],
        [
            ["audit", "--since", "100d"],
            "--since reaches back before 2025-12-14 12:00:00Z: CloudTrail's event history keeps 90 days " +
                "(use --since 90d at most; older events are in the trail's S3 bucket) (see ecs-exec audit --help)",
        ],
        [
            ["run", "--reason", "INC-42", "--", "ls"],
            '--reason "INC-42" says too little: it has 6 characters; a reason has at least 8. Say why you start the exec task in at ' +
                'least 8 characters, without leading or trailing spaces, e.g. --reason "INC-4711 restore orders" (see ecs-exec run --help)',
        ],
        [
            ["run", "--reason", "INC-1, INC-2 #urgent", "--", "ls"],
            '--reason cannot be an ECS tag value: it contains ",", "#". Tag values take letters, digits, spaces and + - = . _ : / @ ' +
                "(at most 256 characters) (see ecs-exec run --help)",
        ],
        [["shell", "--reason", ""], "--reason needs a text: why you start the exec task (a ticket, a runbook step) (see ecs-exec shell --help)"],
        [["forward", "orders-db", "--local-port", "0"], '--local-port takes a TCP port from 1 to 65535, not "0" (see ecs-exec forward --help)'],
        [["--bogus"], "unknown option '--bogus' (see ecs-exec --help)"],
        [["frobnicate"], "unknown command 'frobnicate' (see ecs-exec --help)"],
        [["help", "frobnicate"], "unknown command 'frobnicate' (see ecs-exec --help)"],
        [["stop"], "stop takes a task id or --mine (one of them) (see ecs-exec stop --help)"],
        [["stop", "0f8e9c1d2b3a4e5f60718293a4b5c6d7", "--mine"], "stop takes a task id or --mine (one of them) (see ecs-exec stop --help)"],
    ] as const) {
        it(`a usage error (${args.join(" ")}) reads "ecs-exec: <message> (see ecs-exec <command> --help)", exit 2`, async () => {
            const { code, stdout, stderr } = await run([...args]);
            assert.deepEqual({ code, stdout, stderr }, { code: 2, stdout: "", stderr: `ecs-exec: ${message}\n` });
        });
    }

    it("the tool's help lists the environment once: AWS_PROFILE, AWS_REGION (the stack's region wins) and the others", async () => {
        const { stdout } = await run(["--help"]);
        assert.equal(stdout.split("\nEnvironment:\n").length, 2, "one Environment section");
        const environment = stdout.slice(stdout.indexOf("Environment:\n"), stdout.indexOf("Exit codes:\n"));
        for (const variable of ["AWS_PROFILE", "AWS_ACCESS_KEY_ID", "AWS_CONFIG_FILE", "AWS_ENDPOINT_URL_<SERVICE>", "AWS_REGION", "NO_COLOR"]) {
            assert.equal(stdout.split("\n").filter((line) => line.startsWith(`  ${variable}`) || line.includes(`, ${variable}`)).length, 1, variable);
            assert.ok(environment.includes(variable), variable);
        }
        assert.match(environment, /AWS_PROFILE +the profile, unless --profile names one/);
        assert.match(environment, /AWS_REGION +not followed: every command uses the stack's region/);
    });

    for (const command of COMMANDS) {
        it(`${command} --help points to the environment in the tool's help rather than repeating it`, async () => {
            const { code, stdout } = await run([command, "--help"]);
            assert.equal(code, 0);
            assert.ok(stdout.includes("\nEnvironment variables and exit codes: ecs-exec --help\n"));
            assert.doesNotMatch(stdout, /Environment:|Exit codes:|AWS_REGION|AWS_ACCESS_KEY_ID/);
            if (command !== "help") {
                assert.match(stdout, /--profile <name>/);
            }
        });

        it(`${command} --help ends with 2 to 4 examples of ecs-exec ${command}, each taken by the parser`, async () => {
            const { stdout } = await run([command, "--help"]);
            const sections = stdout.split("\nExamples:\n");
            assert.equal(sections.length, 2, "one Examples section");
            const examples = sections[1].replace(/\n$/, "").split("\n");
            assert.ok(examples.length >= 2 && examples.length <= 4, `${examples.length} examples`);
            for (const example of examples) {
                assert.match(example, new RegExp(`^  ecs-exec ${command} \\S`));
                // Every argument check passed when the tool goes on to read the stack's outputs: none here (exit 3).
                // A file the example names is the user's: looked for where there is none.
                const words = shellWords(example).slice(1);
                const args = words.map((word, i) => (words[i - 1] === "--outputs" ? path.join(noFiles, word) : word));
                const { code, stderr } = await run(args);
                assert.equal(code, command === "help" ? 0 : 3, `${example}: ${stderr}`);
            }
        });
    }

    it("each command's usage line is the parser's, as the tool's command list shows it", async () => {
        const { stdout: help } = await run(["--help"]);
        for (const command of COMMANDS) {
            const listed = new RegExp(`^  (${command}\\b.*?) {2,}`, "m").exec(help)?.[1];
            assert.ok(listed, command);
            const usage = (await run([command, "--help"])).stdout.split("\n")[0];
            // The list shows [options] only for commands with options of their own besides --help.
            assert.equal(usage.replace(" [options]", ""), `Usage: ecs-exec ${listed.replace(" [options]", "")}`);
            assert.ok(usage.startsWith(`Usage: ecs-exec ${command} [options]`), usage);
        }
    });

    it("--min-left longer than an exec task of the stack lives: says so, exit 2 before any AWS call", async () => {
        const plugin = new FakePlugin();
        let checked = false;
        plugin.check = async () => void (checked = true);
        const { code, stderr } = await run(["shell", "--outputs", outputsFile, "--min-left", "9h"], plugin);
        assert.equal(code, 2);
        assert.equal(stderr, "ecs-exec: --min-left 9h is more than an exec task of stack dev lives (maxSessionHours: 8 h) (see ecs-exec shell --help)\n");
        assert.equal(checked, false);
    });

    it("audit --since beyond CloudTrail's 90 days of event history: says so, before reading the outputs", async () => {
        const { code, stderr } = await run(["audit", "--since", "100d", "--stack", "dev"]);
        assert.equal(code, 2);
        assert.equal(
            stderr,
            "ecs-exec: --since reaches back before 2025-12-14 12:00:00Z: CloudTrail's event history keeps 90 days " +
                "(use --since 90d at most; older events are in the trail's S3 bucket) (see ecs-exec audit --help)\n",
        );
    });

    for (const command of [["shell"], ["run", "--", "true"], ["forward", "orders-db"]]) {
        it(`${command[0]} on a stack that requires a reason, without --reason: exit 2 before any AWS call, saying how to give one`, async () => {
            const plugin = new FakePlugin();
            let checked = false;
            plugin.check = async () => void (checked = true);
            const { code, stderr } = await run([command[0], "--outputs", prodOutputsFile, ...command.slice(1)], plugin);
            assert.equal(code, 2);
            assert.equal(
                stderr,
                'ecs-exec: stack prod requires a reason for every exec task (requireReason): add --reason "TEXT", for example ' +
                    `--reason "INC-4711 restore orders". It goes into the task's Reason tag, the alert and ecs-exec audit. (see ecs-exec ${command[0]} --help)\n`,
            );
            assert.equal(checked, false, "not even the plugin check");
        });
    }

    for (const [reason, why] of [
        ["INC-42", "it has 6 characters; a reason has at least 8"],
        [" INC-4711 restore", "it begins or ends with whitespace"],
        ["INC-4711 restore\u00a0", "it begins or ends with whitespace"],
    ]) {
        it(`a --reason that says too little (${JSON.stringify(reason)}): says why, exit 2 before any AWS call`, async () => {
            const plugin = new FakePlugin();
            let checked = false;
            plugin.check = async () => void (checked = true);
            const { code, stderr } = await run(["shell", "--outputs", prodOutputsFile, "--reason", reason], plugin);
            assert.equal(code, 2);
            assert.equal(
                stderr,
                `ecs-exec: --reason ${JSON.stringify(reason)} says too little: ${why}. Say why you start the exec task in at ` +
                    'least 8 characters, without leading or trailing spaces, e.g. --reason "INC-4711 restore orders" (see ecs-exec shell --help)\n',
            );
            assert.equal(checked, false, "not even the plugin check");
        });
    }

    it("a --reason ECS cannot take as a tag value: says which characters, exit 2", async () => {
        const { code, stderr } = await run(["run", "--outputs", outputsFile, "--reason", "INC-1, INC-2 #urgent", "--", "true"]);
        assert.equal(code, 2);
        assert.equal(
            stderr,
            'ecs-exec: --reason cannot be an ECS tag value: it contains ",", "#". Tag values take letters, digits, spaces and ' +
                "+ - = . _ : / @ (at most 256 characters) (see ecs-exec run --help)\n",
        );
    });

    it("forward to a destination the stack does not configure: names the configured ones and forward's help, exit 2", async () => {
        const { code, stderr } = await run(["forward", "billing-db", "--outputs", prodOutputsFile, "--reason", "INC-4711 restore orders"]);
        assert.equal(code, 2);
        assert.equal(stderr, 'ecs-exec: no destination "billing-db" in stack prod; configured: orders-db (see ecs-exec forward --help)\n');
    });

    it("run takes the options after COMMAND as the command's own", async () => {
        const plugin = new FakePlugin();
        plugin.installed = false;
        // The plugin check fails at once: the arguments were accepted, --stack included, -la left to ls.
        const { code } = await run(["run", "--outputs", outputsFile, "ls", "-la", "--stack", "prod"], plugin);
        assert.equal(code, 6);
    });

    it("outputs of another stack: one line, no stack trace, exit 3", async () => {
        const { code, stderr } = await run(["list", "--stack", "prod", "--outputs", outputsFile]);
        assert.equal(code, 3);
        assert.equal(stderr, `ecs-exec: ${outputsFile} holds the outputs of stack "dev", not "prod"\n`);
    });

    it("no Pulumi CLI and no --outputs: says how to pass the outputs, exit 3", async () => {
        const { code, stderr } = await run(["list", "--stack", "dev"]);
        assert.equal(code, 3);
        assert.match(stderr, /--outputs FILE/);
    });

    it("an unexpected error is a bug: its stack trace, exit 70", async () => {
        const plugin = new FakePlugin();
        plugin.check = () => Promise.reject(new TypeError("cannot read properties of undefined"));
        const { code, stderr } = await run(["shell", "--outputs", outputsFile], plugin);
        assert.equal(code, 70);
        assert.match(stderr, /^ecs-exec: unexpected error \(a bug, please report it\):\nTypeError: cannot read properties of undefined\n\s+at /);
    });

    it("docs/developers.md documents the exit codes the help prints", async () => {
        const { stdout } = await run(["--help"]);
        const help = stdout.slice(stdout.indexOf("Exit codes:\n") + "Exit codes:\n".length).trimEnd().split("\n");
        const rows = readDoc("developers").split("\n").filter((line) => /^\| `\d+`/.test(line));
        const fromHelp = help.map((line) => line.trim().split(/\s{2,}/)[0].split(", "));
        const fromReadme = rows.map((row) => [...row.matchAll(/`(\d+)`/g)].map((m) => m[1]));
        assert.deepEqual(fromReadme, fromHelp);
    });
});
