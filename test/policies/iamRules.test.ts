import { strict as assert } from "assert";
import {
    awsManagedPolicyKnown,
    execGrantScopedToContainer,
    execTaskRoleLeastPrivilege,
    taskRoleNoSsmManagedInstanceCore,
    taskRoleNotExecutionRole,
} from "../../policies/rules/iam";
import { enableExecuteCommandConditioned, noDirectSessionsToTasks } from "../../policies/rules/access";
import { changed, execStack, SESSION_CHANNELS } from "./fixtures";
import { policyJson, resourceViolations, stackViolations, TestResource, UNKNOWN_VALUE } from "./support";

const wide = policyJson({ Sid: "Wide", Effect: "Allow", Action: "ecs:*", Resource: "*" });
const scoped = policyJson({ Sid: "Own", Effect: "Allow", Action: "ecs:ExecuteCommand", Resource: "*", Condition: { StringEquals: { "ecs:container-name": "shell", "aws:ResourceTag/Owner": "${aws:userid}" } } });

describe("exec grants name their container (every kind of policy)", () => {
    const sources: [string, string, (document: string) => Record<string, unknown>][] = [
        ["customer-managed policy", "aws:iam/policy:Policy", (policy) => ({ policy })],
        ["role policy", "aws:iam/rolePolicy:RolePolicy", (policy) => ({ role: "r", policy })],
        ["user policy", "aws:iam/userPolicy:UserPolicy", (policy) => ({ user: "u", policy })],
        ["group policy", "aws:iam/groupPolicy:GroupPolicy", (policy) => ({ group: "g", policy })],
        ["role inlinePolicies", "aws:iam/role:Role", (policy) => ({ inlinePolicies: [{ name: "i", policy }] })],
        ["permission set inline policy", "aws:ssoadmin/permissionSetInlinePolicy:PermissionSetInlinePolicy", (inlinePolicy) => ({ inlinePolicy })],
    ];
    for (const [title, type, props] of sources) {
        it(`${title}: reports ecs:* without a condition, passes a grant scoped to a container`, () => {
            assert.deepEqual(resourceViolations(execGrantScopedToContainer, { type, name: "p", props: props(wide) }), [
                "statement Wide grants ecs:ExecuteCommand without a condition on ecs:container-name",
            ]);
            assert.deepEqual(resourceViolations(execGrantScopedToContainer, { type, name: "p", props: props(scoped) }, { requiredConditionKeys: ["aws:ResourceTag/Owner"] }), []);
        });
    }

    it("reports attaching an AWS managed policy that grants exec unconditionally, in any form", () => {
        const admin = "arn:aws:iam::aws:policy/AdministratorAccess";
        for (const [type, props] of [
            ["aws:iam/rolePolicyAttachment:RolePolicyAttachment", { role: "r", policyArn: admin }],
            ["aws:iam/userPolicyAttachment:UserPolicyAttachment", { user: "u", policyArn: admin }],
            ["aws:iam/role:Role", { managedPolicyArns: [admin] }],
            ["aws:iam/rolePolicyAttachmentsExclusive:RolePolicyAttachmentsExclusive", { roleName: "r", policyArns: ["arn:aws:iam::aws:policy/ReadOnlyAccess", admin] }],
            ["aws:iam/userPolicyAttachmentsExclusive:UserPolicyAttachmentsExclusive", { userName: "u", policyArns: [admin] }],
            ["aws:iam/groupPolicyAttachmentsExclusive:GroupPolicyAttachmentsExclusive", { groupName: "g", policyArns: [admin] }],
            ["aws:ssoadmin/managedPolicyAttachment:ManagedPolicyAttachment", { managedPolicyArn: "arn:aws:iam::aws:policy/AmazonECS_FullAccess" }],
            ["aws:ssoadmin/managedPolicyAttachmentsExclusive:ManagedPolicyAttachmentsExclusive", { managedPolicyArns: ["arn:aws:iam::aws:policy/PowerUserAccess"] }],
        ] as const) {
            assert.equal(resourceViolations(execGrantScopedToContainer, { type, name: "a", props }).length, 1, type);
        }
    });

    it("judges a customer managed policy where it is declared, not again on its IAM Identity Center attachment", () => {
        const attachment = {
            type: "aws:ssoadmin/customerManagedPolicyAttachment:CustomerManagedPolicyAttachment",
            name: "ps",
            props: { instanceArn: "i", permissionSetArn: "p", customerManagedPolicyReference: { name: "developers", path: "/" } },
        };
        assert.deepEqual(resourceViolations(execGrantScopedToContainer, attachment), []);
        assert.equal(resourceViolations(execGrantScopedToContainer, { type: "aws:iam/policy:Policy", name: "developers", props: { name: "developers", policy: wide } }).length, 1);
    });

    it("demands the configured extra condition keys", () => {
        const containerOnly = policyJson({ Sid: "C", Effect: "Allow", Action: "ecs:ExecuteCommand", Resource: "*", Condition: { StringEquals: { "ecs:container-name": "shell" } } });
        const policy = { type: "aws:iam/policy:Policy", name: "p", props: { policy: containerOnly } };
        assert.deepEqual(resourceViolations(execGrantScopedToContainer, policy), []);
        assert.deepEqual(resourceViolations(execGrantScopedToContainer, policy, { requiredConditionKeys: ["aws:ResourceTag/Owner"] }), [
            "statement C grants ecs:ExecuteCommand without a condition on aws:ResourceTag/Owner",
        ]);
    });

    it("reports nothing for a policy unknown during preview", () => {
        assert.deepEqual(resourceViolations(execGrantScopedToContainer, { type: "aws:iam/policy:Policy", name: "p", props: { policy: UNKNOWN_VALUE } }), []);
    });
});

