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
    after(() => fs.rmSync(path.dirname(outputsFile), { recursive: true, force: true }));

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
        it(`bad arguments (${args.join(" ")}): one message, exit 2`, async () => {
            const { code, stderr } = await run([...args, "--outputs", outputsFile]);
            assert.equal(code, 2);
            assert.equal(stderr.trimEnd().split("\n").length, 1, stderr);
        });
    }

    it("help says which environment variables apply, --profile and AWS_REGION among them", async () => {
        const { stdout } = await run(["--help"]);
        const environment = stdout.slice(stdout.indexOf("Environment:\n"), stdout.indexOf("Exit codes:\n"));
        for (const variable of ["AWS_PROFILE", "AWS_ACCESS_KEY_ID", "AWS_CONFIG_FILE", "AWS_ENDPOINT_URL_<SERVICE>", "AWS_REGION", "NO_COLOR"]) {
            assert.ok(environment.includes(variable), variable);
        }
        assert.match(environment, /AWS_PROFILE +the profile, unless --profile names one/);
        assert.match(environment, /AWS_REGION +not followed: every command uses the stack's region/);
        for (const command of ["shell", "run", "forward", "list", "stop", "audit", "doctor"]) {
            assert.match((await run([command, "--help"])).stdout, /--profile <name>/, command);
        }
    });

    it("--min-left longer than an exec task of the stack lives: says so, exit 2 before any AWS call", async () => {
        const plugin = new FakePlugin();
        let checked = false;
        plugin.check = async () => void (checked = true);
        const { code, stderr } = await run(["shell", "--outputs", outputsFile, "--min-left", "9h"], plugin);
        assert.equal(code, 2);
        assert.equal(stderr, "ecs-exec: --min-left 9h is more than an exec task of stack dev lives (maxSessionHours: 8 h)\n");
        assert.equal(checked, false);
    });

    it("audit --since beyond CloudTrail's 90 days of event history: says so, before reading the outputs", async () => {
        const { code, stderr } = await run(["audit", "--since", "100d", "--stack", "dev"]);
        assert.equal(code, 2);
        assert.equal(
            stderr,
            "ecs-exec: --since reaches back before 2025-12-14 12:00:00Z: CloudTrail's event history keeps 90 days " +
                "(use --since 90d at most; older events are in the trail's S3 bucket)\n",
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
                    '--reason "INC-4711 restore orders". It goes into the task\'s Reason tag, the alert and ecs-exec audit.\n',
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
                    'least 8 characters, without leading or trailing spaces, e.g. --reason "INC-4711 restore orders"\n',
            );
            assert.equal(checked, false, "not even the plugin check");
        });
    }

    it("a --reason ECS cannot take as a tag value: says which characters, exit 2", async () => {
        const { code, stderr } = await run(["run", "--outputs", outputsFile, "--reason", "INC-1, INC-2 #urgent", "--", "true"]);
        assert.equal(code, 2);
        assert.match(stderr, /^ecs-exec: --reason cannot be an ECS tag value: it contains ",", "#"\. Tag values take letters, digits, spaces/);
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
