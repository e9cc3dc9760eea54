import { strict as assert } from "assert";
import { ExecAccess, ExecAccessArgs } from "../../components/access/pulumi";
import { TEST_CONTEXT, TEST_TAGS, underMocks, valueOf } from "../support/pulumi";

const POLICY = "aws:iam/policy:Policy";
const ROLE = "aws:iam/role:Role";
const ROLE_ATTACHMENT = "aws:iam/rolePolicyAttachment:RolePolicyAttachment";
const GROUP_ATTACHMENT = "aws:iam/groupPolicyAttachment:GroupPolicyAttachment";
const SSO_ROLE = "arn:aws:iam::111122223333:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Developer_0123456789abcdef";

function args(changes: Partial<ExecAccessArgs> = {}): ExecAccessArgs {
    return {
        context: TEST_CONTEXT,
        policyName: "test-ecs-exec-developer",
        roleName: "test-ecs-exec-developer",
        clusterName: "test-ecs-exec",
        taskFamily: "test-ecs-exec",
        containerName: "test-ecs-exec",
        taskRoleArn: "arn:aws:iam::111122223333:role/test-ecs-exec-task",
        executionRoleArn: "arn:aws:iam::111122223333:role/test-ecs-exec-execution",
        kmsKeyArn: "arn:aws:kms:us-east-1:111122223333:key/0b6a2b8e-1d55-4a0e-9f3b-4b1f8a6c2d10",
        sessionLogGroupName: "/ecs-exec/test/sessions",
        transcriptBucketName: "test-ecs-exec-transcripts-111122223333",
        developerPrincipalArns: [SSO_ROLE],
        developerSessionNameTag: "email",
        developerTaggedRoleArns: [],
        requireMfa: false,
        requireReason: false,
        taskCpu: 256,
        taskMemory: 512,
        attachToRoles: [],
        attachToGroups: [],
        tags: TEST_TAGS,
        ...changes,
    };
}

async function build(changes: Partial<ExecAccessArgs> = {}) {
    const { built, registered } = await underMocks(() => new ExecAccess("access", args(changes)));
    return { access: built, registered, policyArn: await valueOf(built.policyArn), roleArn: await valueOf(built.roleArn) };
}