describe("task roles", () => {
    it("note AmazonSSMManagedInstanceCore on a role of ECS tasks that is not an exec task role, as advice", () => {
        const core = "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore";
        const attached = [
            ...execStack(),
            { type: "aws:iam/rolePolicyAttachment:RolePolicyAttachment", name: "core", props: { role: "start", policyArn: core }, dependsOn: { role: ["start-role"] } },
        ];
        assert.deepEqual(stackViolations(taskRoleNoSsmManagedInstanceCore, attached), [
            { message: "ECS task role attaches AmazonSSMManagedInstanceCore", resource: "start-role" },
        ]);
        assert.deepEqual(stackViolations(taskRoleNoSsmManagedInstanceCore, execStack()), []);
        const unknownArn = attached.map((r) => (r.name === "core" ? { ...r, props: { ...r.props, policyArn: UNKNOWN_VALUE } } : r));
        assert.deepEqual(stackViolations(taskRoleNoSsmManagedInstanceCore, unknownArn), []);
        assert.equal(taskRoleNoSsmManagedInstanceCore.enforcementLevel, "advisory");
    });

    it("are not the execution role, by known ARN or by the role both come from (CKV_AWS_249)", () => {
        assert.deepEqual(stackViolations(taskRoleNotExecutionRole, execStack()), []);
        const sameArn = changed(execStack(), "shell-task", (p) => ({ ...p, executionRoleArn: p.taskRoleArn }));
        assert.equal(stackViolations(taskRoleNotExecutionRole, sameArn).length, 1);
        const sameRoleUnknownArns = execStack().map((r) =>
            r.name === "shell-task"
                ? { ...r, props: { ...r.props, taskRoleArn: UNKNOWN_VALUE, executionRoleArn: UNKNOWN_VALUE }, dependsOn: { taskRoleArn: ["agent-role"], executionRoleArn: ["agent-role"] } }
                : r,
        );
        assert.deepEqual(stackViolations(taskRoleNotExecutionRole, sameRoleUnknownArns), [{ message: "the task role is also the execution role", resource: "shell-task" }]);
    });
});

describe("exec task roles hold only what the agent and the application need", () => {
    const withTaskRolePolicy = (...statements: Record<string, unknown>[]) =>
        changed(execStack(), "agent-policy", (p) => ({ ...p, policy: policyJson(JSON.parse(SESSION_CHANNELS).Statement[0], ...statements) }));

    it("passes the agent's four channel actions with the application's named grants", () => {
        assert.deepEqual(stackViolations(execTaskRoleLeastPrivilege, execStack()), []);
        const app = { Sid: "ReadOrders", Effect: "Allow", Action: ["s3:GetObject", "dynamodb:GetItem"], Resource: "arn:aws:s3:::orders/*" };
        const sessionKey = { Sid: "DecryptSessionKey", Effect: "Allow", Action: "kms:Decrypt", Resource: "arn:aws:kms:us-east-1:123456789012:key/k" };
        const logs = { Effect: "Allow", Action: "logs:DescribeLogGroups", Resource: "*" };
        assert.deepEqual(stackViolations(execTaskRoleLeastPrivilege, withTaskRolePolicy(app, sessionKey, logs)), []);
    });

    const refused: [string, Record<string, unknown>, string][] = [
        ["Action *", { Sid: "All", Effect: "Allow", Action: "*", Resource: "*" }, "statement All grants every action (*); iam:PassRole (a shell could hand a role to a new task or function); kms:Decrypt on every key (*)"],
        ["a service-wide wildcard", { Sid: "S3", Effect: "Allow", Action: "s3:*", Resource: "arn:aws:s3:::orders/*" }, "statement S3 grants every action of a service (s3:*)"],
        ["iam:PassRole", { Sid: "Pass", Effect: "Allow", Action: "iam:PassRole", Resource: "arn:aws:iam::123456789012:role/app" }, "statement Pass grants iam:PassRole (a shell could hand a role to a new task or function)"],
        ["kms:Decrypt on every key", { Sid: "Keys", Effect: "Allow", Action: "kms:Decrypt", Resource: "*" }, "statement Keys grants kms:Decrypt on every key (*)"],
        ["NotAction", { Sid: "Most", Effect: "Allow", NotAction: "iam:*", Resource: "arn:aws:s3:::x" }, "statement Most grants every action but those NotAction lists"],
    ];
    for (const [title, statement, message] of refused) {
        it(`reports ${title}, on the policy that grants it`, () => {
            assert.deepEqual(stackViolations(execTaskRoleLeastPrivilege, withTaskRolePolicy(statement)), [
                { message: `task role agent-role (exec task definition shell-task): ${message}`, resource: "agent-policy" },
            ]);
        });
    }

    it("reports every AWS managed policy on an exec task role, in any form of attachment", () => {
        for (const [type, props] of [
            ["aws:iam/rolePolicyAttachment:RolePolicyAttachment", { role: "agent", policyArn: "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore" }],
            ["aws:iam/rolePolicyAttachmentsExclusive:RolePolicyAttachmentsExclusive", { roleName: "agent", policyArns: ["arn:aws:iam::aws:policy/AmazonSSMFullAccess"] }],
            ["aws:iam/policyAttachment:PolicyAttachment", { roles: ["agent"], policyArn: "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess" }],
        ] as const) {
            const stack: TestResource[] = [...execStack(), { type, name: "attach", props }];
            const [violation, ...rest] = stackViolations(execTaskRoleLeastPrivilege, stack);
            assert.deepEqual(rest, [], type);
            assert.match(violation.message, /^task role agent-role \(exec task definition shell-task\) attaches the AWS managed policy \w+: it grants more than exec needs/);
            assert.equal(violation.resource, "attach");
        }
    });

    it("leaves the task roles of other task definitions to their own rules, and can't tell while a document is unknown", () => {
        const plain = changed(execStack(), "agent-policy", (p) => ({ ...p, policy: policyJson({ Effect: "Allow", Action: "s3:*", Resource: "*" }) }));
        assert.deepEqual(stackViolations(execTaskRoleLeastPrivilege, plain), [], "no longer an exec task definition");
        const unknown = changed(execStack(), "agent-policy", (p) => ({ ...p, policy: UNKNOWN_VALUE }));
        const tagged = changed(unknown, "shell-task", (p) => ({ ...p, tags: { "ecs-exec:purpose": "exec-task" } }));
        assert.deepEqual(stackViolations(execTaskRoleLeastPrivilege, tagged), []);
    });
});

