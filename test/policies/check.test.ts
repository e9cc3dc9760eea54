import { strict as assert } from "assert";
import { execFile } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parseArgs, UsageError } from "../../policies/check/args";
import { ConfigError, policyConfig } from "../../policies/check/config";
import type { PackInfo } from "../../policies/check/pack";
import { formatTable, violationsOf } from "../../policies/check/report";
import { PROJECT_DIR } from "../../synth/synth";
import { synthStack } from "../support/synthRun";
import { testStack } from "../support/testStacks";
import { MUTATIONS } from "./mutations";
import { configFile } from "./sharedPack";

interface Run {
    code: number;
    stdout: string;
    stderr: string;
}

/** `npm run check -- <args>` as a user runs it. */
function runCheck(args: string[]): Promise<Run> {
    return new Promise((resolve) =>
        execFile(
            process.execPath,
            ["-r", "ts-node/register/transpile-only", path.join("policies", "check", "cli.ts"), ...args],
            { cwd: PROJECT_DIR },
            (error, stdout, stderr) => resolve({ code: error ? Number(error.code) : 0, stdout, stderr }),
        ),
    );
}

/**
 * `node <args>` as runCheck runs it, with every child process it starts written down in `record`
 * (test/support/recordSpawns.ts): an empty record says nothing was started.
 */
function runRecordingSpawns(args: string[], record: string): Promise<Run> {
    return new Promise((resolve) =>
        execFile(
            process.execPath,
            ["-r", "ts-node/register/transpile-only", "-r", path.join(__dirname, "..", "support", "recordSpawns.ts"), ...args],
            { cwd: PROJECT_DIR, env: { ...process.env, ECS_EXEC_RECORD_SPAWNS: record } },
            (error, stdout, stderr) => resolve({ code: error ? Number(error.code) : 0, stdout, stderr }),
        ),
    );
}

const PACK: PackInfo = {
    name: "pack",
    version: "1",
    supportsConfig: true,
    policies: [
        { name: "a", description: "", enforcementLevel: "mandatory", type: "resource", remediationSteps: "", configSchema: { days: { type: "integer", minimum: 1 } } },
        { name: "b", description: "", enforcementLevel: "advisory", type: "stack", remediationSteps: "" },
    ],
};

