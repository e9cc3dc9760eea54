import { strict as assert } from "assert";
import * as fs from "fs";
import { directSessionGrants, enableExecuteCommandConditioned, noDirectSessionsToTasks, unguardedExecSwitches } from "../../policies/rules/access";
import { callers, developerPolicy, portForwardingStatements, StackFacts } from "../../components/access";
import { evaluate } from "../access/evaluate";
import { TEST_CONTEXT } from "../support/pulumi";
import { UNKNOWN } from "../../policies/lib/values";
import { DEVELOPER_POLICY_ARGS } from "./fixtures";
import { configFile } from "./sharedPack";
import { policyJson, resourceViolations, UNKNOWN_VALUE } from "./support";
import { readDoc } from "../support/docs";

const CLUSTER = DEVELOPER_POLICY_ARGS.clusterName;
const TASKS = `arn:aws:ecs:us-east-1:111122223333:task/${CLUSTER}/*`;
const document = (name: string) => `arn:aws:ssm:us-east-1::document/${name}`;
const CHECK = { Bool: { "ssm:SessionDocumentAccessCheck": "true" } };
const OWN_TASKS = { StringEquals: { "aws:ResourceTag/Owner": "${aws:userid}" } };
/** What both policy configs require of StartSession grants on tasks. */
const OWNER = ["aws:ResourceTag/Owner"];

const THIS_PROGRAMS_DEVELOPER_POLICY = JSON.stringify(developerPolicy(TEST_CONTEXT, DEVELOPER_POLICY_ARGS));

/** The grants issue 12's port forwarding deploys: your own tasks of the cluster; the forwarding document, untagged. */
const forwarding = portForwardingStatements(TEST_CONTEXT, CLUSTER);
const deployed = (sid: string) => forwarding.find((s) => s.Sid === sid)! as unknown as Record<string, unknown>;
const TASK_GRANT = deployed("ForwardThroughOwnExecTask");
const DOCUMENT_GRANT = deployed("UsePortForwardingDocument");
const withDocument = (name: string) => ({ ...DOCUMENT_GRANT, Resource: document(name) });

