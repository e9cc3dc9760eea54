import { strict as assert } from "assert";
import { execGrantScopedToContainer, taskRoleNoSsmManagedInstanceCore, taskRoleNotExecutionRole } from "../../policies/rules/iam";
import { changed, execStack } from "./fixtures";
import { policyJson, resourceViolations, stackViolations, UNKNOWN_VALUE } from "./support";

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
            ["aws:ssoadmin/managedPolicyAttachment:ManagedPolicyAttachment", { managedPolicyArn: "arn:aws:iam::aws:policy/AmazonECS_FullAccess" }],
        ] as const) {
            assert.equal(resourceViolations(execGrantScopedToContainer, { type, name: "a", props }).length, 1, type);
        }
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
    it("note AmazonSSMManagedInstanceCore on a role of ECS tasks, as advice", () => {
        const core = "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore";
        const attached = [
            ...execStack(),
            { type: "aws:iam/rolePolicyAttachment:RolePolicyAttachment", name: "core", props: { role: "agent", policyArn: core }, dependsOn: { role: ["agent-role"] } },
        ];
        assert.deepEqual(stackViolations(taskRoleNoSsmManagedInstanceCore, attached), [
            { message: "ECS task role attaches AmazonSSMManagedInstanceCore", resource: "agent-role" },
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
