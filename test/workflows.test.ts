/**
 * The CI workflows users get: valid, calling only what exists, enforcing the policy pack with each stack's config,
 * and within GitHub's and Pulumi's rules (permissions of called workflows, the backend Pulumi really uses).
 */
import { strict as assert } from "assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import * as yaml from "js-yaml";
import { PROJECT_DIR } from "../synth/synth";
import { callViolations } from "./support/githubPermissions";

const WORKFLOWS = path.join(PROJECT_DIR, ".github", "workflows");
const files = fs.readdirSync(WORKFLOWS).filter((f) => f.endsWith(".yml"));
const workflows: Record<string, any> = Object.fromEntries(
    files.map((f) => [f, yaml.load(fs.readFileSync(path.join(WORKFLOWS, f), "utf8"))]),
);
const scripts = Object.keys(JSON.parse(fs.readFileSync(path.join(PROJECT_DIR, "package.json"), "utf8")).scripts);

/** Every job of every workflow with the values its `${{ matrix.stack }}` / `${{ inputs.stack }}` take. */
function jobs(): { file: string; name: string; job: any; stacks: string[] }[] {
    const callers = (file: string) =>
        Object.values(workflows)
            .flatMap((w: any) => Object.values(w.jobs))
            .filter((j: any) => j.uses === `./.github/workflows/${file}`)
            .map((j: any) => j.with.stack as string);
    return Object.entries(workflows).flatMap(([file, w]) =>
        Object.entries(w.jobs).map(([name, job]: [string, any]) => ({
            file,
            name,
            job,
            stacks: job.strategy?.matrix?.stack ?? callers(file),
        })),
    );
}

const steps = () =>
    jobs().flatMap(({ file, job, stacks }) => (job.steps ?? []).map((step: any) => ({ step, stacks, env: { ...workflows[file].env, ...job.env, ...step.env } })));
