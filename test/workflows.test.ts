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
import { JobRun, webIdentityContext } from "./support/githubOidc";
import { simulate, simulateUnvalidated } from "./support/iam";
import { readDoc } from "./support/docs";

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
/** Runs a `run:` step as GitHub runs one on Linux: bash --noprofile --norc -eo pipefail. */
function runStep(script: string, env: Record<string, string>): { code: number; out: string } {
    try {
        return { code: 0, out: execFileSync("bash", ["--noprofile", "--norc", "-eo", "pipefail", "-c", script], { env: { PATH: process.env.PATH!, ...env }, encoding: "utf8" }) };
    } catch (e: any) {
        return { code: e.status, out: e.stdout };
    }
}
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
        assert.equal(pulumiSteps().length, 3);
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
        assert.equal(pulumi.length, 3);
        for (const { step, env } of pulumi) {
            assert.equal(env.PULUMI_BACKEND_URL, "${{ vars.PULUMI_BACKEND_URL }}", step.name);
        }
    });

    it("stop pulumi up at once, saying what to set, when the shared backend or the environment's role is not configured", () => {
        const guard = workflows["pulumi-up.yml"].jobs.up.steps[0];
        const run = (env: Record<string, string>) => runStep(guard.run, { STACK: "prod", ...env });
        assert.deepEqual(run({ PULUMI_BACKEND_URL: "", AWS_ROLE_ARN: "arn:aws:iam::111122223333:role/deploy" }), {
            code: 1,
            out: "::error::Set the variable PULUMI_BACKEND_URL (the shared Pulumi state, e.g. s3://my-state-bucket): see docs/policies.md, Variables and secrets.\n",
        });
        assert.deepEqual(run({ PULUMI_BACKEND_URL: "s3://state", AWS_ROLE_ARN: "" }), {
            code: 1,
            out: "::error::Set the variable AWS_ROLE_ARN in the GitHub environment prod (its deploy role, trusted for that environment only): see docs/policies.md, Variables and secrets.\n",
        });
        assert.equal(run({ PULUMI_BACKEND_URL: "s3://state", AWS_ROLE_ARN: "arn:aws:iam::111122223333:role/deploy" }).code, 0);
        assert.deepEqual(
            Object.fromEntries(["PULUMI_BACKEND_URL", "AWS_ROLE_ARN", "STACK"].map((k) => [k, workflows["pulumi-up.yml"].jobs.up.env[k]])),
            { PULUMI_BACKEND_URL: "${{ vars.PULUMI_BACKEND_URL }}", AWS_ROLE_ARN: "${{ vars.AWS_ROLE_ARN }}", STACK: "${{ inputs.stack }}" },
        );
    });

    it("give every step that runs Pulumi GITHUB_TOKEN, for the plugin downloads GitHub rate-limits without it", () => {
        for (const { step, env } of steps().filter(({ step }) => runsPulumi(step))) {
            assert.equal(env.GITHUB_TOKEN, "${{ secrets.GITHUB_TOKEN }}", step.name);
        }
    });

    it("use pulumi/actions v7 and only actions whose release runs on Node.js 24 (Node.js 20 reached end of life)", () => {
        // The first major whose action.yml says `runs.using: node24` (each action's CHANGELOG / action.yml at that tag).
        const firstOnNode24: Record<string, number> = {
            "actions/checkout": 5,
            "actions/setup-node": 5,
            "aws-actions/configure-aws-credentials": 6,
            "pulumi/actions": 7,
        };
        const used = steps().map(({ step }) => String(step.uses ?? "")).filter((u) => u !== "" && !u.startsWith("./"));
        assert.ok(used.some((u) => u === "pulumi/actions@v7"));
        for (const uses of used) {
            const [action, version] = uses.split("@");
            assert.ok(action in firstOnNode24, `${uses}: an action whose Node.js runtime nobody checked`);
            assert.ok(Number(/^v(\d+)/.exec(version)?.[1]) >= firstOnNode24[action], `${uses} runs on Node.js 20`);
        }
    });

    it("after each pulumi up, fail the job on drift or a perpetual diff: a refreshed preview that expects no changes", () => {
        const stepsOfUp = workflows["pulumi-up.yml"].jobs.up.steps;
        const up = stepsOfUp.findIndex((s: any) => s.with?.command === "up");
        const check = stepsOfUp[up + 1];
        assert.equal(check.with.command, "preview");
        assert.equal(check.with["stack-name"], "${{ inputs.stack }}");
        assert.equal(check.with.refresh, true);
        assert.equal(check.with["expect-no-changes"], true);
    });

    it("read only variables and secrets that docs/policies.md lists", () => {
        const read = new Set(
            Object.values(workflows).flatMap((w) => [...JSON.stringify(w).matchAll(/\b(vars|secrets)\.([A-Za-z_][A-Za-z0-9_]*)/g)].map((m) => `${m[1]}.${m[2]}`)),
        );
        const page = readDoc("policies");
        const section = page.slice(page.indexOf("### Variables and secrets"));
        const listed = new Set(
            [...section.slice(0, section.indexOf("\n\n", section.indexOf("| ---"))).matchAll(/^\| `([A-Z_]+)` \| (variable|secret) \|/gm)].map(
                (m) => `${m[2] === "variable" ? "vars" : "secrets"}.${m[1]}`,
            ),
        );
        assert.deepEqual([...listed].sort(), [...read].sort());
    });
});

