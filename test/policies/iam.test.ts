import { strict as assert } from "assert";
import {
    actionMatches,
    conditionRestricts,
    documentAllows,
    statementAllows,
    unscopedExecGrants,
} from "../../policies/lib/iam";
import { Fields, UNKNOWN } from "../../policies/lib/values";
import { awsManagedPolicyDocument, knownAwsManagedPolicy, SNAPSHOT as snapshot, WATCHED_ACTIONS } from "../../policies/lib/managedPolicies";
import { developerPolicy } from "../../components/access";
import { TEST_CONTEXT } from "../support/pulumi";
import { DEVELOPER_POLICY_ARGS } from "./fixtures";
import { policyJson } from "./support";

const EXEC = "ecs:ExecuteCommand";
const scoped = { StringEquals: { "ecs:container-name": "shell" } };
const grant = (statement: Record<string, unknown>) => policyJson({ Effect: "Allow", Resource: "*", ...statement });

describe("IAM analysis: what grants ecs:ExecuteCommand", () => {
    it("matches action patterns case-insensitively with * and ? wildcards", () => {
        for (const pattern of ["ecs:ExecuteCommand", "ECS:executecommand", "ecs:*", "ecs:Exec*", "*", "*:ExecuteCommand", "ecs:Execute?ommand"]) {
            assert.ok(actionMatches(pattern, EXEC), pattern);
        }
        for (const pattern of ["ecs:Execute", "ecs:RunTask", "ec?:*Task", "ssm:*"]) {
            assert.ok(!actionMatches(pattern, EXEC), pattern);
        }
    });

    it("counts an Allow with NotAction as granting what it does not exclude; Deny statements grant nothing", () => {
        assert.equal(statementAllows({ Effect: "Allow", NotAction: ["iam:*"] }, EXEC), true);
        assert.equal(statementAllows({ Effect: "Allow", NotAction: ["ecs:*"] }, EXEC), false);
        assert.equal(statementAllows({ Effect: "Deny", Action: "*" }, EXEC), false);
        assert.equal(statementAllows({ Effect: "Allow", Action: ["s3:*", UNKNOWN] }, EXEC), UNKNOWN);
    });

    it("reads documents given as JSON strings or objects, one statement or many; an unknown document can't be told", () => {
        assert.equal(documentAllows({ Statement: { Effect: "Allow", Action: "ecs:*" } }, [EXEC]), true);
        assert.equal(documentAllows(grant({ Action: ["s3:GetObject"] }), [EXEC]), false);
        assert.equal(documentAllows(UNKNOWN, [EXEC]), UNKNOWN);
        assert.equal(documentAllows("not json", [EXEC]), false);
    });

    describe("a condition restricts a key only if every request must match specific values", () => {
        const cases: [string, Fields, boolean][] = [
            ["StringEquals a name", { StringEquals: { "ecs:container-name": "shell" } }, true],
            ["StringLike a pattern", { StringLike: { "ecs:container-name": ["shell-*"] } }, true],
            ["key in another case", { StringEqualsIgnoreCase: { "ECS:Container-Name": "shell" } }, true],
            ["ForAnyValue:StringEquals", { "ForAnyValue:StringEquals": { "ecs:container-name": "shell" } }, true],
            ["a bare *", { StringLike: { "ecs:container-name": "*" } }, false],
            ["only wildcards (?*)", { StringLike: { "ecs:container-name": ["shell", "?*"] } }, false],
            ["IfExists: a request without the key passes", { StringEqualsIfExists: { "ecs:container-name": "shell" } }, false],
            ["ForAllValues: true when the key is absent", { "ForAllValues:StringEquals": { "ecs:container-name": "shell" } }, false],
            ["a negative operator admits every other container", { StringNotEquals: { "ecs:container-name": "app" } }, false],
            ["another key", { StringEquals: { "ecs:cluster": "x" } }, false],
        ];
        for (const [title, condition, restricts] of cases) {
            it(`${title}: ${restricts ? "restricts" : "does not"}`, () => {
                assert.equal(conditionRestricts(condition, "ecs:container-name"), restricts);
            });
        }
    });

    it("reports grants without a container condition, through wildcards and NotAction alike", () => {
        const document = policyJson(
            { Sid: "Wide", Effect: "Allow", Action: "ecs:*", Resource: "*" },
            { Effect: "Allow", NotAction: "iam:*", Resource: "*" },
            { Sid: "Scoped", Effect: "Allow", Action: "ecs:ExecuteCommand", Resource: "*", Condition: scoped },
            { Sid: "Other", Effect: "Allow", Action: "s3:*", Resource: "*" },
        );
        assert.deepEqual(unscopedExecGrants(document, []), [
            { statement: "Wide", missingKeys: ["ecs:container-name"] },
            { statement: "#2", missingKeys: ["ecs:container-name"] },
        ]);
    });

    it("demands the configured keys on grants that reach tasks, not on grants on clusters alone", () => {
        const document = policyJson(
            { Sid: "Tasks", Effect: "Allow", Action: EXEC, Resource: "arn:aws:ecs:*:*:task/apps/*", Condition: scoped },
            { Sid: "Cluster", Effect: "Allow", Action: EXEC, Resource: "arn:aws:ecs:us-east-1:1:cluster/apps", Condition: scoped },
        );
        assert.deepEqual(unscopedExecGrants(document, ["aws:ResourceTag/Owner"]), [
            { statement: "Tasks", missingKeys: ["aws:ResourceTag/Owner"] },
        ]);
    });

    it("does not report a grant whose condition is unknown during preview", () => {
        assert.deepEqual(unscopedExecGrants({ Statement: [{ Effect: "Allow", Action: EXEC, Condition: UNKNOWN }] }, []), []);
        assert.deepEqual(unscopedExecGrants(UNKNOWN, []), []);
    });

    it("passes this program's developer policy, Owner tag required on tasks", () => {
        const document = developerPolicy(TEST_CONTEXT, DEVELOPER_POLICY_ARGS);
        assert.ok(documentAllows(JSON.stringify(document), [EXEC]));
        assert.deepEqual(unscopedExecGrants(JSON.stringify(document), ["aws:ResourceTag/Owner"]), []);
    });

    it("knows what AWS managed policies grant, by ARN in any partition and path, and can't tell for one it does not know", () => {
        assert.equal(documentAllows(awsManagedPolicyDocument("arn:aws:iam::aws:policy/AdministratorAccess"), [EXEC]), true);
        assert.equal(documentAllows(awsManagedPolicyDocument("arn:aws-cn:iam::aws:policy/AmazonECS_FullAccess"), [EXEC]), true);
        assert.equal(documentAllows(awsManagedPolicyDocument("arn:aws:iam::aws:policy/service-role/AmazonEC2ContainerServiceEventsRole"), ["ecs:RunTask"]), true);
        assert.equal(documentAllows(awsManagedPolicyDocument("arn:aws:iam::aws:policy/AWSCodeBuildAdminAccess"), ["ssm:StartSession"]), true);
        assert.equal(documentAllows(awsManagedPolicyDocument("arn:aws:iam::aws:policy/job-function/ViewOnlyAccess"), [EXEC]), false);
        assert.equal(documentAllows(awsManagedPolicyDocument("arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"), WATCHED_ACTIONS as string[]), false);
        assert.equal(awsManagedPolicyDocument("arn:aws:iam::aws:policy/AmazonECSPolicyPublishedNextYear"), UNKNOWN);
        assert.equal(awsManagedPolicyDocument("arn:aws:iam::123456789012:policy/AdministratorAccess"), undefined);
    });

    it("keeps a table of every AWS managed policy in which each excerpt grants a watched action and no policy is listed twice", () => {
        const granting = Object.entries(snapshot.grantingStatements);
        assert.ok(granting.length + snapshot.grantingNone.length > 1000, "the whole snapshot");
        for (const [name, statements] of granting) {
            assert.equal(documentAllows({ Statement: statements }, WATCHED_ACTIONS as string[]), true, name);
            assert.ok(!snapshot.grantingNone.includes(name), name);
        }
        assert.equal(new Set(snapshot.grantingNone).size, snapshot.grantingNone.length);
        assert.ok(["AmazonSSMFullAccess", "AmazonSSMManagedInstanceCore", "PowerUserAccess"].every(knownAwsManagedPolicy));
    });
});
