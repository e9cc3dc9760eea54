import { strict as assert } from "assert";
import { directSessionGrants, enableExecuteCommandConditioned, noDirectSessionsToTasks, unguardedExecSwitches } from "../../policies/rules/access";
import { developerPolicy } from "../../components/policies";
import { TEST_CONTEXT } from "../support/pulumi";
import { UNKNOWN } from "../../policies/lib/values";
import { policyJson, resourceViolations, UNKNOWN_VALUE } from "./support";

const TASKS = "arn:aws:ecs:us-east-1:111122223333:task/dev-ecs-exec/*";
const document = (name: string) => `arn:aws:ssm:us-east-1::document/${name}`;
const OWN_TASKS = { StringEquals: { "aws:ResourceTag/Owner": "${aws:userid}" } };
const CHECK = { Bool: { "ssm:SessionDocumentAccessCheck": "true" } };

/** The statement issue 12's port forwarding adds: your own tasks, the remote-host forwarding document only, checked. */
const FORWARD = {
    Sid: "ForwardThroughOwnExecTask",
    Effect: "Allow",
    Action: "ssm:StartSession",
    Resource: [TASKS, document("AWS-StartPortForwardingSessionToRemoteHost")],
    Condition: { ...CHECK, ...OWN_TASKS },
};

const THIS_PROGRAMS_DEVELOPER_POLICY = JSON.stringify(
    developerPolicy(TEST_CONTEXT, {
        clusterName: "dev-ecs-exec",
        taskFamily: "dev-ecs-exec",
        containerName: "dev-ecs-exec",
        taskRoleArn: "arn:aws:iam::111122223333:role/t",
        executionRoleArn: "arn:aws:iam::111122223333:role/e",
        kmsKeyArn: "arn:aws:kms:us-east-1:111122223333:key/k",
        requireReason: true,
        taskCpu: 256,
        taskMemory: 512,
    }),
);

