/**
 * The RunTask `ecs-exec shell` sends, evaluated against the developer policy by the IAM simulator the access tests
 * use: RunTask on the task definition, and the tag-on-create ECS authorizes on the new task.
 */
import { strict as assert } from "assert";
import { developerPolicy } from "../../components/access";
import {
    EXEC_TASK_TAG,
    execNames,
    ExecRunTaskRequest,
    isEcsTagValue,
    reasonProblem,
    runTaskRequest,
    TAG_VALUE_WHITESPACE,
} from "../../components/config";
import { simulate } from "../support/iam";
import { TEST_CONTEXT } from "../support/pulumi";
import { ALICE, BOB } from "./support/unit";

const names = execNames("dev");
const ecsArn = (resource: string) => `arn:aws:ecs:${TEST_CONTEXT.region}:${TEST_CONTEXT.accountId}:${resource}`;
const policy = developerPolicy(TEST_CONTEXT, {
    clusterName: names.cluster,
    taskFamily: names.taskFamily,
    containerName: names.container,
    taskRoleArn: `arn:aws:iam::${TEST_CONTEXT.accountId}:role/${names.taskRole}`,
    executionRoleArn: `arn:aws:iam::${TEST_CONTEXT.accountId}:role/${names.executionRole}`,
    kmsKeyArn: `arn:aws:kms:${TEST_CONTEXT.region}:${TEST_CONTEXT.accountId}:key/0b6a2b8e-1d55-4a0e-9f3b-4b1f8a6c2d10`,
    requireReason: true,
    taskCpu: 256,
    taskMemory: 512,
    sessionLogGroupName: names.sessionLogGroup,
    transcriptBucketName: "dev-ecs-exec-transcripts-111122223333",
});
const REASON = "INC-4711 restore orders";
const principal = `arn:aws:sts::${TEST_CONTEXT.accountId}:assumed-role/AWSReservedSSO_Developer_0123456789abcdef/alice@example.com`;

/** How IAM sees a RunTask request: its tags become aws:RequestTag/* and aws:TagKeys. */
function decisions(request: ExecRunTaskRequest, extraTags: { key: string; value: string }[] = []) {
    const tags = [...request.tags, ...extraTags];
    const tagContext = {
        ...Object.fromEntries(tags.map((t) => [`aws:RequestTag/${t.key}`, t.value])),
        "aws:TagKeys": tags.map((t) => t.key),
    };
    const common = { principal, identityPolicies: { developer: policy } };
    return Promise.all([
        simulate({
            ...common,
            action: "ecs:RunTask",
            resource: ecsArn(`task-definition/${request.taskDefinition}:7`),
            context: {
                "aws:userid": ALICE,
                "ecs:cluster": ecsArn(`cluster/${request.cluster}`),
                "ecs:enable-execute-command": String(request.enableExecuteCommand),
                [`aws:ResourceTag/${EXEC_TASK_TAG.key}`]: EXEC_TASK_TAG.value,
                ...tagContext,
            },
        }),
        simulate({
            ...common,
            action: "ecs:TagResource",
            resource: ecsArn(`task/${request.cluster}/0f8e9c1d2b3a4e5f60718293a4b5c6d7`),
            context: { "aws:userid": ALICE, "ecs:CreateAction": "RunTask", ...tagContext },
        }),
    ]);
}

describe("the RunTask request of ecs-exec shell", () => {
    const placement = {
        cluster: names.cluster,
        taskFamily: names.taskFamily,
        subnetIds: ["subnet-0a1b2c3d4e5f60711"],
        securityGroupId: "sg-0123456789abcdef0",
        assignPublicIp: false,
    };
    const request = runTaskRequest(placement, ALICE, REASON);

    it("tags Owner and, with --reason, Reason", () => {
        assert.deepEqual(request.tags, [
            { key: "Owner", value: ALICE },
            { key: "Reason", value: REASON },
        ]);
        assert.deepEqual(runTaskRequest(placement, ALICE).tags, [{ key: "Owner", value: ALICE }]);
    });

    it("is allowed by the developer policy of a stack that requires a reason, tag-on-create included", async () => {
        const [run, tag] = await decisions(request);
        assert.equal(run.decision, "Allowed");
        assert.deepEqual(run.allowedBy, ["developer/StartOwnExecTask"]);
        assert.equal(tag.decision, "Allowed");
        assert.deepEqual(tag.allowedBy, ["developer/TagOwnTaskAtLaunch"]);
    });

    it("would be refused with propagated task definition tags, which ECS counts as the caller's: so it propagates none", async () => {
        const [run, tag] = await decisions(request, [{ key: EXEC_TASK_TAG.key, value: EXEC_TASK_TAG.value }]);
        assert.equal(run.decision, "ImplicitlyDenied");
        assert.equal(tag.decision, "ImplicitlyDenied");
        assert.ok(!("propagateTags" in request) && !("enableECSManagedTags" in request));
    });

    it("would be refused with a colleague as Owner", async () => {
        const [run] = await decisions(runTaskRequest(placement, BOB, REASON));
        assert.equal(run.decision, "ImplicitlyDenied");
    });

    it("would be refused without a reason there, which is why ecs-exec refuses to send it", async () => {
        const [run, tag] = await decisions(runTaskRequest(placement, ALICE));
        assert.equal(run.decision, "ImplicitlyDenied");
        assert.equal(tag.decision, "Allowed");
    });
});

describe("ECS tag values (the Owner tag holds the caller's aws:userid)", () => {
    it("accepts an IAM user's id, a role session's id, and letters, digits, spaces and + - = . _ : / @", () => {
        for (const value of [BOB, ALICE, "AROAEXAMPLEROLEID123:botocore-session-1710408413", "a+b-c=d.e_f:g/h@i", "Zoë 1", "", "x".repeat(256)]) {
            assert.equal(isEcsTagValue(value), true, value);
        }
    });

    it("refuses a session name's comma, other characters, more than 256 characters and the reserved aws: prefix", () => {
        for (const value of ["AROAEXAMPLEROLEID123:alice,bob", "a#b", "a*b", "a\tb", "x".repeat(257), "aws:x", "AWS:x"]) {
            assert.equal(isEcsTagValue(value), false, value);
        }
    });

    it("counts characters, not bytes or UTF-16 units", () => assert.equal(isEcsTagValue("é".repeat(256)), true));
});

describe("reasons that say something", () => {
    it("lists every whitespace character an ECS tag value can hold, so the developer policy refuses each at either end", () => {
        const tagWhitespace: string[] = [];
        for (let code = 0; code <= 0x10ffff; code++) {
            const c = String.fromCodePoint(code);
            if (/\s/u.test(c) && isEcsTagValue(c)) {
                tagWhitespace.push(c);
            }
        }
        assert.deepEqual([...TAG_VALUE_WHITESPACE].sort(), tagWhitespace.sort());
    });

    it("takes 8 characters or more, counted as characters, with whitespace only inside", () => {
        for (const reason of ["INC-4711", "INC-4 äö", "INC-4711 restore the orders", "x".repeat(256)]) {
            assert.equal(reasonProblem(reason), undefined, reason);
        }
    });

    it("refuses fewer than 8 characters, and whitespace at either end", () => {
        assert.equal(reasonProblem("INC-42"), "it has 6 characters; a reason has at least 8");
        assert.equal(reasonProblem("        "), "it begins or ends with whitespace");
        for (const reason of [" INC-4711", "INC-4711 ", "INC-4711\u3000", "\u2028INC-4711"]) {
            assert.equal(reasonProblem(reason), "it begins or ends with whitespace", JSON.stringify(reason));
        }
    });
});