describe("AWS managed policies the pack does not know", () => {
    it("are named, as advice, wherever they are attached; known ones and customer-managed ones are not", () => {
        const attach = (policyArn: string) => ({ type: "aws:iam/rolePolicyAttachment:RolePolicyAttachment", name: "a", props: { role: "r", policyArn } });
        assert.deepEqual(resourceViolations(awsManagedPolicyKnown, attach("arn:aws:iam::aws:policy/AmazonECSNewFeatureAccess")), [
            "attaches the AWS managed policy AmazonECSNewFeatureAccess, which the pack's table does not know: what it grants can't be told",
        ]);
        assert.deepEqual(resourceViolations(awsManagedPolicyKnown, attach("arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy")), []);
        assert.deepEqual(resourceViolations(awsManagedPolicyKnown, attach("arn:aws:iam::123456789012:policy/mine")), []);
        assert.deepEqual(resourceViolations(awsManagedPolicyKnown, attach(UNKNOWN_VALUE)), []);
        assert.equal(awsManagedPolicyKnown.enforcementLevel, "advisory");
        // The other rules can't tell either: no violation rests on an unknown policy.
        for (const rule of [execGrantScopedToContainer, noDirectSessionsToTasks, enableExecuteCommandConditioned]) {
            assert.deepEqual(resourceViolations(rule, attach("arn:aws:iam::aws:policy/AmazonECSNewFeatureAccess")), [], rule.name);
        }
    });
});

describe("the read-only doctor policy issue 10 adds", () => {
    it("breaks no IAM rule", () => {
        const doctor = policyJson(
            { Sid: "ReadExecSetup", Effect: "Allow", Action: ["ecs:DescribeClusters", "ecs:DescribeTasks", "ecs:DescribeTaskDefinition", "ecs:ListTasks"], Resource: "*" },
            { Sid: "ReadAudit", Effect: "Allow", Action: ["cloudtrail:GetTrailStatus", "events:DescribeRule", "events:ListTargetsByRule", "sns:GetTopicAttributes", "sns:ListSubscriptionsByTopic", "logs:DescribeLogGroups", "kms:DescribeKey", "cloudwatch:DescribeAlarms"], Resource: "*" },
            { Sid: "SimulateOwnAccess", Effect: "Allow", Action: ["iam:SimulatePrincipalPolicy", "iam:GetRole"], Resource: "*" },
        );
        const policy = { type: "aws:iam/policy:Policy", name: "dev-ecs-exec-exec-doctor", props: { name: "dev-ecs-exec-exec-doctor", policy: doctor } };
        for (const rule of [execGrantScopedToContainer, noDirectSessionsToTasks, enableExecuteCommandConditioned]) {
            assert.deepEqual(resourceViolations(rule, policy, { requiredConditionKeys: ["aws:ResourceTag/Owner"] }), [], rule.name);
        }
    });
});
