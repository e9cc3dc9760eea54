import { strict as assert } from "assert";
import { execFile } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { CONFIG_KEYS, CONFIG_NAMESPACE, exampleValues, execNames, REGION_KEY } from "../components/config";
import { POLICY_PROPAGATION_WAIT } from "../components/iam";
import { ExecNetwork } from "../components/network/pulumi";
import { PROJECT_DIR, readProjectFile, readStackConfig, resolveStackConfig, SynthResult } from "../synth/synth";
import { DOCUMENTED_SYNTH, runSynth, SynthRun, synthRunOf, synthStack } from "./support/synthRun";
import { TEST_REGION, TEST_TAGS, underMocks } from "./support/pulumi";
import { simulate } from "./support/iam";
import { SYNTH_DEPLOY_ROLE } from "../synth/mocks";
import { readDoc } from "./support/docs";

const STACKS = ["dev", "prod"];
const project = readProjectFile();

/** Stack outputs every user and later tool relies on. */
const REQUIRED_OUTPUTS = [
    "stack",
    "maxSessionHours",
    "region",
    "clusterName",
    "clusterArn",
    "taskDefinitionFamily",
    "taskDefinitionArn",
    "containerName",
    "taskRoleArn",
    "executionRoleArn",
    "vpcId",
    "subnetIds",
    "securityGroupId",
    "assignPublicIp",
    "requireReason",
    "sessionLogGroupName",
    "transcriptBucketName",
    "logRetentionDays",
    "execCpu",
    "execMemory",
    "kmsKeyArn",
    "developerPolicyArn",
    "developerRoleArn",
    "developerPolicy",
    "alertTopicArn",
    "alertRuleNames",
    "alertAlarmNames",
    "auditWatchRuleNames",
    "alertDeadLetterQueueUrl",
    "auditAdminPrincipals",
    "cloudTrail",
    "trailName",
    "doctorPolicyArn",
    "runTaskCommand",
    "portForwarding",
];

function only(result: SynthResult, type: string): any {
    const found = result.resources.filter((r) => r.type === type);
    assert.equal(found.length, 1, `one ${type}`);
    return found[0].inputs;
}

