import { strict as assert } from "assert";
import { execNames } from "../../components/config";
import {
    callers,
    developerPolicy,
    developerRoleTrustPolicy,
    ROWS,
    Scenario,
    scenarios,
    StackFacts,
    TRUST_ROWS,
    TrustScenario,
    trustScenarios,
} from "../../components/access";
import { sessionKeyPolicy } from "../../components/session";
import { evaluate, evaluateTrust } from "./evaluate";
import { TEST_CONTEXT } from "../support/pulumi";
import { synthStack } from "../support/synthRun";
import { readStackConfig, SynthResult } from "../../synth/synth";
import { readDoc } from "../support/docs";

const SSO_DEVELOPER_ROLE = "arn:aws:iam::111122223333:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Developer_0123456789abcdef";
const IAM_USER = "arn:aws:iam::111122223333:user/bob";
const SESSION_NAME_TAG = "email";
/** Another account the developer role lists (its root): its Identity Center sessions are welcome, its IAM users not. */
const OTHER_ACCOUNT_ROOT = "arn:aws:iam::777788889999:root";
const OTHER_ACCOUNT_SSO_ROLE = "arn:aws:iam::777788889999:role/aws-reserved/sso.amazonaws.com/eu-west-1/AWSReservedSSO_Developer_fedcba9876543210";
/** A role whose callers set its session tags (sts:TagSession), listed but not opted in. */
const OTHER_ROLE = "arn:aws:iam::111122223333:role/ci-runner";
/** A role of a federation whose owner guarantees its tags, opted in with developerTaggedRoleArns. */
const TAGGED_ROLE = "arn:aws:iam::111122223333:role/federation/okta-developers";
const PURE_LISTING = {
    user: IAM_USER,
    userOfOtherAccount: "arn:aws:iam::777788889999:user/alice",
    identityCenterRoles: [SSO_DEVELOPER_ROLE, OTHER_ACCOUNT_SSO_ROLE],
    otherRole: OTHER_ROLE,
    taggedRole: TAGGED_ROLE,
    sessionNameTag: SESSION_NAME_TAG,
};

/**
 * The pure functions' output for a dev stack whose developer role lists an IAM user and an SSO role, and which
 * configures port forwarding (or not).
 */
function pureFacts(requireMfa = false, portForwarding = true): StackFacts {
    const names = execNames("dev");
    const role = (name: string) => `arn:aws:iam::${TEST_CONTEXT.accountId}:role/${name}`;
    const facts = {
        ...TEST_CONTEXT,
        clusterName: names.cluster,
        taskFamily: names.taskFamily,
        containerName: names.container,
        taskRoleArn: role(names.taskRole),
        executionRoleArn: role(names.executionRole),
        kmsKeyArn: `arn:aws:kms:${TEST_CONTEXT.region}:${TEST_CONTEXT.accountId}:key/0b6a2b8e-1d55-4a0e-9f3b-4b1f8a6c2d10`,
        developerRoleArn: role(names.developerRole),
        // As prod: the README's table shows a stack that requires a reason.
        requireReason: true,
        taskCpu: 256,
        taskMemory: 512,
        portForwarding,
        sessionLogGroupName: names.sessionLogGroup,
        transcriptBucketName: `dev-ecs-exec-transcripts-${TEST_CONTEXT.accountId}`,
    };
    return {
        ...facts,
        developerPolicy: developerPolicy(TEST_CONTEXT, facts),
        keyPolicy: sessionKeyPolicy(TEST_CONTEXT, { logGroupNames: [names.sessionLogGroup, names.containerLogGroup] }),
        developerRoleTrust: developerRoleTrustPolicy(TEST_CONTEXT, {
            principalArns: [IAM_USER, SSO_DEVELOPER_ROLE, OTHER_ACCOUNT_ROOT, OTHER_ROLE, TAGGED_ROLE],
            requireMfa,
            sessionNameTag: SESSION_NAME_TAG,
            taggedRoleArns: [TAGGED_ROLE],
        }),
    };
}