describe("no other way into a task: ssm:StartSession on ECS tasks", () => {
    it("passes this program's developer policy (it denies StartSession on every task) and the port-forwarding shape", () => {
        assert.deepEqual(directSessionGrants(THIS_PROGRAMS_DEVELOPER_POLICY), []);
        assert.deepEqual(directSessionGrants(policyJson(FORWARD)), []);
        // The document granted by a statement of its own, as a policy may split it.
        const split = policyJson(
            { ...FORWARD, Resource: TASKS },
            { Effect: "Allow", Action: "ssm:StartSession", Resource: [document("AWS-StartPortForwardingSession"), document("AWS-StartPortForwardingSessionToRemoteHost")] },
        );
        assert.deepEqual(directSessionGrants(split), []);
    });

    const refused: [string, Record<string, unknown>[], RegExp][] = [
        ["StartSession on * with no condition", [{ Effect: "Allow", Action: "ssm:StartSession", Resource: "*" }], /#1 allows ssm:StartSession on ECS tasks without Condition Bool ssm:SessionDocumentAccessCheck true/],
        ["ssm:* on tasks", [{ Effect: "Allow", Action: "ssm:*", Resource: TASKS }], /without Condition Bool/],
        ["NotAction that leaves StartSession in", [{ Effect: "Allow", NotAction: "iam:*", Resource: "*" }], /without Condition Bool/],
        ["the check as BoolIfExists (a request without the key is not checked)", [{ ...FORWARD, Condition: { BoolIfExists: CHECK.Bool } }], /without Condition Bool/],
        ["the default shell document", [{ ...FORWARD, Resource: [TASKS, document("SSM-SessionManagerRunShell")] }], /with document SSM-SessionManagerRunShell, which may open a shell/],
        ["AWS-StartInteractiveCommand", [{ ...FORWARD, Resource: [TASKS, document("AWS-StartInteractiveCommand")] }], /document AWS-StartInteractiveCommand/],
        ["AWS-StartSSHSession", [{ ...FORWARD, Resource: [TASKS, document("AWS-StartSSHSession")] }], /document AWS-StartSSHSession/],
        ["ECS Exec's own document", [{ ...FORWARD, Resource: [TASKS, document("AmazonECS-ExecuteInteractiveCommand")] }], /document AmazonECS-ExecuteInteractiveCommand/],
        ["documents by wildcard", [{ ...FORWARD, Resource: [TASKS, document("AWS-StartPortForwarding*")] }], /every document arn:aws:ssm:us-east-1::document\/AWS-StartPortForwarding\* matches/],
        ["the check on, with Resource *", [{ ...FORWARD, Resource: "*" }], /every document \* matches/],
        ["the check on and no document named", [{ ...FORWARD, Resource: TASKS }], /names no session document/],
    ];
    for (const [title, statements, message] of refused) {
        it(`reports ${title}`, () => {
            const found = directSessionGrants(policyJson(...statements));
            assert.equal(found.length, 1, JSON.stringify(found));
            assert.match(found[0], message);
        });
    }

    it("passes StartSession on instances, and a broad Allow taken back by an unconditioned Deny on every task", () => {
        assert.deepEqual(directSessionGrants(policyJson({ Effect: "Allow", Action: "ssm:StartSession", Resource: "arn:aws:ec2:us-east-1:111122223333:instance/*" })), []);
        const denied = policyJson({ Effect: "Allow", Action: "ssm:*", Resource: "*" }, { Effect: "Deny", Action: "ssm:StartSession", Resource: "arn:aws:ecs:*:*:task/*" });
        assert.deepEqual(directSessionGrants(denied), []);
        const deniedInOneRegion = policyJson({ Effect: "Allow", Action: "ssm:*", Resource: "*" }, { Effect: "Deny", Action: "ssm:StartSession", Resource: "arn:aws:ecs:us-east-1:*:task/*" });
        assert.equal(directSessionGrants(deniedInOneRegion).length, 1);
    });

    it("reports AWS managed policies that open sessions into tasks, attached in any form", () => {
        for (const [type, props] of [
            ["aws:iam/rolePolicyAttachment:RolePolicyAttachment", { role: "ci", policyArn: "arn:aws:iam::aws:policy/AWSCodeBuildAdminAccess" }],
            ["aws:iam/rolePolicyAttachmentsExclusive:RolePolicyAttachmentsExclusive", { roleName: "ops", policyArns: ["arn:aws:iam::aws:policy/AmazonSSMFullAccess"] }],
            ["aws:ssoadmin/managedPolicyAttachmentsExclusive:ManagedPolicyAttachmentsExclusive", { instanceArn: "i", permissionSetArn: "p", managedPolicyArns: ["arn:aws:iam::aws:policy/PowerUserAccess"] }],
        ] as const) {
            assert.equal(resourceViolations(noDirectSessionsToTasks, { type, name: "a", props }).length, 1, type);
        }
    });

    it("reports nothing while a policy, its condition or its resources are unknown", () => {
        assert.deepEqual(directSessionGrants(UNKNOWN), []);
        assert.deepEqual(resourceViolations(noDirectSessionsToTasks, { type: "aws:iam/policy:Policy", name: "p", props: { policy: UNKNOWN_VALUE } }), []);
        assert.deepEqual(resourceViolations(noDirectSessionsToTasks, { type: "aws:iam/policy:Policy", name: "p", props: { policy: { Statement: [{ ...FORWARD, Condition: UNKNOWN_VALUE }] } } }), []);
        assert.deepEqual(resourceViolations(noDirectSessionsToTasks, { type: "aws:iam/policy:Policy", name: "p", props: { policy: { Statement: [{ ...FORWARD, Resource: [TASKS, UNKNOWN_VALUE] }] } } }), []);
    });
});

describe("turning exec on elsewhere: grants that can set enableExecuteCommand", () => {
    it("passes this program's developer policy: RunTask on its own family, Denies of exec on services and other task definitions", () => {
        assert.deepEqual(unguardedExecSwitches(THIS_PROGRAMS_DEVELOPER_POLICY), []);
    });

    it("passes the shape issues 11 and 16 give RunTask: own family, a Reason tag and task sizes in the condition", () => {
        const runTask = {
            Sid: "StartOwnExecTask",
            Effect: "Allow",
            Action: "ecs:RunTask",
            Resource: "arn:aws:ecs:us-east-1:111122223333:task-definition/dev-ecs-exec:*",
            Condition: {
                StringEquals: { "ecs:enable-execute-command": "true", "aws:RequestTag/Owner": "${aws:userid}" },
                StringLike: { "aws:RequestTag/Reason": "?*" },
                "ForAllValues:StringEquals": { "aws:TagKeys": ["Owner", "Reason"] },
            },
        };
        assert.deepEqual(unguardedExecSwitches(policyJson(runTask)), []);
    });

    const refused: [string, Record<string, unknown>[], string][] = [
        ["UpdateService with no condition", [{ Sid: "Deploy", Effect: "Allow", Action: "ecs:UpdateService", Resource: "arn:aws:ecs:us-east-1:1:service/apps/api" }], "statement Deploy grants ecs:UpdateService without a condition keeping ecs:enable-execute-command false"],
        ["ecs:* on *", [{ Effect: "Allow", Action: "ecs:*", Resource: "*" }], "statement #1 grants ecs:CreateService, ecs:UpdateService, ecs:RunTask on every task definition, ecs:StartTask on every task definition without a condition keeping ecs:enable-execute-command false"],
        ["RunTask on every task definition", [{ Effect: "Allow", Action: "ecs:RunTask", Resource: "arn:aws:ecs:*:*:task-definition/*" }], "statement #1 grants ecs:RunTask on every task definition without a condition keeping ecs:enable-execute-command false"],
        ["a condition that lets \"true\" through", [{ Effect: "Allow", Action: "ecs:CreateService", Resource: "*", Condition: { StringEquals: { "ecs:enable-execute-command": ["false", "true"] } } }], "statement #1 grants ecs:CreateService without a condition keeping ecs:enable-execute-command false"],
        [
            "a Deny that exempts by another key than a resource tag",
            [
                { Effect: "Allow", Action: "ecs:UpdateService", Resource: "*" },
                { Effect: "Deny", Action: "ecs:UpdateService", Resource: "*", Condition: { StringEquals: { "ecs:enable-execute-command": "true" }, StringNotEquals: { "aws:username": "alice" } } },
            ],
            "statement #1 grants ecs:UpdateService without a condition keeping ecs:enable-execute-command false",
        ],
    ];
    for (const [title, statements, message] of refused) {
        it(`reports ${title}`, () => {
            assert.deepEqual(unguardedExecSwitches(policyJson(...statements)), [message]);
        });
    }

    it("passes grants that keep exec off, in the statement or by a Deny of the same policy", () => {
        for (const condition of [
            { StringEquals: { "ecs:enable-execute-command": "false" } },
            { StringEqualsIfExists: { "ecs:enable-execute-command": "false" } },
            { StringNotEquals: { "ecs:enable-execute-command": "true" } },
            { Bool: { "ecs:enable-execute-command": "false" } },
        ]) {
            assert.deepEqual(unguardedExecSwitches(policyJson({ Effect: "Allow", Action: ["ecs:CreateService", "ecs:UpdateService"], Resource: "*", Condition: condition })), [], JSON.stringify(condition));
        }
        const denied = policyJson(
            { Effect: "Allow", Action: "ecs:*", Resource: "*" },
            { Effect: "Deny", Action: ["ecs:CreateService", "ecs:UpdateService", "ecs:RunTask", "ecs:StartTask"], Resource: "*", Condition: { StringEquals: { "ecs:enable-execute-command": "true" } } },
        );
        assert.deepEqual(unguardedExecSwitches(denied), []);
    });

    it("reports the AWS managed policies that grant it (scheduled tasks' events role, ECS full access), as a resource rule", () => {
        const attach = (policy: string) => ({ type: "aws:iam/rolePolicyAttachment:RolePolicyAttachment", name: "a", props: { role: "r", policyArn: `arn:aws:iam::aws:policy/${policy}` } });
        assert.equal(resourceViolations(enableExecuteCommandConditioned, attach("service-role/AmazonEC2ContainerServiceEventsRole")).length, 1);
        assert.equal(resourceViolations(enableExecuteCommandConditioned, attach("AmazonECS_FullAccess")).length, 1);
        assert.deepEqual(resourceViolations(enableExecuteCommandConditioned, attach("ReadOnlyAccess")), []);
    });

    it("reports nothing while a condition or document is unknown", () => {
        assert.deepEqual(unguardedExecSwitches({ Statement: [{ Effect: "Allow", Action: "ecs:UpdateService", Resource: "*", Condition: UNKNOWN }] }), []);
        const props = { policy: { Statement: [{ Effect: "Allow", Action: "ecs:UpdateService", Resource: "*", Condition: UNKNOWN_VALUE }] } };
        assert.deepEqual(resourceViolations(enableExecuteCommandConditioned, { type: "aws:iam/policy:Policy", name: "p", props }), []);
        assert.deepEqual(resourceViolations(enableExecuteCommandConditioned, { type: "aws:iam/policy:Policy", name: "p", props: { policy: UNKNOWN_VALUE } }), []);
    });
});