describe("npm run check", function () {
    this.timeout(60000);

    it("reads policy config as the CLI does: `all` for every policy, each policy's own entry over it", () => {
        assert.deepEqual(policyConfig({ all: "mandatory", b: "advisory", a: { days: 30 } }, PACK), {
            a: { enforcementLevel: "mandatory", properties: { days: 30 } },
            b: { enforcementLevel: "advisory", properties: {} },
        });
    });

    it("refuses a config naming an unknown policy, setting, level or a value of the wrong type, listing every error", () => {
        assert.throws(
            () => policyConfig({ all: "strict" as any, c: "advisory", a: { days: "30", weeks: 2 } }, PACK),
            (e: Error) =>
                e instanceof ConfigError &&
                ["all: enforcement level", "c: no such policy", "a.days: \"30\" is not of type integer", "a.weeks: the policy takes no such setting"].every((m) => e.message.includes(m)),
        );
        assert.throws(() => policyConfig({ a: { days: 0 } }, PACK), /below the minimum of 1/);
    });

    it("prints violations as a table sorted by level, then rule", () => {
        const urn = "urn:pulumi:s::p::aws:ec2/keyPair:KeyPair::k";
        const resources = [{ urn, type: "aws:ec2/keyPair:KeyPair", name: "k", properties: {}, dependencies: [], propertyDependencies: {} }];
        const violations = violationsOf(
            [
                { policyName: "z-advice", enforcementLevel: "advisory", description: "Z.", message: "Z.\nadvice", urn },
                { policyName: "no-key-pairs", enforcementLevel: "mandatory", description: "No.", message: "No.\nEC2 key pair", urn },
                { policyName: "stack-rule", enforcementLevel: "mandatory", description: "S.", message: "S.\nwhole stack", urn: "" },
            ],
            resources,
        );
        assert.deepEqual(formatTable(violations).split("\n"), [
            "LEVEL      RULE          RESOURCE                     MESSAGE",
            "mandatory  no-key-pairs  k (aws:ec2/keyPair:KeyPair)  EC2 key pair",
            "mandatory  stack-rule    (stack)                      whole stack",
            "advisory   z-advice      k (aws:ec2/keyPair:KeyPair)  advice",
        ]);
    });

    it("takes a stack, or a resources file with a policy config, and refuses anything else", () => {
        assert.deepEqual(parseArgs(["--stack", "dev", "--json"]), { stack: "dev", config: [], json: true, notices: [] });
        assert.deepEqual(parseArgs(["--resources", "r.json", "--policy-config", "c.json"]), {
            resources: "r.json",
            policyConfig: "c.json",
            config: [],
            json: false,
            notices: [],
        });
        for (const args of [
            [],
            ["--stack"],
            ["--resources", "x.json"],
            ["--stack", "dev", "--resources", "x.json"],
            ["--bogus"],
            ["--stack", "dev", "--policy-config", "a.json", "--policy-config", "b.json"],
            ["--resources", "x.json", "--policy-config", "c.json", "--config", "execMemory=1024"],
        ]) {
            assert.throws(() => parseArgs(args), (e: Error) => e instanceof UsageError && e.message.includes("usage: npm run check"), args.join(" "));
        }
    });

    it("takes --config key=value as synth does, for the stack it synthesizes", () => {
        const args = parseArgs(["--stack", "dev", "--config", "execMemory=1024", "-c", "ecs-exec:maxSessionHours=2"]);
        assert.deepEqual(args.config, ["execMemory=1024", "ecs-exec:maxSessionHours=2"]);
        assert.equal(args.policyConfig, undefined);
    });

    it("still takes a policy config file as --config FILE, the spelling before --policy-config, with a note", () => {
        const args = parseArgs(["--resources", "r.json", "--config", "policies/config/prod.json"]);
        assert.equal(args.policyConfig, "policies/config/prod.json");
        assert.deepEqual(args.config, []);
        assert.deepEqual(args.notices, [
            "--config policies/config/prod.json: a policy config file is now --policy-config policies/config/prod.json (--config takes key=value, as for synth)",
        ]);
    });

    it("--help prints the usage and each option on stdout, exit 0", async () => {
        const run = await runCheck(["--help"]);
        assert.deepEqual([run.code, run.stderr], [0, ""]);
        assert.match(run.stdout, /^usage: npm run check -- --stack <name> /);
        for (const option of ["--stack", "--resources", "--policy-config", "--config", "--json", "--help"]) {
            assert.match(run.stdout, new RegExp(`^  (-\\w, )?${option} `, "m"), option);
        }
    });

    it("exits 2 for what synth cannot take (a --config namespace nothing reads), 1 for a stack whose config fails", async () => {
        const [namespace, failing] = await Promise.all([
            runCheck(["--stack", "dev", "--config", "foo:bar=1"]),
            runCheck(["--stack", "dev", "--config", "maxSessionHours=eight"]),
        ]);
        assert.equal(namespace.code, 2, namespace.stderr);
        assert.match(namespace.stderr, /^error: synth of stack dev failed:\nerror: --config foo:bar=1: unknown namespace "foo"\n/);
        assert.equal(failing.code, 1, failing.stderr);
        assert.match(failing.stderr, /^ {2}- ecs-exec:maxSessionHours: got "eight" \(--config maxSessionHours=eight\); type integer/m);
        assert.equal(failing.stdout, "");
    });

    it("exits 2 with the usage on bad arguments", async () => {
        const run = await runCheck(["--stack"]);
        assert.equal(run.code, 2);
        assert.match(run.stderr, /^error: --stack needs a value\nusage: npm run check/);
    });

    it("refuses a stack without its policy config before the pack or the synth starts, naming the file to create or the option to pass", async () => {
        // A stack added as a team adds one: its stack file copied, its policy config forgotten.
        const stack = testStack("added");
        const stackFile = path.join(PROJECT_DIR, `Pulumi.${stack}.yaml`);
        fs.copyFileSync(path.join(PROJECT_DIR, "Pulumi.dev.yaml"), stackFile);
        const records = fs.mkdtempSync(path.join(os.tmpdir(), "check-spawns-"));
        const recorded = (args: string[], record: string) => runRecordingSpawns(args, path.join(records, record));
        try {
            const [run, probe] = await Promise.all([
                recorded([path.join("policies", "check", "cli.ts"), "--stack", stack], "check"),
                // The recorder sees a child started as the pack and the synth start theirs.
                recorded(["-e", 'require("child_process").execFile("true", ["probe"])'], "probe"),
            ]);
            assert.equal(run.code, 2, run.stderr);
            assert.equal(
                run.stderr,
                `error: no policy config for stack ${stack}: create policies/config/${stack}.json (start from a copy of ` +
                    "policies/config/prod.json or dev.json), or pass --policy-config FILE\n",
            );
            assert.deepEqual([probe.code, fs.readFileSync(path.join(records, "probe"), "utf8")], [0, "execFile true probe\n"], probe.stderr);
            // Before the pack and the synth start: no child process at all.
            assert.equal(fs.readFileSync(path.join(records, "check"), "utf8"), "");
        } finally {
            fs.rmSync(stackFile);
            fs.rmSync(records, { recursive: true, force: true });
        }
    });

    it("a stack file that is not YAML: synth's one line naming the file, line and column, exit 2, before the pack or the synth starts", async () => {
        const stack = testStack("added");
        const stackFile = path.join(PROJECT_DIR, `Pulumi.${stack}.yaml`);
        // Not YAML: a key indented by one space under config (line 4), which YAML cannot place.
        fs.writeFileSync(stackFile, "config:\n  ecs-exec:environment: dev\n  ecs-exec:execCpu: 256\n ecs-exec:execMemory: 512\n");
        const record = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "check-spawns-")), "check");
        try {
            const run = await runRecordingSpawns([path.join("policies", "check", "cli.ts"), "--stack", stack], record);
            assert.deepEqual(
                { code: run.code, stdout: run.stdout, stderr: run.stderr },
                { code: 2, stdout: "", stderr: `error: Pulumi.${stack}.yaml:4:2: not valid YAML: bad indentation of a mapping entry\n` },
            );
            assert.equal(fs.readFileSync(record, "utf8"), "", "no child process");
        } finally {
            fs.rmSync(stackFile);
            fs.rmSync(path.dirname(record), { recursive: true, force: true });
        }
    });

    it("refuses an unknown stack, or a policy config that does not exist, at once", async () => {
        const [stack, config] = await Promise.all([
            runCheck(["--stack", "nosuchstack"]),
            runCheck(["--stack", "dev", "--policy-config", "policies/config/nosuch.json"]),
        ]);
        assert.deepEqual([stack.code, stack.stderr], [2, "error: no stack nosuchstack: Pulumi.nosuchstack.yaml does not exist\n"]);
        assert.deepEqual([config.code, config.stderr], [2, "error: no policy config policies/config/nosuch.json\n"]);
    });

    describe("run as a user runs it", () => {
        let fromFile: Promise<Run>;
        let fromStack: Promise<Run>;
        let mutated: number;
        before(async () => {
            const stack = JSON.parse(JSON.stringify(await synthStack("prod")));
            MUTATIONS.find((m) => m.caughtBy === "no-key-pairs")!.apply(stack);
            mutated = stack.resources.length;
            const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "check-")), "prod.json");
            fs.writeFileSync(file, JSON.stringify(stack));
            // One after the other: each loads the pack, a few seconds of CPU.
            fromFile = runCheck(["--resources", file, "--policy-config", configFile("prod")]);
            await fromFile;
            // A second alert address: one more subscription than the stack file declares, through synth's --config.
            fromStack = runCheck(["--stack", "dev", "--json", "--config", 'alertEmails=["platform-alerts@example.com","oncall@example.com"]']);
        });

        it("checks a resources file with a policy config: a table of what is wrong, and exit 1 on a mandatory violation", async () => {
            const run = await fromFile;
            assert.equal(run.code, 1, run.stderr);
            assert.match(run.stdout, /^mandatory\s+no-key-pairs\s+ops \(aws:ec2\/keyPair:KeyPair\)\s+EC2 key pair$/m);
            assert.match(run.stdout, new RegExp(`${mutated} resources of .*prod\\.json checked with policies/config/prod\\.json: 1 mandatory, 0 advisory`));
        });

        it("synthesizes a stack with --config settings and checks it with that stack's config, as JSON, exiting 0 when nothing is mandatory", async () => {
            const run = await fromStack;
            assert.equal(run.code, 0, run.stderr);
            const report = JSON.parse(run.stdout);
            assert.equal(report.resources, (await synthStack("dev")).resources.length + 1);
            assert.equal(report.config, configFile("dev"));
            assert.deepEqual(report.violations, []);
        });
    });
});
