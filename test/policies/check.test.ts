import { strict as assert } from "assert";
import { execFile } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parseArgs, UsageError } from "../../policies/check/args";
import { ConfigError, policyConfig } from "../../policies/check/config";
import type { PackInfo } from "../../policies/check/pack";
import { formatTable, violationsOf } from "../../policies/check/report";
import { PROJECT_DIR } from "../synth/synth";
import { synthStack } from "../support/synthRun";
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

    it("takes a stack, or a resources file with a config file, and refuses anything else", () => {
        assert.deepEqual(parseArgs(["--stack", "dev", "--json"]), { stack: "dev", json: true });
        assert.deepEqual(parseArgs(["--resources", "r.json", "--config", "c.json"]), { resources: "r.json", config: "c.json", json: false });
        for (const args of [[], ["--stack"], ["--resources", "x.json"], ["--stack", "dev", "--resources", "x.json"], ["--bogus"]]) {
            assert.throws(() => parseArgs(args), (e: Error) => e instanceof UsageError && e.message.includes("usage: npm run check"), args.join(" "));
        }
    });

    it("exits 2 with the usage on bad arguments", async () => {
        const run = await runCheck(["--stack"]);
        assert.equal(run.code, 2);
        assert.match(run.stderr, /^error: --stack needs a value\nusage: npm run check/);
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
            fromFile = runCheck(["--resources", file, "--config", configFile("prod")]);
            await fromFile;
            fromStack = runCheck(["--stack", "dev", "--json"]);
        });

        it("checks a resources file with a config file: a table of what is wrong, and exit 1 on a mandatory violation", async () => {
            const run = await fromFile;
            assert.equal(run.code, 1, run.stderr);
            assert.match(run.stdout, /^mandatory\s+no-key-pairs\s+ops \(aws:ec2\/keyPair:KeyPair\)\s+EC2 key pair$/m);
            assert.match(
                run.stdout,
                new RegExp(`${mutated} resources of .*prod\\.json checked with policies/config/prod\\.json: 1 mandatory, 0 advisory`),
            );
        });

        it("synthesizes a stack and checks it with that stack's config, as JSON, exiting 0 when nothing is mandatory", async () => {
            const run = await fromStack;
            assert.equal(run.code, 0, run.stderr);
            const report = JSON.parse(run.stdout);
            assert.equal(report.resources, (await synthStack("dev")).resources.length);
            assert.equal(report.config, configFile("dev"));
            assert.deepEqual(report.violations, []);
        });
    });
});
