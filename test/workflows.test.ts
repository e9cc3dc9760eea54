/** The CI workflows users get: valid, calling only what exists, enforcing the policy pack with each stack's config. */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import * as yaml from "js-yaml";
import { PROJECT_DIR } from "../synth/synth";

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

const steps = () => jobs().flatMap(({ job, stacks }) => (job.steps ?? []).map((step: any) => ({ step, stacks })));
const pulumiSteps = () => steps().filter(({ step }) => String(step.uses).startsWith("pulumi/actions@"));
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
});