/** The same facts read from `npm run synth` of a stack: the documents exactly as the program would deploy them. */
function synthFacts(result: SynthResult): StackFacts {
    const input = (type: string, name?: string) => {
        const found = result.resources.filter((r) => r.type === type && (name === undefined || r.name === name));
        assert.equal(found.length, 1, `one ${type} ${name ?? ""}`);
        return found[0].inputs as any;
    };
    const definition = input("aws:ecs/taskDefinition:TaskDefinition");
    const o = result.outputs as Record<string, string>;
    const role = result.resources.find((r) => r.type === "aws:iam/role:Role" && r.name === "exec-access-role");
    return {
        partition: o.clusterArn.split(":")[1],
        region: o.region,
        accountId: o.clusterArn.split(":")[4],
        dnsSuffix: "amazonaws.com",
        clusterName: o.clusterName,
        taskFamily: o.taskDefinitionFamily,
        containerName: o.containerName,
        taskRoleArn: definition.taskRoleArn,
        executionRoleArn: definition.executionRoleArn,
        kmsKeyArn: o.kmsKeyArn,
        developerRoleArn: o.developerRoleArn ?? undefined,
        requireReason: (result.outputs as Record<string, unknown>).requireReason,
        taskCpu: Number(definition.cpu),
        taskMemory: Number(definition.memory),
        developerPolicy: JSON.parse(input("aws:iam/policy:Policy", "exec-access-policy").policy),
        keyPolicy: JSON.parse(input("aws:kms/key:Key", "session-logging-key").policy),
        developerRoleTrust: role ? JSON.parse(role.inputs.assumeRolePolicy as string) : undefined,
        portForwarding: (result.outputs.portForwarding as unknown[]).length > 0,
        sessionLogGroupName: o.sessionLogGroupName,
        transcriptBucketName: o.transcriptBucketName,
    } as StackFacts;
}

function title(f: StackFacts, s: Scenario): string {
    const who = Object.entries(callers(f.accountId)).find(([, c]) => c.principal === s.caller.principal)![0];
    return `${who}: ${s.action} → ${s.expect}`;
}

async function check(s: Scenario | TrustScenario, decide: () => ReturnType<typeof evaluate>) {
    const result = await decide();
    assert.equal(result.decision, s.expect, `${s.row}: ${JSON.stringify(result)}`);
    for (const statement of s.allowedBy ?? []) {
        const qualified = statement.includes("/") ? statement : `developer/${statement}`;
        assert.ok(result.allowedBy.includes(qualified), `allowed by ${qualified}; got ${result.allowedBy.join(", ")}`);
    }
    if (s.expect === "ExplicitlyDenied") {
        assert.ok(result.deniedBy.some((d) => d.startsWith("developer/Deny")), `denied by the developer policy: ${result.deniedBy}`);
    }
}

/** Defines the scenario tests for facts that arrive later (a synth runs in a child process), with or without forwarding. */
function scenarioSuite(facts: () => StackFacts, portForwarding = true) {
    const template = scenarios(pureFacts(false, portForwarding));
    for (const description of Object.values(ROWS)) {
        describe(description, () => {
            template.forEach((s, i) => {
                if (s.row !== description) {
                    return;
                }
                it(title(pureFacts(false, portForwarding), s), () => {
                    const f = facts();
                    const scenario = scenarios(f)[i];
                    return check(scenario, () => evaluate(f, scenario));
                });
            });
        });
    }
}