describe("program contract", () => {

    it("declares in Pulumi.yaml every config key the code reads, with the type the code parses", () => {
        const declared = Object.fromEntries(Object.entries(project.config).map(([key, spec]) => [key, spec.type]));
        assert.deepEqual(declared, { ...CONFIG_KEYS });
        for (const [key, spec] of Object.entries(project.config)) {
            assert.ok(spec.description && spec.description.length > 10, `${key} has a description`);
        }
    });

    it("reads config in one module only, so no key escapes validation", () => {
        const components = fs.readdirSync(path.join(PROJECT_DIR, "components"), { recursive: true, encoding: "utf8" });
        const sources = ["index.ts", ...components.filter((f) => f.endsWith(".ts")).sort().map((f) => `components/${f}`)];
        const readers = sources.filter((file) => {
            const text = fs.readFileSync(path.join(PROJECT_DIR, file), "utf8");
            return /new pulumi\.Config\(|runtime\.allConfig\(|getConfig\(/.test(text);
        });
        assert.deepEqual(readers, ["components/config/load.ts"]);
    });

    for (const stack of STACKS) {
        it(`Pulumi.${stack}.yaml sets only ${CONFIG_NAMESPACE}: keys the code knows, and ${REGION_KEY}`, () => {
            for (const key of Object.keys(readStackConfig(stack))) {
                const [namespace, name] = key.split(":");
                assert.ok(
                    key === REGION_KEY || (namespace === CONFIG_NAMESPACE && name in CONFIG_KEYS),
                    `${key} in Pulumi.${stack}.yaml`,
                );
            }
        });
    }

    it("documents every config key, with its Pulumi.yaml default, and every output in docs/operators.md", () => {
        const page = readDoc("operators");
        for (const [key, spec] of Object.entries(project.config)) {
            const row = page.split("\n").find((line) => line.startsWith(`| \`${CONFIG_NAMESPACE}:${key}\` |`));
            assert.ok(row, `docs/operators.md has a row for ${key}`);
            if (spec.default !== undefined) {
                assert.ok(row.includes(`\`${JSON.stringify(spec.default)}\``) || row.includes(`\`${spec.default}\``), `docs/operators.md's row of ${key} shows its default ${JSON.stringify(spec.default)}`);
            }
        }
        for (const output of REQUIRED_OUTPUTS) {
            assert.ok(page.includes(`\`${output}\``), `docs/operators.md documents output ${output}`);
        }
    });

    it("says in docs/operators.md how long the first deploy waits for key and bucket policies, as long as it waits", () => {
        const page = readDoc("operators");
        const seconds = /^(\d+)s$/.exec(POLICY_PROPAGATION_WAIT)?.[1];
        assert.ok(seconds, `${POLICY_PROPAGATION_WAIT} is a duration in seconds`);
        assert.ok(page.includes(`the first \`pulumi up\` waits ${seconds} s`));
    });

    it("keeps a longer retention in prod than in dev, and at least a year", () => {
        const days = (stack: string) => Number(readStackConfig(stack)[`${CONFIG_NAMESPACE}:logRetentionDays`]);
        assert.equal(days("dev"), 30);
        assert.ok(days("prod") >= 365);
    });
});

describe("resources whose description forces their replacement", () => {
    // A changed description replaces an IAM managed policy (terraform-provider-aws, internal/service/iam/policy.go:
    // description ForceNew) or a security group (EC2 cannot change one). Pulumi creates the replacement first, under
    // the same fixed name, which AWS refuses (EntityAlreadyExists, InvalidGroup.Duplicate). So each such description
    // stays as it is, pinned here; to change one, give the resource a new name in the same change.
    const PINNED: Record<string, string> = {
        "aws:iam/policy:Policy exec-access-policy": "ECS Exec developers: start, exec into, see and stop their own exec tasks",
        "aws:iam/policy:Policy doctor-access-policy": "ecs-exec doctor: read-only checks of the ECS Exec deployment",
        "aws:ec2/securityGroup:SecurityGroup exec-network-task": "ECS Exec tasks: no inbound at all; outbound HTTPS only (SSM, ECR, logs, KMS)",
        "aws:ec2/securityGroup:SecurityGroup exec-network-endpoint-group": "VPC interface endpoints of ECS Exec: HTTPS from its exec tasks only",
    };

    it("keeps the description of every fixed-name managed policy and security group as pinned, in both stacks", async () => {
        const seen = new Set<string>();
        // Neither stack creates VPC endpoints: the network component as a stack with vpcEndpoints create builds it.
        const { registered: withEndpoints } = await underMocks(
            () =>
                new ExecNetwork("exec-network", {
                    network: { mode: "create" },
                    vpcEndpoints: "create",
                    assignPublicIp: false,
                    region: TEST_REGION,
                    taskSecurityGroupName: "test-ecs-exec-task",
                    endpointsName: "test-ecs-exec-endpoints",
                    endpointSecurityGroupName: "test-ecs-exec-vpc-endpoints",
                    portForwarding: [],
                    tags: TEST_TAGS,
                }),
        );
        for (const resources of [...(await Promise.all(STACKS.map(synthStack))).map((r) => r.resources), withEndpoints.all]) {
            for (const r of resources) {
                if (["aws:iam/policy:Policy", "aws:ec2/securityGroup:SecurityGroup"].includes(r.type) && r.inputs.name !== undefined) {
                    const key = `${r.type} ${r.name}`;
                    assert.ok(key in PINNED, `${key}: a fixed name and a description that forces replacement; pin it here`);
                    assert.equal(r.inputs.description, PINNED[key], `${key}: changing it replaces the resource under the same name, which AWS refuses`);
                    seen.add(key);
                }
            }
        }
        assert.deepEqual([...seen].sort(), Object.keys(PINNED).sort());
    });
});

describe("npm run synth", function () {
    this.timeout(60_000);
    const runs: Record<string, SynthRun[]> = {};

    before(async () => {
        // Two runs of each stack, two at a time: the second proves the output is stable. The first, README's command
        // through npm, is the run every other test reads.
        for (const stack of STACKS) {
            runs[stack] = await Promise.all([synthRunOf(stack), runSynth(["--stack", stack])]);
        }
    });

    it("prints only JSON on stdout run as README says, through npm", () => {
        const command = `${DOCUMENTED_SYNTH.join(" ")} --stack dev `;
        assert.ok(readDoc("readme").split("\n").some((line) => line.trimStart().startsWith(command)), "README documents the command this test runs");
        assert.equal(runs.dev[0].code, 0, runs.dev[0].stderr);
        assert.equal(JSON.parse(runs.dev[0].stdout).stack, "dev");
    });

    it("refuses to print JSON after npm's banner (npm run without -s, into a pipe), saying what to run", async () => {
        const run = await runSynth(["--stack", "dev"], ["npm", "run", "synth", "--"]);
        assert.notEqual(run.code, 0);
        assert.doesNotMatch(run.stdout, /\{/);
        assert.match(run.stderr, /^error: npm printed its banner on stdout, so the output would not be JSON: run npm run -s synth -- \.\.\., or pass --out FILE$/m);
    });

    for (const stack of STACKS) {
        describe(stack, () => {
            const result = () => JSON.parse(runs[stack][0].stdout) as SynthResult;

            it("synthesizes without AWS or the Pulumi CLI", () => {
                assert.equal(runs[stack][0].code, 0, runs[stack][0].stderr);
                assert.equal(result().project, "ecs-exec");
                assert.equal(result().stack, stack);
            });

            it("warns on stderr about every example value left in the stack file, and keeps stdout JSON", () => {
                const examples = exampleValues(resolveStackConfig(project, readStackConfig(stack)));
                assert.ok(examples.length > 0);
                const warnings = runs[stack][0].stderr.split("\n").filter((line) => line.includes("an example that cannot work"));
                assert.deepEqual(
                    warnings.map((line) => /(ecs-exec:\w+) = (".*?") /.exec(line)!.slice(1, 3)),
                    examples.map((e) => [e.key, JSON.stringify(e.value)]),
                );
                assert.ok(warnings.every((line) => line.includes(`Pulumi.${stack}.yaml`)));
            });

            it("writes the same bytes on every run", () => {
                assert.equal(runs[stack][1].code, 0, runs[stack][1].stderr);
                assert.equal(runs[stack][1].stdout, runs[stack][0].stdout);
            });

            it("lists every resource once, sorted by URN, each with its parent", () => {
                const { resources } = result();
                const urns = resources.map((r) => r.urn);
                assert.deepEqual(urns, [...urns].sort());
                assert.equal(new Set(urns).size, urns.length);
                for (const r of resources) {
                    assert.deepEqual(
                        Object.keys(r).sort(),
                        [...(r.parent ? ["parent"] : []), "custom", "dependencies", "inputs", "name", "propertyDependencies", "protect", "retainOnDelete", "type", "urn"].sort(),
                    );
                    assert.equal(typeof r.protect, "boolean");
                    assert.equal(typeof r.retainOnDelete, "boolean");
                    assert.ok(r.type === "pulumi:pulumi:Stack" || urns.includes(r.parent!), `${r.urn} has a known parent`);
                    const referenced = [...r.dependencies, ...Object.values(r.propertyDependencies).flat()];
                    assert.ok(referenced.every((urn) => urns.includes(urn)), `${r.urn} depends on known resources only`);
                }
                const components = resources.filter((r) => r.type.startsWith("ecs-exec:")).map((r) => r.type).sort();
                assert.deepEqual(components, [
                    "ecs-exec:access:DoctorAccess",
                    "ecs-exec:access:ExecAccess",
                    "ecs-exec:audit:ExecAudit",
                    "ecs-exec:cluster:ExecCluster",
                    "ecs-exec:logging:SessionLogging",
                    "ecs-exec:network:ExecNetwork",
                    "ecs-exec:task:ExecTask",
                ]);
            });

            it("exports every documented output, with ARNs in their service's format", () => {
                const { outputs } = result();
                assert.deepEqual(Object.keys(outputs).sort(), [...REQUIRED_OUTPUTS].sort());
                const region = "us-east-1";
                const account = "111122223333";
                assert.equal(outputs.clusterArn, `arn:aws:ecs:${region}:${account}:cluster/${stack}-ecs-exec`);
                assert.equal(outputs.taskDefinitionArn, `arn:aws:ecs:${region}:${account}:task-definition/${stack}-ecs-exec:1`);
                assert.match(outputs.kmsKeyArn as string, new RegExp(`^arn:aws:kms:${region}:${account}:key/[0-9a-f-]{36}$`));
                assert.match(outputs.securityGroupId as string, /^sg-[0-9a-f]{17}$/);
                for (const subnet of outputs.subnetIds as string[]) {
                    assert.match(subnet, /^subnet-[0-9a-f]{8,17}$/);
                }
            });

            it(`records what outlives the stack: audit data kept on delete, ${stack === "prod" ? "and protected (protectAuditData)" : "not protected"}`, () => {
                const r = result();
                const flagged = (flag: "protect" | "retainOnDelete") => r.resources.filter((x) => x[flag]).map((x) => x.name).sort();
                const trail = stack === "dev" ? ["exec-audit-trail-bucket", "exec-audit-trail-bucket-encryption", "exec-audit-trail-bucket-lifecycle", "exec-audit-trail-bucket-ownership", "exec-audit-trail-bucket-policy", "exec-audit-trail-bucket-public-access"] : [];
                assert.deepEqual(
                    flagged("retainOnDelete"),
                    [
                        "exec-audit-key",
                        "exec-audit-key-alias",
                        ...trail,
                        "session-logging-container",
                        "session-logging-key",
                        "session-logging-key-alias",
                        "session-logging-sessions",
                        ...["", "-encryption", "-lifecycle", "-ownership", "-policy", "-public-access", "-versioning"].map((part) => `session-logging-transcripts${part}`),
                    ].sort(),
                );
                assert.deepEqual(
                    flagged("protect"),
                    stack === "prod" ? ["exec-audit-key", "session-logging-key", "session-logging-sessions", "session-logging-transcripts"] : [],
                );
            });

            it("denies everyone but the stack's audit administrators disabling, deleting or re-policying the audit key", async () => {
                const r = result();
                const configured = readStackConfig(stack)[`${CONFIG_NAMESPACE}:auditAdminPrincipalArns`] as string[] | undefined;
                // Configured (prod), or whoever runs pulumi up, as its role with its path (dev).
                const admins = configured ?? [`arn:aws:iam::111122223333:role${SYNTH_DEPLOY_ROLE.path}${SYNTH_DEPLOY_ROLE.name}`];
                assert.deepEqual(r.outputs.auditAdminPrincipals, admins);
                const keyPolicy = JSON.parse(r.resources.find((x) => x.name === "exec-audit-key")!.inputs.policy as string);
                const deny = keyPolicy.Statement.find((st: any) => st.Effect === "Deny");
                assert.deepEqual(deny, {
                    Sid: "OnlyAuditAdministratorsDisableDeleteOrChangeTheKey",
                    Effect: "Deny",
                    Principal: { AWS: "*" },
                    Action: ["kms:DisableKey", "kms:ScheduleKeyDeletion", "kms:PutKeyPolicy"],
                    Resource: "*",
                    Condition: { ArnNotLike: { "aws:PrincipalArn": admins } },
                });
                // The topic's deny names the same administrators: one list.
                const topicPolicy = JSON.parse(only(r, "aws:sns/topicPolicy:TopicPolicy").policy);
                assert.deepEqual(topicPolicy.Statement.find((st: any) => st.Sid === "OnlyAuditAdministratorsChangeTheTopic").Condition, deny.Condition);
                // The key the topic (and the dead-letter queue) names is this one, and IAM decides as the policy says.
                const keyArn = only(r, "aws:sns/topic:Topic").kmsMasterKeyId as string;
                assert.equal(only(r, "aws:sqs/queue:Queue").kmsMasterKeyId, keyArn);
                const administrator = { AdministratorAccess: { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }] } };
                const ask = (roleArn: string, action: string) =>
                    simulate({
                        principal: roleArn.replace(/^arn:aws:iam::(\d+):role\/(?:.*\/)?([^/]+)$/, "arn:aws:sts::$1:assumed-role/$2/someone"),
                        action,
                        resource: keyArn,
                        context: { "aws:PrincipalArn": roleArn },
                        identityPolicies: administrator,
                        resourcePolicy: keyPolicy,
                    });
                // A concrete role of each administrator pattern (Identity Center's carry a region and a suffix).
                const listed = admins.map((arn) => arn.replace("sso.amazonaws.com/*AWSReservedSSO_AdministratorAccess_*", "sso.amazonaws.com/eu-west-1/AWSReservedSSO_AdministratorAccess_0123456789abcdef"));
                for (const action of ["kms:DisableKey", "kms:ScheduleKeyDeletion", "kms:PutKeyPolicy"]) {
                    assert.equal((await ask("arn:aws:iam::111122223333:role/platform-admin", action)).decision, "ExplicitlyDenied", action);
                    for (const admin of listed) {
                        // The deployer among them: KMS refuses a policy that would lock its setter out of PutKeyPolicy.
                        assert.equal((await ask(admin, action)).decision, "Allowed", `${admin} ${action}`);
                    }
                }
            });

            it("names the exec container with the one function IAM conditions will use", () => {
                const r = result();
                const container = JSON.parse(only(r, "aws:ecs/taskDefinition:TaskDefinition").containerDefinitions)[0];
                assert.equal(container.name, execNames(stack).container);
                assert.equal(r.outputs.containerName, execNames(stack).container);
            });

            it("records which resource each reference comes from (what a policy pack links resources by)", () => {
                const { resources } = result();
                const byName = (name: string) => resources.find((r) => r.name === name)!;
                const definition = byName("exec-task-definition");
                assert.deepEqual(definition.propertyDependencies.taskRoleArn, [byName("exec-task-task-role").urn]);
                assert.deepEqual(definition.propertyDependencies.executionRoleArn, [byName("exec-task-execution-role").urn]);
                assert.deepEqual(byName("exec-cluster-cluster").propertyDependencies.configuration, [
                    byName("session-logging-key").urn,
                    byName("session-logging-sessions").urn,
                    byName("session-logging-transcripts").urn,
                ].sort());
            });

            it("lets the task role write to exactly the log group the cluster sends sessions to, with the cluster's key", () => {
                const r = result();
                const exec = only(r, "aws:ecs/cluster:Cluster").configuration.executeCommandConfiguration;
                const taskPolicy = JSON.parse(
                    r.resources.find((x) => x.name === "exec-task-task-role-policy")!.inputs.policy as string,
                );
                const statement = (sid: string) => taskPolicy.Statement.find((s: any) => s.Sid === sid);
                assert.equal(exec.logConfiguration.cloudWatchLogGroupName, r.outputs.sessionLogGroupName);
                assert.equal(
                    statement("WriteSessionTranscripts").Resource,
                    `arn:aws:logs:us-east-1:111122223333:log-group:${exec.logConfiguration.cloudWatchLogGroupName}:*`,
                );
                assert.equal(exec.kmsKeyId, r.outputs.kmsKeyArn);
                assert.equal(statement("DecryptSessionDataKey").Resource, exec.kmsKeyId);
                for (const group of r.resources.filter((x) => x.type === "aws:cloudwatch/logGroup:LogGroup")) {
                    assert.equal(group.inputs.kmsKeyId, exec.kmsKeyId);
                }
            });

            it("lets the task role copy transcripts to exactly the bucket and prefix the cluster names, encrypted with the cluster's key", () => {
                const r = result();
                const log = only(r, "aws:ecs/cluster:Cluster").configuration.executeCommandConfiguration.logConfiguration;
                const taskPolicy = JSON.parse(r.resources.find((x) => x.name === "exec-task-task-role-policy")!.inputs.policy as string);
                const statement = (sid: string) => taskPolicy.Statement.find((s: any) => s.Sid === sid);
                assert.equal(log.s3BucketName, r.outputs.transcriptBucketName);
                assert.equal(log.s3BucketName, `${stack}-ecs-exec-transcripts-111122223333`);
                assert.equal(statement("CopyTranscriptsToTheirBucket").Resource, `arn:aws:s3:::${log.s3BucketName}/${log.s3KeyPrefix}/*`);
                const encryption = r.resources.find((x) => x.name === "session-logging-transcripts-encryption")!.inputs as any;
                assert.equal(encryption.rules[0].applyServerSideEncryptionByDefault.kmsMasterKeyId, r.outputs.kmsKeyArn);
                assert.equal(statement("EncryptTranscriptCopies").Resource, r.outputs.kmsKeyArn);
            });

            it("prints a run-task command with exec enabled, the stack's network and the caller as Owner", () => {
                const { outputs } = result();
                const command = outputs.runTaskCommand as string;
                assert.ok(command.includes("ECS_EXEC_OWNER=$(aws sts get-caller-identity "), command);
                for (const part of [
                    `--cluster ${outputs.clusterName}`,
                    `--task-definition ${outputs.taskDefinitionFamily}`,
                    "--enable-execute-command",
                    "--launch-type FARGATE",
                    `subnets=[${(outputs.subnetIds as string[]).join(",")}]`,
                    `securityGroups=[${outputs.securityGroupId}]`,
                    `assignPublicIp=${outputs.assignPublicIp ? "ENABLED" : "DISABLED"}`,
                    `=$(aws sts get-caller-identity --region ${outputs.region} --query UserId --output text) && aws ecs run-task --region ${outputs.region} `,
                ]) {
                    assert.ok(command.includes(part), `${part} in ${command}`);
                }
            });
        });
    }

    describe("the command it prints, run through a shell", () => {
        /**
         * Runs the prod stack's runTaskCommand with a stand-in `aws` on PATH and no region configured anywhere. Like
         * the AWS CLI, the stand-in fails a call without --region ("You must specify a region", exit 253); `sts`
         * prints the caller's id (or fails with `stsExit`), `ecs` echoes its arguments, one per line.
         */
        async function runPrinted(stsExit = 0, reason: string | null = "INC-4711 restore orders"): Promise<{ code: number; argv: string[]; stderr: string }> {
            const { outputs } = await synthStack("prod");
            const bin = fs.mkdtempSync(path.join(require("os").tmpdir(), "aws-"));
            fs.writeFileSync(
                path.join(bin, "aws"),
                [
                    "#!/bin/sh",
                    'case " $* " in *" --region "*) ;; *) echo "You must specify a region." >&2; exit 253;; esac',
                    `if [ "$1" = sts ]; then [ ${stsExit} = 0 ] || exit ${stsExit}; echo "AROAEXAMPLEROLEID123:alice@example.com"; exit 0; fi`,
                    'printf "%s\\n" "$@"',
                ].join("\n") + "\n",
                { mode: 0o755 },
            );
            const env: NodeJS.ProcessEnv = { ...process.env, PATH: `${bin}:${process.env.PATH}` };
            for (const name of ["AWS_REGION", "AWS_DEFAULT_REGION", "AWS_PROFILE", "ECS_EXEC_REASON"]) {
                delete env[name];
            }
            if (reason !== null) {
                env.ECS_EXEC_REASON = reason;
            }
            return new Promise((resolve) =>
                execFile("sh", ["-c", outputs.runTaskCommand as string], { env }, (e, out, err) =>
                    resolve({ code: e ? Number(e.code) : 0, argv: out === "" ? [] : out.trimEnd().split("\n"), stderr: err }),
                ),
            );
        }

        it("is one well-formed aws invocation, with the region on every call", async () => {
            const { outputs } = await synthStack("prod");
            const { code, argv } = await runPrinted();
            assert.equal(code, 0);
            const value = (flag: string) => argv[argv.indexOf(flag) + 1];
            assert.equal(argv[0], "ecs");
            assert.equal(argv[1], "run-task");
            assert.equal(value("--region"), outputs.region);
            assert.deepEqual(JSON.parse(value("--tags")), [
                { key: "Owner", value: "AROAEXAMPLEROLEID123:alice@example.com" },
                { key: "Reason", value: "INC-4711 restore orders" },
            ]);
            assert.equal(value("--network-configuration"), `awsvpcConfiguration={subnets=[${(outputs.subnetIds as string[]).join(",")}],securityGroups=[${outputs.securityGroupId}],assignPublicIp=DISABLED}`);
            assert.equal(value("--platform-version"), "LATEST");
            assert.ok(!argv.includes("--propagate-tags"), "propagated tags would need more than the Owner tag the policy allows");
        });

        it("starts nothing on prod without ECS_EXEC_REASON, saying to set it (prod requires a reason)", async () => {
            const { code, argv, stderr } = await runPrinted(0, null);
            assert.notEqual(code, 0);
            assert.deepEqual(argv, [], "neither aws call was made");
            assert.match(stderr, /ECS_EXEC_REASON: set ECS_EXEC_REASON to why you start the exec task: this stack requires a reason/);
        });

        it("starts no task, and fails, when the caller's id cannot be read", async () => {
            const { code, argv } = await runPrinted(255);
            assert.equal(code, 255);
            assert.deepEqual(argv, [], "aws ecs run-task was not called");
        });
    });

    it("warns about nothing once every example value is replaced", async () => {
        // Every documentation account and example domain swapped for real-looking ones, as --config overrides.
        const dev = resolveStackConfig(project, readStackConfig("dev"));
        const overrides = Object.entries(dev)
            .filter(([key, value]) => exampleValues({ [key]: value }).length > 0)
            .flatMap(([key, value]) => [
                "--config",
                `${key}=${value.replace(/111122223333/g, "210987654321").replace(/example\.com/g, "acme.io")}`,
            ]);
        assert.ok(overrides.length > 0);
        const run = await runSynth(["--stack", "dev", ...overrides]);
        assert.equal(run.code, 0, run.stderr);
        assert.doesNotMatch(run.stderr, /example/);
    });

    describe("with a bad config, or a VPC lacking endpoints", () => {
        let run: SynthRun;
        let lackingEndpoints: { message: string; declared: string[] };
        let declaredBeforeFailing: unknown;
        before(async () => {
            // Three child processes, side by side: each is mostly start-up.
            [run, lackingEndpoints, declaredBeforeFailing] = await Promise.all([
                // One key as `pulumi config set` takes it, without its namespace: it is the project's.
                runSynth(["--stack", "dev", "--config", "execMemory=300", "--config", "ecs-exec:maxSessionHours=0"]),
                // The committed prod stack in a VPC with route tables but no endpoint at all.
                synthScript(`
                    const { equippedVpc } = require("./synth/mocks");
                    const vpc = { ...equippedVpc("vpc-0a1b2c3d4e5f60718", []), interfaceEndpoints: [], s3GatewayRouteTableIds: [] };
                    synthesize({ stack: "prod", account: { vpcs: [vpc] } }).then(
                        () => console.log(JSON.stringify({ message: "", declared: [] })),
                        (e) => console.log(JSON.stringify({ message: e.message, declared: e instanceof ProgramFailure ? e.declared.map((r) => r.type) : [] })),
                    );`),
                synthScript(`
                    synthesize({ stack: "dev", overrides: { "ecs-exec:execCpu": "3" } }).then(
                        () => console.log("[]"),
                        (e) => console.log(JSON.stringify(e instanceof ProgramFailure ? e.declared.map((r) => r.type) : String(e))),
                    );`),
            ]);
        });

        it("exits 1 with every bad key (namespaced or not), each blamed on its --config flag, and no stack trace", () => {
            assert.equal(run.code, 1);
            assert.equal(run.stdout, "");
            const lines = run.stderr.trimEnd().split("\n");
            assert.equal(lines[0], "error: invalid stack configuration (2 problems):");
            assert.match(lines[1], /^ {2}- ecs-exec:execMemory: got "300" \(--config execMemory=300\); allowed: MiB valid with execCpu 256/);
            assert.match(lines[2], /^ {2}- ecs-exec:maxSessionHours: got "0" \(--config ecs-exec:maxSessionHours=0\); allowed: whole hours from 1 to 24/);
            assert.equal(lines[3], "Fix the --config values named.");
            assert.equal(lines.length, 4);
        });

        it("fails, with vpcEndpoints existing, naming every endpoint the VPC lacks, declaring neither endpoints nor rules for them", () => {
            const lines = lackingEndpoints.message.split("\n");
            assert.match(lines[0], /^ecs-exec:vpcEndpoints is existing, but exec tasks cannot reach AWS through the endpoints of VPC vpc-0a1b2c3d4e5f60718 \(6 problems\):$/);
            for (const service of ["ssmmessages", "ecr.api", "ecr.dkr", "logs", "kms", "s3"]) {
                assert.ok(lines.some((line) => line.startsWith(`  - com.amazonaws.us-east-1.${service}: no `)), service);
            }
            const declared = lackingEndpoints.declared;
            assert.ok(!declared.some((type) => /vpcEndpoint|securityGroupIngressRule/.test(type)), declared.join(", "));
        });

        it("declares no resource before failing", () => {
            assert.deepEqual(declaredBeforeFailing, ["pulumi:pulumi:Stack"]);
        });
    });
});

/** Runs a script with `synthesize` and `ProgramFailure` in scope in a child process, and parses the JSON it prints. */
function synthScript(script: string): Promise<any> {
    const preamble = `const { synthesize, ProgramFailure } = require("./synth/synth");`;
    return new Promise((resolve, reject) =>
        execFile(process.execPath, ["-r", "ts-node/register/transpile-only", "-e", preamble + script], { cwd: PROJECT_DIR }, (e, out) =>
            e ? reject(e) : resolve(JSON.parse(out)),
        ),
    );
}
