import { strict as assert } from "assert";
import { execFile } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ExecTask, ExecTaskArgs } from "../../components/session/pulumi";
import { execAgentRequests } from "../../components/access";
import { sessionKeyPolicy } from "../../components/session";
import { simulate } from "../support/iam";
import { TEST_CONTEXT, TEST_REGION, TEST_TAGS, underMocks, valueOf } from "../support/pulumi";

const ROLE = "aws:iam/role:Role";
const ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy";
const TASK_DEFINITION = "aws:ecs/taskDefinition:TaskDefinition";

const ACCOUNT = TEST_CONTEXT.accountId;
const KEY_ARN = `arn:aws:kms:${TEST_REGION}:${ACCOUNT}:key/0b6a2b8e-1d55-4a0e-9f3b-4b1f8a6c2d10`;
const ECR_IMAGE = `${ACCOUNT}.dkr.ecr.${TEST_REGION}.amazonaws.com/orders-api:2.14.0`;
const logs = (group: string, stream = "ecs-execute-command-0a1b2c3d4e5f6a7b8") =>
    `arn:aws:logs:${TEST_REGION}:${ACCOUNT}:log-group:${group}:log-stream:${stream}`;

function args(changes: Partial<ExecTaskArgs> = {}): ExecTaskArgs {
    return {
        context: TEST_CONTEXT,
        taskRoleName: "test-ecs-exec-task",
        executionRoleName: "test-ecs-exec-execution",
        taskFamily: "test-ecs-exec",
        containerName: "test-ecs-exec",
        appImage: ECR_IMAGE,
        cpu: 512,
        memory: 1024,
        cpuArchitecture: "ARM64",
        maxSessionHours: 3,
        sessionLogGroupName: "/ecs-exec/test/sessions",
        transcriptBucketName: "test-ecs-exec-transcripts-111122223333",
        containerLogGroupName: "/ecs-exec/test/container",
        kmsKeyArn: KEY_ARN,
        region: TEST_REGION,
        tags: TEST_TAGS,
        ...changes,
    };
}

async function build(changes: Partial<ExecTaskArgs> = {}) {
    const { built, registered } = await underMocks(() => new ExecTask("task", args(changes)));
    const definition = registered.one(TASK_DEFINITION).inputs as any;
    return {
        task: built,
        registered,
        definition,
        containers: JSON.parse(definition.containerDefinitions) as any[],
        taskRolePolicy: registered.json(ROLE_POLICY, "policy", "task-task-role-policy"),
        executionRolePolicy: registered.json(ROLE_POLICY, "policy", "task-execution-role-policy"),
        taskRoleArn: await valueOf(built.taskRoleArn),
        executionRoleArn: await valueOf(built.executionRoleArn),
    };
}

