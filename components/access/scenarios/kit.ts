/**
 * What every group of access scenarios is made of: who calls, what they call it on, and the requests ecs-exec sends,
 * all built from the facts of one stack.
 */
import { createHash } from "crypto";
import { EXEC_TASK_TAG } from "../../config";
import type { AwsContext } from "../../iam";
import type { DeveloperPolicyArgs } from "../developerPolicy";

/** IAM's decision on a request, in the IAM simulator's words. */
export type EvaluationResult = "Allowed" | "ImplicitlyDenied" | "ExplicitlyDenied";

/** What the scenarios are built from: where the stack is, and the names and ARNs its developer policy names. */
export type ScenarioFacts = AwsContext & DeveloperPolicyArgs;

/** Everything about a deployed stack the offline proof needs. */
export interface StackFacts extends ScenarioFacts {
    /** The developer role and its trust policy; both undefined when the stack creates no role. */
    developerRoleArn?: string;
    /** The documents under test, as deployed. */
    developerPolicy: unknown;
    keyPolicy: unknown;
    developerRoleTrust?: unknown;
}

export interface Caller {
    /** The ARN IAM sees on the request. */
    principal: string;
    /** `aws:userid`: what `${aws:userid}` resolves to, and the Owner tag value of tasks this caller starts. */
    userId: string;
}

const SSO_ROLE = "AWSReservedSSO_Developer_0123456789abcdef";

export function callers(accountId: string) {
    return {
        /** A developer signed in through IAM Identity Center (an assumed-role session), as in the CloudTrail fixture. */
        alice: {
            principal: `arn:aws:sts::${accountId}:assumed-role/${SSO_ROLE}/alice@example.com`,
            userId: "AROAEXAMPLEROLEID123:alice@example.com",
        },
        /** A developer with an IAM user. */
        bob: { principal: `arn:aws:iam::${accountId}:user/bob`, userId: "AIDAEXAMPLEUSERBOB01" },
        /** A colleague of alice's, on the same SSO role. */
        carol: {
            principal: `arn:aws:sts::${accountId}:assumed-role/${SSO_ROLE}/carol@example.com`,
            userId: "AROAEXAMPLEROLEID123:carol@example.com",
        },
    };
}

/** A resource the request is authorized on, with the tags IAM reads as `aws:ResourceTag/*`. */
export interface Target {
    arn: string;
    tags?: Record<string, string>;
}

export interface Scenario {
    /** The row of docs/security.md's table this scenario proves. */
    row: string;
    caller: Caller;
    action: string;
    /** Every resource AWS authorizes the action on (ExecuteCommand: the cluster and the task). */
    targets: Target[];
    context?: Record<string, string | string[]>;
    /**
     * Evaluated against the developer policy of a stack with this `requireReason`: the stack's own document when it
     * has that setting, else the policy function's for the stack's other values (each setting is one committed
     * stack's, so each row runs on a synthesized document in one of the two stack suites).
     */
    requireReason?: boolean;
    /** Other permissions the caller has, to show an explicit deny wins over them. */
    otherPolicies?: Record<string, unknown>;
    /** The developer policy to evaluate in place of the stack's (the same function with another setting). */
    developerPolicy?: unknown;
    expect: EvaluationResult;
    /** For allowed requests: every statement that must be among those allowing it, so none passes by accident. */
    allowedBy?: string[];
}

/** The reason ecs-exec tags a task with (--reason). */
export const REASON = "INC-4711 restore the orders of 2026-03-13";

/** AdministratorAccess, as a caller might also hold: explicit denies must still hold. */
export const ADMINISTRATOR = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }] };

export const ROWS = {
    start: "Start the exec task in the exec cluster, exec enabled, tagged `Owner` = themselves",
    startUntagged: "Start the exec task without their own `Owner` tag (none, a colleague's, extra tags)",
    reason: "Start the exec task with a `Reason` tag, where the stack requires one (`requireReason`)",
    reasonMissing:
        "Start the exec task without a `Reason` tag, or with one that says too little (under 8 characters, or blank at either end), where the stack requires one",
    reasonOptional: "Start the exec task without a `Reason` tag, where the stack does not require one",
    size: "Start the exec task at the stack's size: no size in the request, or its own cpu and memory",
    sizeLarger: "Start the exec task with more cpu or more memory than the stack's",
    startElsewhere: "Start the exec task without exec enabled, or in another cluster",
    startOther: "Start any other task definition with exec enabled, even holding broader permissions",
    startSibling: "Start another environment's exec task, holding that environment's policy too",
    startSiblingAlone: "Start another environment's exec task without that environment's policy",
    retag: "Tag a task outside its launch (to take it over)",
    exec: "Open a shell in the exec container of their own exec task",
    execOther: "Exec into the application's container, a colleague's task, an untagged task, or another cluster",
    see: "List and describe tasks of the exec cluster",
    seeOther: "List or describe tasks of another cluster",
    stop: "Stop their own exec task",
    stopOther: "Stop a colleague's task, or a task of another cluster",
    sessions:
        "See the account's active Session Manager sessions in the region (who, on which target; `ecs-exec` leaves a task another session uses running)",
    transcriptsArrive: "See which transcripts the session log group and the transcripts' bucket hold (stream names and keys, not their content)",
    pass: "Pass the exec task role and execution role to ECS",
    passOther: "Pass any other role, or pass the exec roles to another service",
    kms: "Encrypt their session with the cluster's KMS key",
    kmsOther: "Decrypt with the session key, or use another key",
    forward: "Forward a port through their own exec task with the port-forwarding document, and end their own sessions (with `portForwarding`)",
    forwardOther: "Forward through a colleague's task, an untagged one or another cluster's, or without the document check; end a colleague's session",
    forwardDisabled: "Forward a port in a stack whose `portForwarding` is empty",
    ssm: "Open a Session Manager session straight to a task (unlogged), even holding broader permissions",
    otherDocuments: "Name any other Session Manager document, on any target (an EC2 instance too), even holding broader permissions (with `portForwarding`)",
    defaultShellElsewhere: "Open the default shell on an EC2 instance, no document named, with permissions of their own for it",
    services: "Create or update a service, or start a task on an instance, with exec enabled",
    rest: "Register task definitions, change tags, read session transcripts or their copies, list another log group's streams or the bucket's other keys",
} as const;