describe("CI identity: a pull request can preview, and cannot deploy", () => {
    const REPOSITORY = "octo-org/ecs-exec";
    const ACCOUNT = "111122223333";
    const STATE_BUCKET = "octo-org-pulumi-state";
    const page = readDoc("policies");
    const section = page.slice(page.indexOf("### CI roles"));
    /** The JSON blocks of docs/policies.md's section, in order: preview trust, preview permissions, deploy trust. */
    const blocks = [...section.slice(0, section.search(/\n#{2,3} /)).matchAll(/```json\n([\s\S]*?)```/g)].map((m) => m[1]);
    const filled = (text: string, environment = "") =>
        JSON.parse(
            text
                .replace(/<account>/g, ACCOUNT)
                .replace(/<owner>\/<repo>/g, REPOSITORY)
                .replace(/<state-bucket>/g, STATE_BUCKET)
                .replace(/<environment>/g, environment),
        );
    const provider = `arn:aws:iam::${ACCOUNT}:oidc-provider/token.actions.githubusercontent.com`;
    const roles = () => ({
        preview: filled(blocks[0]),
        "deploy dev": filled(blocks[2], "dev"),
        "deploy prod": filled(blocks[2], "prod"),
    });

    /** The roles docs/policies.md's trust policies let a job's token assume (the simulator's core: OIDC keys are provider-named). */
    const assumable = (run: JobRun) =>
        Object.entries(roles())
            .filter(
                ([name, trust]) =>
                    simulateUnvalidated({
                        principal: provider,
                        action: "sts:AssumeRoleWithWebIdentity",
                        resource: `arn:aws:iam::${ACCOUNT}:role/${name.replace(" ", "-")}`,
                        context: webIdentityContext(run),
                        identityPolicies: {},
                        resourcePolicy: trust,
                    }) === "Allowed",
            )
            .map(([name]) => name);

    it("docs/policies.md gives the preview trust, the preview permissions and the deploy trust as JSON", () => {
        assert.equal(blocks.length, 3);
    });

    it("the preview job names no environment and assumes the stack's preview role; pulumi up runs in the stack's environment with its role", () => {
        const preview = workflows["pull-request.yml"].jobs.preview;
        assert.equal(preview.environment, undefined, "an environment would change the token's subject and its reviewers");
        const configure = (job: any) => job.steps.find((s: any) => String(s.uses).startsWith("aws-actions/configure-aws-credentials@"));
        assert.equal(configure(preview).with["role-to-assume"], "${{ steps.role.outputs.arn }}");
        assert.equal(preview.steps.find((s: any) => s.id === "role").env.PREVIEW_ROLES, "${{ vars.AWS_PREVIEW_ROLE_ARN }}");
        const up = workflows["pulumi-up.yml"].jobs.up;
        assert.equal(configure(up).with["role-to-assume"], "${{ vars.AWS_ROLE_ARN }}");
        assert.doesNotMatch(JSON.stringify(preview), /vars\.AWS_ROLE_ARN/);
    });

    it("docs/policies.md's trust policies let each job assume exactly its own role: previews the preview role, each environment its deploy role", () => {
        const preview = workflows["pull-request.yml"].jobs.preview;
        const up = workflows["pulumi-up.yml"].jobs.up;
        const pullRequest: JobRun = { repository: REPOSITORY, event: "pull_request", ref: "refs/pull/7/merge", environment: preview.environment };
        assert.deepEqual(assumable(pullRequest), ["preview"]);
        for (const stack of ["dev", "prod"]) {
            const deploy: JobRun = { repository: REPOSITORY, event: "push", ref: "refs/heads/main", environment: expand(up.environment, stack) };
            assert.deepEqual(assumable(deploy), [`deploy ${stack}`], stack);
        }
        // A job of main without an environment (the test job), or another repository's pull request.
        assert.deepEqual(assumable({ repository: REPOSITORY, event: "push", ref: "refs/heads/main" }), []);
        assert.deepEqual(assumable({ ...pullRequest, repository: "mallory/ecs-exec" }), []);
    });

    it("a pull request's job that names an environment gets its deploy role from IAM, so docs/policies.md has both environments deploy from main only", () => {
        const pullRequest: JobRun = { repository: REPOSITORY, event: "pull_request", ref: "refs/pull/7/merge" };
        for (const stack of ["dev", "prod"]) {
            // The subject carries the environment and not the branch: only GitHub's deployment branch rule stops it.
            assert.deepEqual(assumable({ ...pullRequest, environment: stack }), [`deploy ${stack}`], stack);
        }
        const page = readDoc("policies").replace(/\s+/g, " ");
        assert.match(page, /Restrict both environments, `dev` and `prod`, to the branch `main`/);
        assert.match(page, /restrict both environments' deployment branches to `main`/);
    });

    it("picks each stack's own preview role from AWS_PREVIEW_ROLE_ARN, and stops, saying what to set, without one", () => {
        const step = workflows["pull-request.yml"].jobs.preview.steps.find((s: any) => s.id === "role");
        const roleOf = (stack: string, roles: string) => {
            const output = path.join(fs.mkdtempSync(path.join(require("os").tmpdir(), "gh-output-")), "output");
            fs.writeFileSync(output, "");
            const result = runStep(step.run, { STACK: stack, PREVIEW_ROLES: roles, GITHUB_OUTPUT: output });
            return { ...result, output: fs.readFileSync(output, "utf8") };
        };
        const both = JSON.stringify({ dev: "arn:aws:iam::111122223333:role/ecs-exec-preview", prod: "arn:aws:iam::444455556666:role/ecs-exec-preview" });
        assert.deepEqual(roleOf("dev", both), { code: 0, out: "", output: "arn=arn:aws:iam::111122223333:role/ecs-exec-preview\n" });
        assert.deepEqual(roleOf("prod", both), { code: 0, out: "", output: "arn=arn:aws:iam::444455556666:role/ecs-exec-preview\n" });
        for (const roles of [JSON.stringify({ dev: "arn:aws:iam::111122223333:role/ecs-exec-preview" }), "arn:aws:iam::111122223333:role/ecs-exec-preview", ""]) {
            const refused = roleOf("prod", roles);
            assert.equal(refused.code, 1, roles);
            assert.match(refused.out, /^::error::Set the variable AWS_PREVIEW_ROLE_ARN to a JSON object with the read-only preview role of each stack, prod included/);
            assert.equal(refused.output, "");
        }
    });

    describe("the preview role's permissions", () => {
        const permissions = () => filled(blocks[1]);
        const session = `arn:aws:sts::${ACCOUNT}:assumed-role/preview/GitHubActions`;
        const decide = async (action: string, resource: string) =>
            (await simulate({ principal: session, action, resource, identityPolicies: { preview: permissions() } })).decision;

        it("are Describe, Get and List actions only", () => {
            const actions = permissions().Statement.flatMap((s: any) => [s.Action].flat());
            assert.ok(actions.length > 0);
            for (const action of actions) {
                assert.match(action, /^[a-z0-9]+:(Describe|Get|List)[A-Za-z]+$/, action);
            }
        });

        it("read the state, and write nothing to it; read no other bucket", async () => {
            const state = `arn:aws:s3:::${STATE_BUCKET}/.pulumi/stacks/ecs-exec/prod.json`;
            assert.equal(await decide("s3:GetObject", state), "Allowed");
            assert.equal(await decide("s3:ListBucket", `arn:aws:s3:::${STATE_BUCKET}`), "Allowed");
            assert.equal(await decide("s3:PutObject", state), "ImplicitlyDenied");
            assert.equal(await decide("s3:DeleteObject", state), "ImplicitlyDenied");
            assert.equal(await decide("s3:GetObject", "arn:aws:s3:::orders-exports/2026/12/orders.csv"), "ImplicitlyDenied");
        });

        it("cover every lookup the program makes at preview", async () => {
            // The AWS call behind each data source (Pulumi AWS provider docs; awsx's Vpc lists the zones it spreads over).
            // null: no permission needed (sts:GetCallerIdentity, STS API reference) or no call (the partition).
            const callOf: Record<string, string | null> = {
                "aws.getCallerIdentityOutput": null,
                "aws.getPartitionOutput": null,
                "aws.ec2.getNetworkInterfaceOutput": "ec2:DescribeNetworkInterfaces",
                "aws.ec2.getNetworkInterfacesOutput": "ec2:DescribeNetworkInterfaces",
                "aws.ec2.getPrefixListOutput": "ec2:DescribePrefixLists",
                "aws.ec2.getRouteTablesOutput": "ec2:DescribeRouteTables",
                "aws.ec2.getSubnetOutput": "ec2:DescribeSubnets",
                "aws.ec2.getVpcEndpoint": "ec2:DescribeVpcEndpoints",
                "aws.ec2.getVpcEndpointOutput": "ec2:DescribeVpcEndpoints",
                "awsx.ec2.Vpc": "ec2:DescribeAvailabilityZones",
                // The provider reads the deploying role's path (Terraform AWS provider, aws_iam_session_context).
                "aws.iam.getSessionContextOutput": "iam:GetRole",
            };
            const sources = (dir: string): string[] =>
                fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
                    e.isDirectory() ? sources(path.join(dir, e.name)) : e.name.endsWith(".ts") ? [path.join(dir, e.name)] : [],
                );
            const lookups = new Set(
                [path.join(PROJECT_DIR, "index.ts"), ...sources(path.join(PROJECT_DIR, "components"))].flatMap((file) => [
                    ...fs.readFileSync(file, "utf8").matchAll(/\b(aws(?:\.[a-z0-9]+)?\.get[A-Z]\w*|awsx\.[a-z0-9]+\.[A-Z]\w*)\(/g),
                ].map((m) => m[1])),
            );
            assert.ok(lookups.has("aws.ec2.getSubnetOutput"));
            for (const lookup of lookups) {
                assert.ok(lookup in callOf, `${lookup}: which AWS call does it make at preview? Add it here and to docs/policies.md's preview permissions`);
                const action = callOf[lookup];
                if (action !== null) {
                    const resource = action === "iam:GetRole" ? "arn:aws:iam::111122223333:role/ci/github-deploy-dev" : "*";
                    assert.equal(await decide(action, resource), "Allowed", `${lookup} → ${action}`);
                }
            }
        });
    });
});