describe("ExecTask", () => {
    describe("task definition", () => {
        it("is a Fargate task in awsvpc mode with the configured size and architecture", async () => {
            const { definition } = await build();
            assert.equal(definition.family, "test-ecs-exec");
            assert.equal(definition.networkMode, "awsvpc");
            assert.deepEqual(definition.requiresCompatibilities, ["FARGATE"]);
            assert.equal(definition.cpu, "512");
            assert.equal(definition.memory, "1024");
            assert.deepEqual(definition.runtimePlatform, { operatingSystemFamily: "LINUX", cpuArchitecture: "ARM64" });
        });

        it("runs its task as one role and starts it with another", async () => {
            const { definition, taskRoleArn, executionRoleArn } = await build();
            assert.equal(definition.taskRoleArn, taskRoleArn);
            assert.equal(definition.executionRoleArn, executionRoleArn);
            assert.notEqual(taskRoleArn, executionRoleArn);
            assert.equal(taskRoleArn, `arn:aws:iam::${ACCOUNT}:role/test-ecs-exec-task`);
        });

        it("has one container: the app image, init process on, writable root, not privileged", async () => {
            const { containers, task } = await build();
            assert.equal(containers.length, 1);
            const [container] = containers;
            assert.equal(container.name, "test-ecs-exec");
            assert.equal(container.name, await valueOf(task.containerName));
            assert.equal(container.image, ECR_IMAGE);
            assert.equal(container.essential, true);
            assert.equal(container.linuxParameters.initProcessEnabled, true);
            assert.equal(container.readonlyRootFilesystem, false);
            assert.equal(container.privileged, false);
            assert.equal(container.environment, undefined, "no environment: AWS keys there would break exec");
        });

        it("replaces the app's entrypoint with a sleep that ends the task after maxSessionHours", async () => {
            const { containers } = await build({ maxSessionHours: 3 });
            assert.deepEqual(containers[0].entryPoint, ["/bin/sh", "-c", `exec sleep ${3 * 3600}`]);
            assert.equal(containers[0].command, undefined);
        });

        it("keeps the bound when RunTask overrides the command (the override only appends arguments)", async () => {
            const { containers } = await build({ maxSessionHours: 3 });
            // Docker runs entrypoint + command; a developer's `--overrides` can set only the command. Run that argv here
            // with a stand-in `sleep` first on PATH that writes down its arguments: whatever the command, the sleep gets
            // the bound and nothing else, once, and the command never runs (a longer sleep, or one leaving a trace).
            const dir = fs.mkdtempSync(path.join(os.tmpdir(), "exec-entrypoint-"));
            const sleeps = path.join(dir, "sleeps");
            const trace = path.join(dir, "override-ran");
            fs.writeFileSync(path.join(dir, "sleep"), `#!/bin/sh\necho "$*" >> '${sleeps}'\n`, { mode: 0o755 });
            try {
                const [shell, ...entryArgs] = containers[0].entryPoint as string[];
                for (const command of [["sleep", "999999"], ["touch", trace], ["/bin/sh", "-c", `touch '${trace}'`]]) {
                    fs.rmSync(sleeps, { force: true });
                    await new Promise<void>((resolve, reject) =>
                        execFile(shell, [...entryArgs, ...command], { env: { PATH: `${dir}:/usr/bin:/bin` }, timeout: 10_000 }, (error) =>
                            error ? reject(error) : resolve(),
                        ),
                    );
                    assert.equal(fs.readFileSync(sleeps, "utf8"), `${3 * 3600}\n`, command.join(" "));
                    assert.equal(fs.existsSync(trace), false, `${command.join(" ")} ran`);
                }
            } finally {
                fs.rmSync(dir, { recursive: true, force: true });
            }
        });

        it("logs the container's output to its own log group with awslogs", async () => {
            const { containers } = await build();
            assert.deepEqual(containers[0].logConfiguration, {
                logDriver: "awslogs",
                options: {
                    "awslogs-group": "/ecs-exec/test/container",
                    "awslogs-region": TEST_REGION,
                    "awslogs-stream-prefix": "exec",
                },
            });
        });

        it("refuses an appImage that is not an image reference", async () => {
            await assert.rejects(
                underMocks(() => new ExecTask("bad", args({ appImage: "Not An Image" }))),
                /appImage "Not An Image" is not an image reference/,
            );
        });
    });

    describe("roles", () => {
        it("attaches no managed policy (AmazonSSMManagedInstanceCore grants far more than the agent needs)", async () => {
            const { registered } = await build();
            assert.equal(registered.ofType("aws:iam/rolePolicyAttachment:RolePolicyAttachment").length, 0);
            for (const role of registered.ofType(ROLE)) {
                assert.equal(role.inputs.managedPolicyArns, undefined);
            }
        });

        const assume = async (roleName: string, sourceAccount: string, sourceArn?: string) => {
            const { registered } = await build();
            const role = registered.ofType(ROLE).find((r) => r.inputs.name === roleName)!;
            return simulate({
                principal: "ecs-tasks.amazonaws.com",
                action: "sts:AssumeRole",
                resource: `arn:aws:iam::${ACCOUNT}:role/${roleName}`,
                context: { "aws:SourceAccount": sourceAccount, ...(sourceArn ? { "aws:SourceArn": sourceArn } : {}) },
                identityPolicies: {},
                resourcePolicy: JSON.parse(role.inputs.assumeRolePolicy as string),
            });
        };
        const taskArn = (account: string) => `arn:aws:ecs:${TEST_REGION}:${account}:task/test-ecs-exec/0f8e9c1d2b3a4e5f`;

        it("lets ECS tasks of this account assume the task role", async () => {
            const result = await assume("test-ecs-exec-task", ACCOUNT, taskArn(ACCOUNT));
            assert.equal(result.decision, "Allowed");
            assert.deepEqual(result.allowedBy, ["resource/EcsTasksOfThisAccount"]);
        });

        it("does not let ECS act for another account with the task role (confused deputy)", async () => {
            assert.equal((await assume("test-ecs-exec-task", "444455556666", taskArn("444455556666"))).decision, "ImplicitlyDenied");
            assert.equal((await assume("test-ecs-exec-task", ACCOUNT, taskArn("444455556666"))).decision, "ImplicitlyDenied");
        });

        it("lets ECS of this account, and only it, assume the execution role", async () => {
            assert.equal((await assume("test-ecs-exec-execution", ACCOUNT)).decision, "Allowed");
            assert.equal((await assume("test-ecs-exec-execution", "444455556666")).decision, "ImplicitlyDenied");
        });
    });

    describe("task role policy, evaluated", () => {
        const TASK_SESSION = `arn:aws:sts::${ACCOUNT}:assumed-role/test-ecs-exec-task/0f8e9c1d2b3a4e5f`;
        const ask = async (action: string, resource: string, context: Record<string, string> = {}) => {
            const { taskRolePolicy } = await build();
            return simulate({
                principal: TASK_SESSION,
                action,
                resource,
                context,
                identityPolicies: { "ecs-exec-agent": taskRolePolicy },
                // KMS requires the key policy to allow too.
                resourcePolicy: action.startsWith("kms:") ? sessionKeyPolicy(TEST_CONTEXT, { logGroupNames: [] }) : undefined,
            });
        };

        // What the agent calls, as `ecs-exec doctor` simulates it on a deployed task role.
        const allowed = execAgentRequests(TEST_CONTEXT, {
            sessionLogGroupName: "/ecs-exec/test/sessions",
            kmsKeyArn: KEY_ARN,
            transcriptBucketName: "test-ecs-exec-transcripts-111122223333",
        });
        for (const { action, resource, statement, context } of allowed) {
            it(`allows ${action} on ${resource.split(":").slice(-2).join(":")} (${statement})`, async () => {
                const result = await ask(action, resource, context);
                assert.equal(result.decision, "Allowed");
                assert.ok(result.allowedBy.includes(`ecs-exec-agent/${statement}`), JSON.stringify(result.allowedBy));
            });
        }

        const denied: [string, string, string][] = [
            ["logs:PutLogEvents", logs("/ecs-exec/test/container", "exec/x/y"), "another log group (the container's)"],
            ["logs:PutLogEvents", logs("/aws/lambda/payments", "2026/x"), "another team's log group"],
            ["logs:DeleteLogGroup", `arn:aws:logs:${TEST_REGION}:${ACCOUNT}:log-group:/ecs-exec/test/sessions`, "deleting the transcripts"],
            ["logs:DeleteLogStream", logs("/ecs-exec/test/sessions"), "deleting a transcript"],
            ["kms:Decrypt", `arn:aws:kms:${TEST_REGION}:${ACCOUNT}:key/11111111-2222-4333-8444-555555555555`, "another key"],
            ["kms:Encrypt", KEY_ARN, "encrypting with the session key"],
            ["kms:GenerateDataKey", KEY_ARN, "data keys of the session key, but through S3"],
            ["kms:ScheduleKeyDeletion", KEY_ARN, "deleting the session key"],
            ["s3:GetObject", "arn:aws:s3:::app-data/customers.csv", "any other service"],
            ["s3:PutObject", "arn:aws:s3:::app-data/forged.log", "writing to another bucket"],
            ["s3:PutObject", "arn:aws:s3:::test-ecs-exec-transcripts-111122223333/elsewhere/x.log", "writing outside the transcripts' prefix"],
            ["s3:DeleteObject", "arn:aws:s3:::test-ecs-exec-transcripts-111122223333/sessions/ecs-execute-command-0a1b2c3d4e5f6a7b8.log", "deleting a copy"],
            ["s3:DeleteObjectVersion", "arn:aws:s3:::test-ecs-exec-transcripts-111122223333/sessions/ecs-execute-command-0a1b2c3d4e5f6a7b8.log", "deleting a version"],
            ["s3:GetObject", "arn:aws:s3:::test-ecs-exec-transcripts-111122223333/sessions/ecs-execute-command-0a1b2c3d4e5f6a7b8.log", "reading a colleague's copy"],
            ["s3:PutBucketVersioning", "arn:aws:s3:::test-ecs-exec-transcripts-111122223333", "suspending versioning"],
            ["ssm:StartSession", `arn:aws:ecs:${TEST_REGION}:${ACCOUNT}:task/test-ecs-exec/0f8e9c1d`, "opening sessions itself"],
            ["ecs:ExecuteCommand", `arn:aws:ecs:${TEST_REGION}:${ACCOUNT}:task/test-ecs-exec/0f8e9c1d`, "exec into other tasks"],
            ["iam:PassRole", `arn:aws:iam::${ACCOUNT}:role/test-ecs-exec-task`, "passing roles"],
            ["ecr:BatchGetImage", `arn:aws:ecr:${TEST_REGION}:${ACCOUNT}:repository/orders-api`, "pulling images (the execution role's job)"],
        ];
        for (const [action, resource, what] of denied) {
            it(`denies ${action}: ${what}`, async () => {
                assert.equal((await ask(action, resource)).decision, "ImplicitlyDenied");
            });
        }
    });

    describe("execution role policy, evaluated", () => {
        const EXECUTION_SESSION = `arn:aws:sts::${ACCOUNT}:assumed-role/test-ecs-exec-execution/ecs`;
        const ask = async (action: string, resource: string, changes: Partial<ExecTaskArgs> = {}) => {
            const { executionRolePolicy } = await build(changes);
            return simulate({
                principal: EXECUTION_SESSION,
                action,
                resource,
                identityPolicies: { "ecs-exec-task-start": executionRolePolicy },
            });
        };
        const repository = (name: string, account = ACCOUNT) => `arn:aws:ecr:${TEST_REGION}:${account}:repository/${name}`;

        it("pulls the app image from its ECR repository", async () => {
            for (const action of ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability"]) {
                const result = await ask(action, repository("orders-api"));
                assert.equal(result.decision, "Allowed", action);
                assert.deepEqual(result.allowedBy, ["ecs-exec-task-start/PullAppImage"]);
            }
            assert.equal((await ask("ecr:GetAuthorizationToken", "*")).decision, "Allowed");
        });

        it("pulls from no other repository", async () => {
            assert.equal((await ask("ecr:BatchGetImage", repository("billing-api"))).decision, "ImplicitlyDenied");
            assert.equal((await ask("ecr:BatchGetImage", repository("orders-api", "444455556666"))).decision, "ImplicitlyDenied");
        });

        it("writes the container's log group, not the session transcripts", async () => {
            assert.equal((await ask("logs:PutLogEvents", logs("/ecs-exec/test/container", "exec/c/t"))).decision, "Allowed");
            assert.equal((await ask("logs:PutLogEvents", logs("/ecs-exec/test/sessions"))).decision, "ImplicitlyDenied");
        });

        it("needs no ECR permission at all for an image outside ECR", async () => {
            assert.equal((await ask("ecr:GetAuthorizationToken", "*", { appImage: "nginx:1.27" })).decision, "ImplicitlyDenied");
            const { executionRolePolicy } = await build({ appImage: "nginx:1.27" });
            assert.deepEqual(executionRolePolicy.Statement.map((s: any) => s.Sid), ["WriteContainerLogs"]);
        });
    });
});