describe("ExecAccess", () => {
    it("creates one customer-managed policy, named so a permission set can reference it, holding the document it exposes", async () => {
        const { access, registered, policyArn } = await build();
        const policy = registered.one(POLICY);
        assert.equal(policy.inputs.name, "test-ecs-exec-developer");
        assert.equal(policyArn, "arn:aws:iam::111122223333:policy/test-ecs-exec-developer");
        assert.deepEqual(JSON.parse(policy.inputs.policy as string), await valueOf(access.policyDocument));
    });

    it("creates a developer role for the listed principals and attaches the policy to it", async () => {
        const { registered, policyArn, roleArn } = await build();
        const role = registered.one(ROLE);
        assert.equal(role.inputs.name, "test-ecs-exec-developer");
        assert.equal(roleArn, "arn:aws:iam::111122223333:role/test-ecs-exec-developer");
        const trust = JSON.parse(role.inputs.assumeRolePolicy as string);
        for (const statement of trust.Statement) {
            assert.deepEqual(statement.Principal.AWS, [SSO_ROLE]);
            assert.equal(statement.Condition.Bool, undefined, "no MFA condition unless asked");
        }
        const attachment = registered.one(ROLE_ATTACHMENT);
        assert.equal(attachment.inputs.role, "test-ecs-exec-developer");
        assert.equal(attachment.inputs.policyArn, policyArn);
    });

    it("pins a role session's name to its developerSessionNameTag principal tag, and admits no role session without it", async () => {
        const trust = async (changes: Partial<ExecAccessArgs>) =>
            JSON.parse((await build(changes)).registered.one(ROLE).inputs.assumeRolePolicy as string);
        const sids = (document: any) => document.Statement.map((s: any) => s.Sid);
        const tagged = (await trust({})).Statement.find((s: any) => s.Sid === "IdentityCenterSessionsUnderTheirTaggedName");
        assert.deepEqual(tagged.Condition.StringEquals, { "sts:RoleSessionName": "${aws:PrincipalTag/email}" });
        assert.deepEqual(tagged.Condition.ArnLike, { "aws:PrincipalArn": "arn:aws:iam::*:role/aws-reserved/sso.amazonaws.com/*" });
        assert.deepEqual(sids(await trust({})), ["IamUsersOfThisAccountUnderTheirOwnName", "IdentityCenterSessionsUnderTheirTaggedName"]);
        assert.deepEqual(sids(await trust({ developerSessionNameTag: undefined })), ["IamUsersOfThisAccountUnderTheirOwnName"]);
        const listed = "arn:aws:iam::111122223333:role/federated/Developers";
        const optedIn = await trust({ developerPrincipalArns: [SSO_ROLE, listed], developerTaggedRoleArns: [listed] });
        assert.deepEqual(optedIn.Statement[2].Condition.ArnEquals, { "aws:PrincipalArn": [listed] });
    });

    it("requires MFA to assume the role when requireMfa is set", async () => {
        const { registered } = await build({ requireMfa: true });
        const trust = JSON.parse(registered.one(ROLE).inputs.assumeRolePolicy as string);
        for (const statement of trust.Statement) {
            assert.deepEqual(statement.Condition.Bool, { "aws:MultiFactorAuthPresent": "true" });
        }
    });

    it("creates no role without principals, and says so", async () => {
        const { registered, roleArn } = await build({ developerPrincipalArns: [] });
        assert.equal(registered.ofType(ROLE).length, 0);
        assert.equal(registered.ofType(ROLE_ATTACHMENT).length, 0);
        assert.equal(roleArn, undefined);
        assert.equal(registered.ofType(POLICY).length, 1, "the policy still exists, to attach elsewhere");
    });

    it("attaches the policy to the existing roles and groups named in config", async () => {
        const { registered, policyArn } = await build({
            developerPrincipalArns: [],
            attachToRoles: ["platform-oncall", "ci-debug"],
            attachToGroups: ["developers"],
        });
        assert.deepEqual(
            registered.ofType(ROLE_ATTACHMENT).map((a) => [a.inputs.role, a.inputs.policyArn]),
            [
                ["platform-oncall", policyArn],
                ["ci-debug", policyArn],
            ],
        );
        assert.deepEqual(
            registered.ofType(GROUP_ATTACHMENT).map((a) => [a.inputs.group, a.inputs.policyArn]),
            [["developers", policyArn]],
        );
    });

    describe("child names, whatever the user's strings", () => {
        /** Role and group names that spell the component's fixed children and each other's names. */
        const hostile = ["policy", "role", "role-policy", "attach-role-policy", "group-policy", "x", "attach-group-x"];

        it("never collide: every role and group gets its own attachment next to the developer role's", async () => {
            // The synth's monitor refuses a duplicate URN as the engine does, so building at all proves uniqueness.
            const { registered, policyArn } = await build({ attachToRoles: hostile, attachToGroups: hostile });
            const roleAttachments = registered.ofType(ROLE_ATTACHMENT);
            assert.equal(roleAttachments.length, hostile.length + 1, "one per role, and the developer role's");
            assert.deepEqual(
                roleAttachments.filter((a) => a.name !== "access-role-policy").map((a) => a.inputs.role),
                hostile,
            );
            assert.deepEqual(registered.ofType(GROUP_ATTACHMENT).map((a) => a.inputs.group), hostile);
            assert.ok([...roleAttachments, ...registered.ofType(GROUP_ATTACHMENT)].every((a) => a.inputs.policyArn === policyArn));
            const urns = registered.all.map((r) => r.urn);
            assert.equal(new Set(urns).size, urns.length);
        });

        it("give user-derived children a prefix no fixed child has", async () => {
            const { registered } = await build({ attachToRoles: hostile, attachToGroups: hostile });
            const derived = registered.all.filter((r) => r.name.startsWith("access-attach-"));
            assert.equal(derived.length, hostile.length * 2, "every user-derived child, and only they, carry the prefix");
            const fixed = registered.all.filter((r) => r.type !== "ecs-exec:access:ExecAccess" && !derived.includes(r));
            assert.deepEqual(fixed.map((r) => r.name).sort(), ["access-policy", "access-role", "access-role-policy"]);
        });

        it("answer to their former names, so an update moves the existing attachments instead of detaching the policy", async () => {
            const { registered } = await build({ attachToRoles: ["platform-oncall"], attachToGroups: ["developers"] });
            assert.deepEqual(registered.aliasesOf(registered.one(ROLE_ATTACHMENT, "access-attach-role-platform-oncall")), [
                "access-role-platform-oncall",
            ]);
            assert.deepEqual(registered.aliasesOf(registered.one(GROUP_ATTACHMENT, "access-attach-group-developers")), [
                "access-group-developers",
            ]);
        });

        it("drop a former name that a fixed child holds in this deployment (a role named policy, next to the developer role)", async () => {
            const withRole = await build({ attachToRoles: ["policy"] });
            assert.deepEqual(withRole.registered.aliasesOf(withRole.registered.one(ROLE_ATTACHMENT, "access-attach-role-policy")), []);
            const withoutRole = await build({ developerPrincipalArns: [], attachToRoles: ["policy"] });
            assert.deepEqual(withoutRole.registered.aliasesOf(withoutRole.registered.one(ROLE_ATTACHMENT, "access-attach-role-policy")), [
                "access-role-policy",
            ]);
        });
    });
});