/** A cluster other than the stack's. */
export const OTHER_CLUSTER = "payments";

/** An ECS resource of the stack's account and region: `cluster/...`, `task/...`, `task-definition/...`. */
export function ecsArn(f: ScenarioFacts, resource: string): string {
    return `arn:${f.partition}:ecs:${f.region}:${f.accountId}:${resource}`;
}

export function clusterArnOf(f: ScenarioFacts, cluster = f.clusterName): string {
    return ecsArn(f, `cluster/${cluster}`);
}

/** The tag that makes a task definition an exec task definition. */
export const EXEC_TASK_TAGS = { [EXEC_TASK_TAG.key]: EXEC_TASK_TAG.value };

/** A revision of the stack's exec task definition. */
export function execDefinition(f: ScenarioFacts): Target {
    return { arn: ecsArn(f, `task-definition/${f.taskFamily}:3`), tags: EXEC_TASK_TAGS };
}

/** The application's own task definition. */
export function appDefinition(f: ScenarioFacts): Target {
    return { arn: ecsArn(f, "task-definition/orders-api:42") };
}

/** A task of `cluster` tagged as `owner`'s (untagged without one), with an id of its own. */
export function task(f: ScenarioFacts, owner?: Caller, cluster = f.clusterName): Target {
    return {
        arn: ecsArn(f, `task/${cluster}/${createHash("sha256").update(owner?.userId ?? "untagged").digest("hex").slice(0, 32)}`),
        tags: owner ? { Owner: owner.userId } : {},
    };
}

/** A RunTask as ecs-exec sends it: tagged Owner and Reason (no tags at all without an owner). */
export function runContext(f: ScenarioFacts, owner: Caller | undefined, overrides: Record<string, string | string[]> = {}) {
    return {
        "ecs:cluster": clusterArnOf(f),
        "ecs:enable-execute-command": "true",
        ...(owner ? { "aws:RequestTag/Owner": owner.userId, "aws:RequestTag/Reason": REASON, "aws:TagKeys": ["Owner", "Reason"] } : {}),
        ...overrides,
    };
}

/** The same without a Reason tag. */
export function withoutReason(f: ScenarioFacts, owner: Caller) {
    const { "aws:RequestTag/Reason": _reason, ...context } = runContext(f, owner, { "aws:TagKeys": ["Owner"] });
    return context;
}

/** RunTask of the exec task definition. */
export function start(f: ScenarioFacts, row: string, caller: Caller, context: Record<string, string | string[]>, expect: EvaluationResult): Scenario {
    return {
        row,
        caller,
        action: "ecs:RunTask",
        targets: [execDefinition(f)],
        context,
        expect,
        ...(expect === "Allowed" ? { allowedBy: ["StartOwnExecTask"] } : {}),
    };
}

/** A task size in RunTask's condition keys. */
export function size(cpu: number, memory: number) {
    return { "ecs:task-cpu": String(cpu), "ecs:task-memory": String(memory) };
}

/** ExecuteCommand into `container` of `target`, through `cluster`: denied unless a scenario says otherwise. */
export function exec(f: ScenarioFacts, caller: Caller, target: Target, container = f.containerName, cluster = clusterArnOf(f)): Scenario {
    return {
        row: ROWS.execOther,
        caller,
        action: "ecs:ExecuteCommand",
        targets: [{ arn: cluster }, target],
        context: { "ecs:container-name": container },
        expect: "ImplicitlyDenied",
    };
}

/** A Session Manager document: AWS's (no account in its ARN), or one of `owner`'s account. */
export function document(f: ScenarioFacts, name: string, owner = ""): Target {
    return { arn: `arn:${f.partition}:ssm:${f.region}:${owner}:document/${name}` };
}

/** The request of a session whose document IAM checks. */
export const CHECKED = { "ssm:SessionDocumentAccessCheck": "true" };

/** StartSession: authorized on its target and, when the document is checked, on the document. */
export function startSession(row: string, caller: Caller, targets: Target[], expect: EvaluationResult, context: Record<string, string> = CHECKED): Scenario {
    return {
        row,
        caller,
        action: "ssm:StartSession",
        targets,
        context,
        expect,
    };
}

/** TerminateSession on a session `owner` started: Session Manager tags it with their aws:userid. */
export function terminate(f: ScenarioFacts, row: string, caller: Caller, owner: Caller, expect: EvaluationResult): Scenario {
    const sessionArn = `arn:${f.partition}:ssm:${f.region}:${f.accountId}:session/${owner.userId.split(":").pop()}-0a1b2c3d4e5f6a7b8`;
    return {
        row,
        caller,
        action: "ssm:TerminateSession",
        targets: [{ arn: sessionArn }],
        context: { "ssm:resourceTag/aws:ssmmessages:session-id": owner.userId },
        expect,
    };
}

/** An EC2 instance of the account. */
export function instance(f: ScenarioFacts): Target {
    return { arn: `arn:${f.partition}:ec2:${f.region}:${f.accountId}:instance/i-0123456789abcdef0` };
}
