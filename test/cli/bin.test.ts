/**
 * The built bin as users run it: bundled JavaScript that compiles nothing, built from the current sources, and that
 * loads only what the command it runs uses (observed in the real process with module hooks).
 */
import { strict as assert } from "assert";
import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import type { Metafile } from "esbuild";
import { ENTRY } from "../../cli/build";
import { PROJECT_DIR } from "../../synth/synth";
import { assertBuiltFromCurrentSources, inputsOf, readBundle, staticInputs } from "./support/bundle";
import { FakeAws } from "./support/fakeAws";
import { BIN, Sandbox, startTool, ToolExit } from "./support/tool";

const RECORDER = path.join(__dirname, "support", "recordLoads.mjs");
const AWS_SDK = /^node_modules\/@(aws-sdk|smithy)\//;
const version = JSON.parse(fs.readFileSync(path.join(PROJECT_DIR, "package.json"), "utf8")).version;

/** Runs the bin with `args`, and returns its exit with the sources of the bundle files it loaded. */
async function runRecorded(bundle: Metafile, sandbox: Sandbox, args: string[], env: NodeJS.ProcessEnv): Promise<ToolExit & { loaded: Set<string> }> {
    const record = path.join(sandbox.dir, `loads-${args[0]}`);
    const exit = await startTool(args, { ...env, RECORD_LOADS: record }, [process.execPath, "--import", RECORDER, BIN]).exited;
    return { ...exit, loaded: inputsOf(bundle, fs.readFileSync(record, "utf8").trim().split("\n")) };
}

const fromPackage = (inputs: Set<string>, name: string) => [...inputs].some((input) => input.startsWith(`node_modules/${name}/`));

describe("the ecs-exec bin, as built", function () {
    this.timeout(30_000);
    let bundle: Metafile;
    let sandbox: Sandbox;
    let aws: FakeAws;

    before(async () => {
        bundle = readBundle();
        sandbox = await Sandbox.create();
        aws = await new FakeAws({ cluster: "dev-ecs-exec", family: "dev-ecs-exec", container: "dev-ecs-exec", userId: "AIDAEXAMPLEUSERBOB01" }).start();
    });
    after(async () => {
        await aws.stop();
        sandbox.remove();
    });

    it("is built from the current sources (npm test builds it before mocha)", () => {
        assertBuiltFromCurrentSources(bundle);
    });

    it("is plain JavaScript: no TypeScript compiler or ts-node in it", () => {
        const inputs = Object.keys(bundle.inputs);
        assert.ok(inputs.includes("cli/main.ts"));
        assert.deepEqual(inputs.filter((input) => /^node_modules\/(typescript|ts-node)\//.test(input)), []);
        assert.ok(Object.keys(bundle.outputs).every((file) => /\.mjs$/.test(file)));
    });

    it("parses arguments without the AWS SDK: the entry and what it imports statically hold none of it", () => {
        const entry = path.relative(PROJECT_DIR, ENTRY);
        const inputs = staticInputs(bundle, entry);
        assert.ok(inputs.has("node_modules/commander/lib/command.js"));
        assert.deepEqual([...inputs].filter((input) => AWS_SDK.test(input)), []);
    });

    for (const flag of ["--version", "--help"]) {
        it(`answers ${flag} loading no AWS client`, async () => {
            const run = await runRecorded(bundle, sandbox, [flag], sandbox.env(aws));
            assert.equal(run.code, 0, run.stderr);
            assert.match(run.stdout, flag === "--version" ? new RegExp(`^${version.replace(/\./g, "\\.")}\\n$`) : /^Usage: ecs-exec /);
            assert.ok(run.loaded.has("cli/main.ts"));
            assert.deepEqual([...run.loaded].filter((input) => AWS_SDK.test(input)), []);
        });
    }

    it("list loads the ECS and STS clients when it runs, and not the audit's or doctor's", async () => {
        const run = await runRecorded(bundle, sandbox, ["list", "--outputs", sandbox.outputsFile], sandbox.env(aws));
        assert.equal(run.code, 0, run.stderr);
        assert.deepEqual(aws.calls.map((c) => c.operation), ["GetCallerIdentity", "ListTasks"]);
        assert.ok(fromPackage(run.loaded, "@aws-sdk/client-ecs") && fromPackage(run.loaded, "@aws-sdk/client-sts"));
        for (const other of ["cloudtrail", "cloudwatch-logs", "iam", "kms", "ec2", "eventbridge", "cloudwatch", "sns"]) {
            assert.ok(!fromPackage(run.loaded, `@aws-sdk/client-${other}`), other);
        }
        assert.ok(![...run.loaded].some((input) => input.startsWith("cli/doctor/")));
    });

    it("says how to build it when it is not built, exit 70", () => {
        const copy = path.join(sandbox.dir, "checkout", "cli", "bin", "ecs-exec.js");
        fs.mkdirSync(path.dirname(copy), { recursive: true });
        fs.copyFileSync(BIN, copy);
        const run = spawnSync(process.execPath, [copy, "--help"], { encoding: "utf8" });
        assert.equal(run.status, 70);
        assert.equal(run.stdout, "");
        assert.equal(
            run.stderr,
            `ecs-exec: not built (no ${path.join(sandbox.dir, "checkout", "cli", "dist", "main.mjs")}): run npm ci, or npm run build, in ${path.join(sandbox.dir, "checkout")}\n`,
        );
    });

    it("goes on PATH with npm link (docs/developers.md), and runs from any directory", () => {
        const prefix = path.join(sandbox.dir, "global");
        // Only this npm's settings: those npm passes to `npm test` would name the real global prefix.
        const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^npm_config_/i.test(key)));
        execFileSync("npm", ["link", "--ignore-scripts", "--no-audit", "--no-fund"], {
            cwd: PROJECT_DIR,
            env: { ...env, npm_config_prefix: prefix, npm_config_update_notifier: "false" },
            stdio: "ignore",
        });
        const printed = execFileSync(path.join(prefix, "bin", "ecs-exec"), ["--version"], { cwd: os.tmpdir(), encoding: "utf8" });
        assert.equal(printed, `${version}\n`);
    });
});