describe("developer access, evaluated by an IAM simulator", () => {
    it("has at least 30 scenarios, every README row proved by at least one", () => {
        const all = scenarios(pureFacts());
        assert.ok(all.length >= 30, `${all.length} scenarios`);
        for (const row of Object.values(ROWS)) {
            assert.ok(all.some((s) => s.row === row), row);
        }
    });

    // Without portForwarding: the prod stack's synthesized documents, below.
    describe("on the pure function's output", () => scenarioSuite(() => pureFacts()));

    it("decides Session Manager requests alike whether or not AWS sends ssm:SessionDocumentAccessCheck with the document", async () => {
        // Only the forwarding policy reads the key; the policy without forwarding denies every session on a task outright.
        const f = pureFacts();
        for (const s of scenarios(f).filter((x) => x.targets.some((t) => t.arn.includes(":document/")))) {
            const [asRequest, withoutKey] = [await evaluate(f, s), await evaluate(f, s, "without-check-key")];
            assert.equal(withoutKey.decision, asRequest.decision, `${s.row}: ${s.targets.map((t) => t.arn).join(", ")}`);
        }
    });

    it("keeps the developer policy within IAM's 6,144 characters for a managed policy, with forwarding", () => {
        // IAM User Guide, "IAM and AWS STS quotas": managed policy size, whitespace not counted. The compact JSON has
        // none outside strings; the spaces inside (the reason's whitespace patterns) count.
        const size = JSON.stringify(pureFacts().developerPolicy).length;
        assert.ok(size <= 6144, `${size} characters`);
    });

    for (const stack of ["dev", "prod"]) {
        describe(`on npm run synth -- --stack ${stack}`, function () {
            this.timeout(30_000);
            let facts: StackFacts;
            before(async () => {
                facts = synthFacts(await synthStack(stack));
            });
            // dev configures a destination, prod none (its stack file).
            scenarioSuite(() => facts, stack === "dev");

            it("names in its container condition the container the task definition runs", async () => {
                const result = await synthStack(stack);
                const definition = result.resources.find((r) => r.type === "aws:ecs/taskDefinition:TaskDefinition")!;
                const [container] = JSON.parse(definition.inputs.containerDefinitions as string);
                const conditions = (facts.developerPolicy as any).Statement.filter((s: any) => s.Action === "ecs:ExecuteCommand").map(
                    (s: any) => s.Condition.StringEquals["ecs:container-name"],
                );
                assert.deepEqual(conditions, [container.name, container.name]);
            });

            it(`is the document of a stack ${stack === "prod" ? "that requires" : "that does not require"} a reason: its reason rows run on it`, () => {
                assert.equal(facts.requireReason, stack === "prod");
            });

            it("cannot be assumed under someone else's name: no developer role, or role sessions named by their tag", async () => {
                const result = await synthStack(stack);
                const config = readStackConfig(stack);
                const principals = (config["ecs-exec:developerPrincipalArns"] as string[] | undefined) ?? [];
                if (principals.length === 0) {
                    assert.equal(facts.developerRoleTrust, undefined, "no role, so no session name anyone chooses");
                    assert.equal(result.outputs.developerRoleArn, null);
                    return;
                }
                // An account root admits the account's users and roles: try one of each.
                const root = principals.includes(`arn:aws:iam::${facts.accountId}:root`);
                const ssoRole = principals.find((arn) => arn.includes(":role/aws-reserved/sso.amazonaws.com/")) ?? (root ? SSO_DEVELOPER_ROLE : undefined);
                for (const s of trustScenarios({
                    user: principals.find((arn) => arn.includes(":user/")) ?? (root ? IAM_USER : undefined),
                    identityCenterRoles: ssoRole ? [ssoRole] : [],
                    otherRole: root ? OTHER_ROLE : undefined,
                    sessionNameTag: config["ecs-exec:developerSessionNameTag"] as string,
                })) {
                    await check(s, () => evaluateTrust(facts, s));
                }
            });
        });
    }

    describe("assuming the developer role", () => {
        const f = pureFacts();
        for (const s of trustScenarios(PURE_LISTING)) {
            it(`${s.row} → ${s.expect}`, () => check(s, () => evaluateTrust(f, s)));
        }

        it("listing the account root still admits Identity Center's role once recreated: a new suffix, the home region in its path", async () => {
            const trust = developerRoleTrustPolicy(TEST_CONTEXT, {
                principalArns: ["arn:aws:iam::111122223333:root"],
                requireMfa: false,
                sessionNameTag: SESSION_NAME_TAG,
                taggedRoleArns: [],
            });
            const f = { ...pureFacts(), developerRoleTrust: trust };
            const identityCenterRoles = [
                SSO_DEVELOPER_ROLE,
                "arn:aws:iam::111122223333:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Developer_fedcba9876543210",
                "arn:aws:iam::111122223333:role/aws-reserved/sso.amazonaws.com/eu-west-1/AWSReservedSSO_Developer_0123456789abcdef",
            ];
            for (const s of trustScenarios({ identityCenterRoles, sessionNameTag: SESSION_NAME_TAG })) {
                await check(s, () => evaluateTrust(f, s));
            }
        });

        it("with requireMfa, refuses a session without MFA and accepts one with it", async () => {
            const mfa = pureFacts(true);
            const [sso] = trustScenarios({ identityCenterRoles: [SSO_DEVELOPER_ROLE], sessionNameTag: SESSION_NAME_TAG });
            assert.equal((await evaluateTrust(mfa, sso)).decision, "ImplicitlyDenied");
            const withMfa = { ...sso, context: { ...sso.context, "aws:MultiFactorAuthPresent": "true" } };
            assert.equal((await evaluateTrust(mfa, withMfa)).decision, "Allowed");
        });
    });

    it("matches docs/security.md's table for security reviewers, row for row", () => {
        const page = readDoc("security");
        const section = page.slice(page.indexOf("## For security reviewers"));
        /** The rows of the table whose header starts with `header`, up to the first line that is not a row. */
        const table = (header: string) => {
            const lines = section.slice(section.indexOf(header)).split("\n");
            const end = lines.findIndex((line) => !line.startsWith("|"));
            return lines
                .slice(2, end)
                .map((line) => line.split("|").map((cell) => cell.trim()))
                .map(([, what, outcome]) => `${what} → ${outcome}`);
        };
        const outcome = (expects: string[]) => (expects.every((e) => e === "Allowed") ? "Allowed" : "Denied");
        const all = scenarios(pureFacts());
        assert.deepEqual(
            table("| A developer"),
            Object.values(ROWS).map((row) => `${row} → ${outcome(all.filter((s) => s.row === row).map((s) => s.expect))}`),
        );
        const trust = trustScenarios(PURE_LISTING);
        assert.deepEqual(
            table("| Who assumes"),
            Object.values(TRUST_ROWS).map((row) => `${row} → ${outcome(trust.filter((s) => s.row === row).map((s) => s.expect))}`),
        );
    });
});
