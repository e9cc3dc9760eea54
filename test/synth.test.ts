import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { runSynth, SynthRun } from "../synth/run";
import { leavePulumiBookkeepingStacksUnmapped } from "../synth/stackTraces";
import { duplicateUrnMessage, PROJECT_DIR } from "../synth/synth";
import { underMocks } from "./support/pulumi";
import { testStack } from "./support/testStacks";

const ROLE_ATTACHMENT = "aws:iam/rolePolicyAttachment:RolePolicyAttachment";

/** A resource of any type, as a provider's SDK class would register it. */
class Raw extends pulumi.CustomResource {
    constructor(type: string, name: string, props: pulumi.Inputs) {
        super(type, name, props);
    }
}

describe("the offline synth's monitor, like the Pulumi engine", () => {
    it("refuses a second resource with a URN already registered, with the engine's message", async () => {
        const urn = `urn:pulumi:test::ecs-exec::${ROLE_ATTACHMENT}::twice`;
        await assert.rejects(
            underMocks(() => {
                new Raw(ROLE_ATTACHMENT, "twice", { role: "a", policyArn: "p" });
                new Raw(ROLE_ATTACHMENT, "twice", { role: "b", policyArn: "p" });
            }),
            (e: Error) => e.message === duplicateUrnMessage(urn),
        );
        assert.equal(duplicateUrnMessage(urn), `Duplicate resource URN '${urn}'; try giving it a unique name`);
    });

    it("lets one name through under two types: a URN is made of both", async () => {
        const { registered } = await underMocks(() => {
            new Raw(ROLE_ATTACHMENT, "same", { role: "a", policyArn: "p" });
            new Raw("aws:iam/groupPolicyAttachment:GroupPolicyAttachment", "same", { group: "g", policyArn: "p" });
        });
        assert.equal(registered.all.length, 2);
    });
});

describe("the offline synth's stack traces", () => {
    let original: typeof Error.prepareStackTrace;
    const mapped: string[] = [];
    beforeEach(() => {
        original = Error.prepareStackTrace;
        mapped.length = 0;
        // Stands in for source-map-support: records each trace it is asked to map.
        Error.prepareStackTrace = (error, callSites) => {
            mapped.push(callSites.map((site) => site.getFunctionName()).join(" < "));
            return `${error}\n    at mapped`;
        };
        leavePulumiBookkeepingStacksUnmapped();
    });
    afterEach(() => {
        Error.prepareStackTrace = original;
    });

    it("maps every trace a user can read: an error the program throws goes through the source maps", () => {
        function failingStep(): Error {
            return new Error("the program failed");
        }
        assert.equal(failingStep().stack, "Error: the program failed\n    at mapped");
        assert.equal(mapped.length, 1);
        assert.match(mapped[0], /^failingStep < /);
    });

    it("leaves the traces the SDK takes for its own records as V8 writes them: one per promise, one per resource", async () => {
        await underMocks(() => new Raw(ROLE_ATTACHMENT, "traced", { role: "a", policyArn: "p" }));
        assert.deepEqual(
            mapped.filter((trace) => /^(debuggablePromise|callsites)\b/.test(trace)),
            [],
            "no SDK bookkeeping trace was mapped",
        );
    });
});