const pulumiSteps = () => steps().filter(({ step }) => String(step.uses).startsWith("pulumi/actions@"));
/** Steps that run the Pulumi CLI: pulumi/actions, or a script calling `pulumi`. */
const runsPulumi = (step: any) => String(step.uses).startsWith("pulumi/actions@") || /(^|[\s;&|(])pulumi\s/m.test(String(step.run ?? ""));
const loadCalled = (uses: string) => yaml.load(fs.readFileSync(path.join(PROJECT_DIR, uses), "utf8"));
const expand = (text: string, stack: string) => text.replace(/\$\{\{\s*(matrix|inputs)\.stack\s*\}\}/g, stack);

describe("CI workflows for users", () => {
    it("are valid YAML workflows with triggers and jobs", () => {
        assert.deepEqual(files.sort(), ["deploy.yml", "pull-request.yml", "pulumi-up.yml"]);
        for (const [file, w] of Object.entries(workflows)) {
            assert.ok(w.on && Object.keys(w.jobs).length > 0, file);
        }
    });

    it("call only npm scripts that exist", () => {
        const called = steps().flatMap(({ step }) => [...String(step.run ?? "").matchAll(/npm run (\S+)/g)].map((m) => m[1]));
        assert.ok(called.includes("check"));
        for (const script of called) {
            assert.ok(scripts.includes(script), `npm run ${script}`);
        }
    });

    it("check both stacks on every pull request without credentials, forks included", () => {
        const test = workflows["pull-request.yml"].jobs.test;
        const runs = test.steps.map((s: any) => s.run).filter(Boolean);
        assert.ok(runs.includes("npm test"));
        assert.ok(runs.includes("npm run check -- --stack dev") && runs.includes("npm run check -- --stack prod"));
        assert.doesNotMatch(JSON.stringify(test), /secrets\.|configure-aws-credentials/);
    });

    it("run pulumi with the policy pack and each stack's own policy config, which exists", () => {
        assert.equal(pulumiSteps().length, 2);
        for (const { step, stacks } of pulumiSteps()) {
            assert.equal(step.with.policyPacks, "policies");
            assert.ok(fs.existsSync(path.join(PROJECT_DIR, "policies", "PulumiPolicy.yaml")));
            assert.deepEqual([...stacks].sort(), ["dev", "prod"]);
            for (const stack of stacks) {
                assert.equal(expand(step.with["stack-name"], stack), stack);
                const config = expand(step.with.policyPackConfigs, stack);
                assert.equal(config, `policies/config/${stack}.json`);
                assert.ok(fs.existsSync(path.join(PROJECT_DIR, config)), config);
            }
        }
    });

    it("preview pull requests of this repository only, commenting on them", () => {
        const preview = workflows["pull-request.yml"].jobs.preview;
        assert.match(preview.if, /github\.event\.pull_request\.head\.repo\.full_name == github\.repository/);
        const step = preview.steps.find((s: any) => String(s.uses).startsWith("pulumi/actions@"));
        assert.equal(step.with.command, "preview");
        assert.equal(step.with["comment-on-pr"], true);
    });

    it("deploy main with pulumi up, dev first, prod after it in its own (approval-gated) environment", () => {
        const deploy = workflows["deploy.yml"];
        assert.deepEqual(deploy.on.push.branches, ["main"]);
        assert.equal(deploy.jobs.dev.needs, "test");
        assert.equal(deploy.jobs.prod.needs, "dev");
        assert.equal(deploy.jobs.prod.with.stack, "prod");
        const up = workflows["pulumi-up.yml"].jobs.up;
        assert.equal(up.environment, "${{ inputs.stack }}");
        assert.equal(up.steps.find((s: any) => String(s.uses).startsWith("pulumi/actions@")).with.command, "up");
    });

    it("grant every reusable workflow they call the permissions its jobs ask for (GitHub refuses the caller otherwise)", () => {
        const calls = jobs().filter(({ job }) => typeof job.uses === "string");
        assert.ok(calls.length >= 2);
        for (const [file, workflow] of Object.entries(workflows)) {
            assert.deepEqual(callViolations(file, workflow, loadCalled), [], file);
        }
    });

    it("would catch a caller that passes less than its called workflow asks for, as GitHub does", () => {
        const call = { uses: "./.github/workflows/pulumi-up.yml", with: { stack: "dev" } };
        const refusal = "deploy.yml job dev calls ./.github/workflows/pulumi-up.yml: the nested job 'up' is requesting 'id-token: write', but is only allowed 'id-token: none'";
        // Naming one scope sets every other to none; with no permissions anywhere the repository default applies.
        assert.deepEqual(callViolations("deploy.yml", { permissions: { contents: "read" }, jobs: { dev: call } }, loadCalled), [refusal]);
        assert.deepEqual(callViolations("deploy.yml", { jobs: { dev: call } }, loadCalled), [refusal]);
        assert.deepEqual(callViolations("deploy.yml", { permissions: "write-all", jobs: { dev: call } }, loadCalled), []);
    });

    it("give every step that runs Pulumi the shared backend in PULUMI_BACKEND_URL, which wins over Pulumi.yaml's backend.url", () => {
        const backendUrl = (yaml.load(fs.readFileSync(path.join(PROJECT_DIR, "Pulumi.yaml"), "utf8")) as any).backend?.url;
        assert.equal(backendUrl, "file://~", "the project's own backend, which a runner's empty home would make CI use");
        const pulumi = steps().filter(({ step }) => runsPulumi(step));
        assert.equal(pulumi.length, 2);
        for (const { step, env } of pulumi) {
            assert.equal(env.PULUMI_BACKEND_URL, "${{ vars.PULUMI_BACKEND_URL }}", step.name);
        }
    });

    it("stop pulumi up at once, saying what to set, when the shared backend is not configured", () => {
        // Run as GitHub runs a `run:` step on Linux: bash --noprofile --norc -eo pipefail.
        const guard = workflows["pulumi-up.yml"].jobs.up.steps[0];
        const run = (url: string) => {
            try {
                return { code: 0, out: execFileSync("bash", ["--noprofile", "--norc", "-eo", "pipefail", "-c", guard.run], {
                        env: { PULUMI_BACKEND_URL: url },
                        encoding: "utf8",
                    }) };
            } catch (e: any) {
                return { code: e.status, out: e.stdout };
            }
        };
        assert.deepEqual(run(""), { code: 1, out: "::error::Set the variable PULUMI_BACKEND_URL (the shared Pulumi state, e.g. s3://my-state-bucket): see README, Variables and secrets.\n" });
        assert.equal(run("s3://state").code, 0);
    });

    it("read only variables and secrets that README lists", () => {
        const read = new Set(
            Object.values(workflows).flatMap((w) => [...JSON.stringify(w).matchAll(/\b(vars|secrets)\.([A-Za-z_][A-Za-z0-9_]*)/g)].map((m) => `${m[1]}.${m[2]}`)),
        );
        const readme = fs.readFileSync(path.join(PROJECT_DIR, "README.md"), "utf8");
        const section = readme.slice(readme.indexOf("#### Variables and secrets"));
        const listed = new Set(
            [...section.slice(0, section.indexOf("\n\n", section.indexOf("| ---"))).matchAll(/^\| `([A-Z_]+)` \| (variable|secret) \|/gm)].map(
                (m) => `${m[2] === "variable" ? "vars" : "secrets"}.${m[1]}`,
            ),
        );
        assert.deepEqual([...listed].sort(), [...read].sort());
    });
});