describe("no other way into a task: ssm:StartSession on ECS tasks", () => {
    it("passes this program's developer policy, with and without port forwarding, and its forwarding grants", () => {
        assert.deepEqual(directSessionGrants(THIS_PROGRAMS_DEVELOPER_POLICY, OWNER), []);
        assert.deepEqual(directSessionGrants(JSON.stringify(developerPolicy(TEST_CONTEXT, { ...DEVELOPER_POLICY_ARGS, portForwarding: true })), OWNER), []);
        assert.deepEqual(directSessionGrants(policyJson(TASK_GRANT, DOCUMENT_GRANT), OWNER), []);
        // Documents in one statement, both named exactly.
        const twoDocuments = policyJson(TASK_GRANT, { ...DOCUMENT_GRANT, Resource: [document("AWS-StartPortForwardingSession"), document("AWS-StartPortForwardingSessionToRemoteHost")] });
        assert.deepEqual(directSessionGrants(twoDocuments, OWNER), []);
    });

    const ownTasks = (condition: Record<string, unknown>) => ({ ...TASK_GRANT, Condition: { ...CHECK, ...condition } });
    const refused: [string, Record<string, unknown>[], RegExp][] = [
        ["StartSession on * with no condition", [{ Effect: "Allow", Action: "ssm:StartSession", Resource: "*" }], /#1 allows ssm:StartSession on ECS tasks without Condition Bool ssm:SessionDocumentAccessCheck true/],
        ["ssm:* on tasks", [{ Effect: "Allow", Action: "ssm:*", Resource: TASKS }], /without Condition Bool/],
        ["NotAction that leaves StartSession in", [{ Effect: "Allow", NotAction: "iam:*", Resource: "*" }], /without Condition Bool/],
        ["the check as BoolIfExists (a request without the key is not checked)", [{ ...TASK_GRANT, Condition: { ...OWN_TASKS, BoolIfExists: CHECK.Bool } }, DOCUMENT_GRANT], /without Condition Bool/],
        ["the default shell document", [TASK_GRANT, withDocument("SSM-SessionManagerRunShell")], /with document SSM-SessionManagerRunShell, which may open a shell/],
        ["AWS-StartInteractiveCommand", [TASK_GRANT, withDocument("AWS-StartInteractiveCommand")], /document AWS-StartInteractiveCommand/],
        ["AWS-StartSSHSession", [TASK_GRANT, withDocument("AWS-StartSSHSession")], /document AWS-StartSSHSession/],
        ["ECS Exec's own document", [TASK_GRANT, withDocument("AmazonECS-ExecuteInteractiveCommand")], /document AmazonECS-ExecuteInteractiveCommand/],
        ["documents by wildcard", [TASK_GRANT, withDocument("AWS-StartPortForwarding*")], /every document arn:aws:ssm:us-east-1::document\/AWS-StartPortForwarding\* matches/],
        ["the check on, with Resource *", [{ ...TASK_GRANT, Resource: "*" }], /every document \* matches/],
        ["the check on and no document named", [TASK_GRANT], /names no session document/],
        // The required keys, read as exec-grant-scoped-to-container reads them.
        ["the Owner condition dropped", [ownTasks({}), DOCUMENT_GRANT], /^statement ForwardThroughOwnExecTask allows ssm:StartSession on ECS tasks without a condition on aws:ResourceTag\/Owner$/],
        ["the Owner condition as StringEqualsIfExists", [ownTasks({ StringEqualsIfExists: { "aws:ResourceTag/Owner": "${aws:userid}" } }), DOCUMENT_GRANT], /without a condition on aws:ResourceTag\/Owner$/],
        ["the Owner condition negated", [ownTasks({ StringNotEquals: { "aws:ResourceTag/Owner": "nobody" } }), DOCUMENT_GRANT], /without a condition on aws:ResourceTag\/Owner$/],
        ["the Owner condition a bare *", [ownTasks({ StringLike: { "aws:ResourceTag/Owner": "*" } }), DOCUMENT_GRANT], /without a condition on aws:ResourceTag\/Owner$/],
        ["the Owner condition under ForAllValues", [ownTasks({ "ForAllValues:StringEquals": { "aws:ResourceTag/Owner": "${aws:userid}" } }), DOCUMENT_GRANT], /without a condition on aws:ResourceTag\/Owner$/],
        // StartSession has no ecs:cluster key: the task ARN is the cluster's only scope.
        ["the tasks of every cluster", [{ ...TASK_GRANT, Resource: "arn:aws:ecs:*:*:task/*" }, DOCUMENT_GRANT], /^statement ForwardThroughOwnExecTask allows ssm:StartSession on ECS tasks in every cluster \(arn:aws:ecs:\*:\*:task\/\*\)$/],
        ["clusters by wildcard", [{ ...TASK_GRANT, Resource: "arn:aws:ecs:us-east-1:111122223333:task/dev-*/*" }, DOCUMENT_GRANT], /in every cluster \(arn:aws:ecs:us-east-1:111122223333:task\/dev-\*\/\*\)$/],
    ];
    for (const [title, statements, message] of refused) {
        it(`reports ${title}`, () => {
            const found = directSessionGrants(policyJson(...statements), OWNER);
            assert.equal(found.length, 1, JSON.stringify(found));
            assert.match(found[0], message);
        });
    }

    it("names every problem of a statement in one message", () => {
        assert.deepEqual(directSessionGrants(policyJson({ Effect: "Allow", Action: "ssm:StartSession", Resource: "*" }), OWNER), [
            "statement #1 allows ssm:StartSession on ECS tasks without Condition Bool ssm:SessionDocumentAccessCheck true: any session document, a shell included; in every cluster (*); without a condition on aws:ResourceTag/Owner",
        ]);
    });

    it("asks for the keys its own requiredConditionKeys names (none by default), of grants on tasks only", () => {
        const ownerDropped = { type: "aws:iam/policy:Policy", name: "p", props: { policy: policyJson({ ...TASK_GRANT, Condition: CHECK }, DOCUMENT_GRANT) } };
        assert.deepEqual(resourceViolations(noDirectSessionsToTasks, ownerDropped), []);
        assert.deepEqual(resourceViolations(noDirectSessionsToTasks, ownerDropped, { requiredConditionKeys: OWNER }), [
            "statement ForwardThroughOwnExecTask allows ssm:StartSession on ECS tasks without a condition on aws:ResourceTag/Owner",
        ]);
        // An Owner narrowed by other means than the key asked for does not count.
        assert.equal(directSessionGrants(policyJson(ownTasks({ StringEquals: { "ssm:resourceTag/Owner": "${aws:userid}" } }), DOCUMENT_GRANT), OWNER).length, 1);
    });

    it("passes StartSession on instances, and a broad Allow taken back by an unconditioned Deny on every task", () => {
        assert.deepEqual(directSessionGrants(policyJson({ Effect: "Allow", Action: "ssm:StartSession", Resource: "arn:aws:ec2:us-east-1:111122223333:instance/*" }), OWNER), []);
        const denied = policyJson({ Effect: "Allow", Action: "ssm:*", Resource: "*" }, { Effect: "Deny", Action: "ssm:StartSession", Resource: "arn:aws:ecs:*:*:task/*" });
        assert.deepEqual(directSessionGrants(denied, OWNER), []);
        const deniedInOneRegion = policyJson({ Effect: "Allow", Action: "ssm:*", Resource: "*" }, { Effect: "Deny", Action: "ssm:StartSession", Resource: "arn:aws:ecs:us-east-1:*:task/*" });
        assert.equal(directSessionGrants(deniedInOneRegion, OWNER).length, 1);
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

    it("reports nothing while a policy, its condition, a required key's value or its resources are unknown", () => {
        const policy = (...statements: Record<string, unknown>[]) => ({ type: "aws:iam/policy:Policy", name: "p", props: { policy: { Statement: statements } } });
        const config = { requiredConditionKeys: OWNER };
        assert.deepEqual(directSessionGrants(UNKNOWN, OWNER), []);
        assert.deepEqual(resourceViolations(noDirectSessionsToTasks, { type: "aws:iam/policy:Policy", name: "p", props: { policy: UNKNOWN_VALUE } }, config), []);
        assert.deepEqual(resourceViolations(noDirectSessionsToTasks, policy({ ...TASK_GRANT, Condition: UNKNOWN_VALUE }, DOCUMENT_GRANT), config), []);
        assert.deepEqual(resourceViolations(noDirectSessionsToTasks, policy(ownTasks({ StringEquals: { "aws:ResourceTag/Owner": UNKNOWN_VALUE } }), DOCUMENT_GRANT), config), []);
        assert.deepEqual(resourceViolations(noDirectSessionsToTasks, policy({ ...TASK_GRANT, Resource: UNKNOWN_VALUE }, DOCUMENT_GRANT), config), []);
        assert.deepEqual(resourceViolations(noDirectSessionsToTasks, policy({ ...TASK_GRANT, Resource: [TASKS, UNKNOWN_VALUE] }, DOCUMENT_GRANT), config), []);
    });

    describe("the shape docs/policies.md says the pack admits", () => {
        /** docs/policies.md's JSON under "Other ways into a task", its placeholders filled in for the test account's dev cluster. */
        function readmeShape(): { Statement: Record<string, unknown>[] } {
            const page = readDoc("policies");
            const section = page.slice(page.indexOf("### Other ways into a task"));
            const json = /```json\n([^]*?)\n```/.exec(section)![1];
            const filled = { region: TEST_CONTEXT.region, account: TEST_CONTEXT.accountId, cluster: CLUSTER };
            return JSON.parse(json.replace(/<(region|account|cluster)>/g, (_, name: keyof typeof filled) => filled[name]));
        }

        it("is the two statements the program deploys, and passes under both configs' requiredConditionKeys", () => {
            const shape = readmeShape();
            assert.deepEqual(shape.Statement, [TASK_GRANT, DOCUMENT_GRANT]);
            for (const env of ["dev", "prod"] as const) {
                const { requiredConditionKeys } = JSON.parse(fs.readFileSync(configFile(env), "utf8"))["no-direct-sessions-to-tasks"];
                assert.deepEqual(resourceViolations(noDirectSessionsToTasks, { type: "aws:iam/policy:Policy", name: "p", props: { policy: JSON.stringify(shape) } }, { requiredConditionKeys }), [], env);
            }
        });

        it("opens your own task in IAM, where one statement for the task and the document would not: the document has no Owner tag", async () => {
            const { alice } = callers(TEST_CONTEXT.accountId);
            const scenario = (policy: unknown) => ({
                row: "forward",
                caller: alice,
                action: "ssm:StartSession",
                // An AWS document carries no tags: IAM finds no aws:ResourceTag/Owner on it.
                targets: [{ arn: TASKS.replace("*", "0f8e9c1d2b3a4e5f60718293a4b5c6d7"), tags: { Owner: alice.userId } }, { arn: document("AWS-StartPortForwardingSessionToRemoteHost") }],
                context: CHECK.Bool,
                developerPolicy: policy,
                expect: "Allowed" as const,
            });
            // evaluate reads only where the stack is: the developer policy is the scenario's own.
            const where = TEST_CONTEXT as StackFacts;
            assert.equal((await evaluate(where, scenario(readmeShape()))).decision, "Allowed");
            const oneStatement = { ...TASK_GRANT, Resource: [TASK_GRANT.Resource, DOCUMENT_GRANT.Resource] };
            assert.equal((await evaluate(where, scenario({ Version: "2012-10-17", Statement: [oneStatement] }))).decision, "ImplicitlyDenied");
        });
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