describe("npm run synth, as strict as its errors are kind", function () {
    this.timeout(60_000);
    /** A stack of its own for these tests: its file in the project, as a user adds one, removed afterwards. */
    const stack = testStack("synthtest");
    const stackFile = path.join(PROJECT_DIR, `Pulumi.${stack}.yaml`);
    const dev = fs.readFileSync(path.join(PROJECT_DIR, "Pulumi.dev.yaml"), "utf8").replace("ecs-exec:environment: dev", `ecs-exec:environment: ${stack}`);
    const runs: Record<string, SynthRun> = {};

    before(async () => {
        // Not YAML: a key indented by one space under config (line 8), which YAML cannot place.
        fs.writeFileSync(stackFile, dev.replace("  ecs-exec:execCpu: 256\n", "  ecs-exec:execCpu: 256\n ecs-exec:execMemory: 512\n"));
        runs.yaml = await runSynth(["--stack", stack]);
        // Two values of another type than Pulumi.yaml declares, and one of the right type the program refuses.
        fs.writeFileSync(
            stackFile,
            dev
                .replace("ecs-exec:maxSessionHours: 8", "ecs-exec:maxSessionHours: eight")
                .replace("ecs-exec:assignPublicIp: true", "ecs-exec:assignPublicIp: [true]")
                .replace("ecs-exec:logRetentionDays: 30", "ecs-exec:logRetentionDays: 31"),
        );
        [runs.types, runs.namespace, runs.help, runs.unknown, runs.noStack, runs.noValue] = await Promise.all([
            runSynth(["--stack", stack, "--config", "execMemory=300", "--config", "ecs-exec:requireMfa=maybe"]),
            runSynth(["--stack", "dev", "--config", "foo:bar=1", "--config", "aws:region=eu-west-1"]),
            runSynth(["--help"]),
            runSynth(["--stack", "dev", "--bogus"]),
            runSynth(["--stack", "nosuchstack"]),
            runSynth(["--stack"]),
        ]);
    });
    after(() => fs.rmSync(stackFile, { force: true }));

    it("a stack file that is not YAML: one line naming the file, line and column, no stack trace, exit 2", () => {
        assert.deepEqual(runs.yaml, {
            ...runs.yaml,
            code: 2,
            stdout: "",
            stderr: `error: Pulumi.${stack}.yaml:8:2: not valid YAML: bad indentation of a mapping entry\n`,
        });
    });

    it("reports values of the wrong type with every other problem at once: key, value, type wanted, where it came from; exit 1", () => {
        assert.equal(runs.types.code, 1, runs.types.stderr);
        assert.equal(runs.types.stdout, "");
        const lines = runs.types.stderr.trimEnd().split("\n");
        const retention = lines.findIndex((line) => line.startsWith("  - ecs-exec:logRetentionDays: "));
        assert.match(lines[retention], new RegExp(`^ {2}- ecs-exec:logRetentionDays: got "31" \\(Pulumi\\.${stack}\\.yaml\\); allowed: .*\\b30, 60\\b`));
        assert.deepEqual(
            lines.filter((_, i) => i !== retention),
            [
                "error: invalid stack configuration (5 problems):",
                `  - ecs-exec:maxSessionHours: got "eight" (Pulumi.${stack}.yaml); type integer, as Pulumi.yaml declares it; allowed: whole hours from 1 to 24`,
                `  - ecs-exec:assignPublicIp: got [true] (Pulumi.${stack}.yaml); type boolean, as Pulumi.yaml declares it; allowed: true or false`,
                '  - ecs-exec:requireMfa: got "maybe" (--config ecs-exec:requireMfa=maybe); type boolean, as Pulumi.yaml declares it; allowed: true or false',
                '  - ecs-exec:execMemory: got "300" (--config execMemory=300); allowed: MiB valid with execCpu 256: 512, 1024, 2048',
                `Fix Pulumi.${stack}.yaml (or pulumi config set <key> <value>), and the --config values named.`,
            ],
        );
    });

    it("refuses a --config key in a namespace nothing reads, naming the flag; aws:region passes; exit 2", () => {
        assert.equal(runs.namespace.code, 2);
        assert.equal(runs.namespace.stdout, "");
        assert.equal(
            runs.namespace.stderr,
            'error: --config foo:bar=1: unknown namespace "foo"\nA key is the project\'s (<key> or ecs-exec:<key>), or in one of aws, awsx, time, pulumi.\n',
        );
    });

    it("--help prints the usage and each option on stdout, exit 0", () => {
        assert.equal(runs.help.code, 0);
        assert.equal(runs.help.stderr, "");
        assert.match(runs.help.stdout, /^usage: npm run -s synth -- --stack <name> /);
        for (const option of ["--stack", "--out", "--config", "--help"]) {
            assert.match(runs.help.stdout, new RegExp(`^  (-\\w, )?${option} `, "m"), option);
        }
    });

    it("bad arguments or a stack without its file: the message, exit 2", () => {
        assert.deepEqual([runs.unknown.code, runs.unknown.stderr.split("\n")[0]], [2, 'error: unknown argument "--bogus"']);
        assert.deepEqual([runs.noValue.code, runs.noValue.stderr.split("\n")[0]], [2, "error: --stack needs a value"]);
        assert.deepEqual([runs.noStack.code, runs.noStack.stderr], [2, `error: no stack file Pulumi.nosuchstack.yaml in ${PROJECT_DIR}\n`]);
    });
});
