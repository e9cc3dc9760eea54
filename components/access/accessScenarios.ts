/**
 * What a developer may and may not do with the developer policy, as requests IAM would evaluate. The README's
 * table for security reviewers lists the same rows; a test keeps the two equal. The tests evaluate them offline
 * (test/access/evaluate.ts), `ecs-exec doctor` in the user's account (iam:SimulatePrincipalPolicy).
 */
import { createHash } from "crypto";
import { EXEC_TASK_TAG, execNames, FORWARDING_DOCUMENT, transcriptKey } from "../config";
import { arns, AwsContext, SSM_MESSAGES_ACTIONS } from "../iam";
import { developerPolicy, DeveloperPolicyArgs } from "./developerPolicy";

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
interface Target {
    arn: string;
    tags?: Record<string, string>;
}

export interface Scenario {
    /** The README row this scenario proves. */
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
const REASON = "INC-4711 restore the orders of 2026-03-13";

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

export function scenarios(f: ScenarioFacts): Scenario[] {
    const { alice, bob, carol } = callers(f.accountId);
    const ecs = (resource: string) => `arn:${f.partition}:ecs:${f.region}:${f.accountId}:${resource}`;
    const clusterArn = ecs(`cluster/${f.clusterName}`);
    const otherCluster = "payments";
    const execTaskTag = { [EXEC_TASK_TAG.key]: EXEC_TASK_TAG.value };
    const definition: Target = { arn: ecs(`task-definition/${f.taskFamily}:3`), tags: execTaskTag };
    const appDefinition: Target = { arn: ecs("task-definition/orders-api:42") };
    // A sibling environment deployed by the same program: its policy comes from the same function.
    const qa = execNames("qa");
    const qaDefinition: Target = { arn: ecs(`task-definition/${qa.taskFamily}:1`), tags: execTaskTag };
    const qaPolicy = developerPolicy(f, {
        clusterName: qa.cluster,
        taskFamily: qa.taskFamily,
        containerName: qa.container,
        taskRoleArn: `arn:${f.partition}:iam::${f.accountId}:role/${qa.taskRole}`,
        executionRoleArn: `arn:${f.partition}:iam::${f.accountId}:role/${qa.executionRole}`,
        kmsKeyArn: `arn:${f.partition}:kms:${f.region}:${f.accountId}:key/22222222-3333-4444-8555-666666666666`,
        requireReason: false,
        taskCpu: 1024,
        taskMemory: 2048,
        sessionLogGroupName: qa.sessionLogGroup,
    });
    const task = (owner?: Caller, cluster = f.clusterName): Target => ({
        arn: ecs(`task/${cluster}/${createHash("sha256").update(owner?.userId ?? "untagged").digest("hex").slice(0, 32)}`),
        tags: owner ? { Owner: owner.userId } : {},
    });
    const aliceTask = task(alice);
    /** A RunTask as ecs-exec sends it: tagged Owner and Reason (no tags at all without an owner). */
    const runContext = (owner: Caller | undefined, overrides: Record<string, string | string[]> = {}) => ({
        "ecs:cluster": clusterArn,
        "ecs:enable-execute-command": "true",
        ...(owner ? { "aws:RequestTag/Owner": owner.userId, "aws:RequestTag/Reason": REASON, "aws:TagKeys": ["Owner", "Reason"] } : {}),
        ...overrides,
    });
    /** The same without a Reason tag. */
    const withoutReason = (owner: Caller) => {
        const { "aws:RequestTag/Reason": _reason, ...context } = runContext(owner, { "aws:TagKeys": ["Owner"] });
        return context;
    };
    const start = (row: string, caller: Caller, context: Record<string, string | string[]>, expect: EvaluationResult): Scenario => ({
        row,
        caller,
        action: "ecs:RunTask",
        targets: [definition],
        context,
        expect,
        ...(expect === "Allowed" ? { allowedBy: ["StartOwnExecTask"] } : {}),
    });
    const size = (cpu: number, memory: number) => ({ "ecs:task-cpu": String(cpu), "ecs:task-memory": String(memory) });
    const exec = (caller: Caller, target: Target, container = f.containerName, cluster = clusterArn): Scenario => ({
        row: ROWS.execOther,
        caller,
        action: "ecs:ExecuteCommand",
        targets: [{ arn: cluster }, target],
        context: { "ecs:container-name": container },
        expect: "ImplicitlyDenied",
    });
    const role = (name: string) => `arn:${f.partition}:iam::${f.accountId}:role/${name}`;
    // Session Manager: StartSession is authorized on its target and, when the document is checked, on the document.
    const forwarding = f.portForwarding === true;
    const document = (name: string, owner = ""): Target => ({ arn: `arn:${f.partition}:ssm:${f.region}:${owner}:document/${name}` });
    const forwardingDocument = document(FORWARDING_DOCUMENT);
    const checked = { "ssm:SessionDocumentAccessCheck": "true" };
    const startSession = (row: string, caller: Caller, targets: Target[], expect: EvaluationResult, context: Record<string, string> = checked): Scenario => ({
        row,
        caller,
        action: "ssm:StartSession",
        targets,
        context,
        expect,
    });
    const sessionArn = (caller: Caller) => `arn:${f.partition}:ssm:${f.region}:${f.accountId}:session/${caller.userId.split(":").pop()}-0a1b2c3d4e5f6a7b8`;
    /** TerminateSession on a session `owner` started: Session Manager tags it with their aws:userid. */
    const terminate = (row: string, caller: Caller, owner: Caller, expect: EvaluationResult): Scenario => ({
        row,
        caller,
        action: "ssm:TerminateSession",
        targets: [{ arn: sessionArn(owner) }],
        context: { "ssm:resourceTag/aws:ssmmessages:session-id": owner.userId },
        expect,
    });
    const withoutForwarding = developerPolicy(f, { ...f, portForwarding: false });
    const instance: Target = { arn: `arn:${f.partition}:ec2:${f.region}:${f.accountId}:instance/i-0123456789abcdef0` };

    return [
        // Start
        {
            row: ROWS.start,
            caller: alice,
            action: "ecs:RunTask",
            targets: [definition],
            context: runContext(alice),
            expect: "Allowed",
            allowedBy: ["StartOwnExecTask"],
        },
        {
            row: ROWS.start,
            caller: bob,
            action: "ecs:RunTask",
            targets: [definition],
            context: runContext(bob),
            expect: "Allowed",
            allowedBy: ["StartOwnExecTask"],
        },
        {
            row: ROWS.startUntagged,
            caller: alice,
            action: "ecs:RunTask",
            targets: [definition],
            context: runContext(undefined),
            expect: "ImplicitlyDenied",
        },
        {
            row: ROWS.startUntagged,
            caller: alice,
            action: "ecs:RunTask",
            targets: [definition],
            context: runContext(carol),
            expect: "ImplicitlyDenied",
        },
        {
            row: ROWS.startUntagged,
            caller: alice,
            action: "ecs:RunTask",
            targets: [definition],
            context: runContext(alice, { "aws:TagKeys": ["Owner", "CostCenter"] }),
            expect: "ImplicitlyDenied",
        },
        start(ROWS.startUntagged, alice, runContext(alice, { "aws:TagKeys": ["Owner", "Reason", "CostCenter"], "aws:RequestTag/CostCenter": "4711" }), "ImplicitlyDenied"),
        // A reason where the stack requires one
        { ...start(ROWS.reason, alice, runContext(alice), "Allowed"), requireReason: true },
        { ...start(ROWS.reason, bob, runContext(bob), "Allowed"), requireReason: true },
        { ...start(ROWS.reasonMissing, alice, withoutReason(alice), "ImplicitlyDenied"), requireReason: true },
        // Exactly the shortest reason, with spaces and letters IAM counts as one character each.
        { ...start(ROWS.reason, alice, runContext(alice, { "aws:RequestTag/Reason": "INC-4 äö" }), "Allowed"), requireReason: true },
        ...["", "INC-42", "INC-4 ä", " INC-4711 restore", "INC-4711 restore ", "INC-4711 restore\u00a0", "\u3000INC-4711 restore"].map(
            (reason): Scenario => ({
                ...start(ROWS.reasonMissing, alice, runContext(alice, { "aws:RequestTag/Reason": reason }), "ImplicitlyDenied"),
                requireReason: true,
            }),
        ),
        { ...start(ROWS.reasonOptional, alice, withoutReason(alice), "Allowed"), requireReason: false },
        { ...start(ROWS.reasonOptional, bob, runContext(bob), "Allowed"), requireReason: false },
        // Size: ecs:task-cpu and ecs:task-memory are in the request only when it sets a size
        start(ROWS.size, alice, runContext(alice, size(f.taskCpu, f.taskMemory)), "Allowed"),
        start(ROWS.size, bob, runContext(bob, { "ecs:task-memory": String(f.taskMemory) }), "Allowed"),
        start(ROWS.sizeLarger, alice, runContext(alice, size(f.taskCpu * 2, f.taskMemory)), "ImplicitlyDenied"),
        start(ROWS.sizeLarger, alice, runContext(alice, size(f.taskCpu, f.taskMemory * 2)), "ImplicitlyDenied"),
        start(ROWS.sizeLarger, bob, runContext(bob, { "ecs:task-cpu": String(f.taskCpu * 4) }), "ImplicitlyDenied"),
        {
            row: ROWS.startElsewhere,
            caller: alice,
            action: "ecs:RunTask",
            targets: [definition],
            context: runContext(alice, { "ecs:enable-execute-command": "false" }),
            expect: "ImplicitlyDenied",
        },
        {
            row: ROWS.startElsewhere,
            caller: alice,
            action: "ecs:RunTask",
            targets: [definition],
            context: runContext(alice, { "ecs:cluster": ecs(`cluster/${otherCluster}`) }),
            expect: "ImplicitlyDenied",
        },
        {
            row: ROWS.startOther,
            caller: alice,
            action: "ecs:RunTask",
            targets: [appDefinition],
            context: runContext(alice),
            expect: "ExplicitlyDenied",
        },
        {
            row: ROWS.startOther,
            caller: bob,
            action: "ecs:RunTask",
            targets: [appDefinition],
            context: runContext(bob),
            otherPolicies: { AdministratorAccess: ADMINISTRATOR },
            expect: "ExplicitlyDenied",
        },
        {
            row: ROWS.startSibling,
            caller: alice,
            action: "ecs:RunTask",
            targets: [qaDefinition],
            context: runContext(alice, { "ecs:cluster": ecs(`cluster/${qa.cluster}`) }),
            otherPolicies: { qa: qaPolicy },
            expect: "Allowed",
            allowedBy: ["qa/StartOwnExecTask"],
        },
        {
            row: ROWS.startSiblingAlone,
            caller: alice,
            action: "ecs:RunTask",
            targets: [qaDefinition],
            context: runContext(alice, { "ecs:cluster": ecs(`cluster/${qa.cluster}`) }),
            expect: "ImplicitlyDenied",
        },
        {
            row: ROWS.retag,
            caller: alice,
            action: "ecs:TagResource",
            targets: [aliceTask],
            context: { "aws:RequestTag/Owner": alice.userId, "aws:TagKeys": ["Owner"] },
            expect: "ImplicitlyDenied",
        },
        {
            row: ROWS.start,
            caller: alice,
            action: "ecs:TagResource",
            targets: [{ arn: aliceTask.arn }],
            context: {
                "ecs:CreateAction": "RunTask",
                "aws:RequestTag/Owner": alice.userId,
                "aws:RequestTag/Reason": REASON,
                "aws:TagKeys": ["Owner", "Reason"],
            },
            expect: "Allowed",
            allowedBy: ["TagOwnTaskAtLaunch"],
        },
        {
            row: ROWS.startUntagged,
            caller: alice,
            action: "ecs:TagResource",
            targets: [{ arn: aliceTask.arn }],
            context: {
                "ecs:CreateAction": "RunTask",
                "aws:RequestTag/Owner": alice.userId,
                "aws:RequestTag/CostCenter": "4711",
                "aws:TagKeys": ["Owner", "CostCenter"],
            },
            expect: "ImplicitlyDenied",
        },
        {
            row: ROWS.startUntagged,
            caller: alice,
            action: "ecs:TagResource",
            targets: [{ arn: aliceTask.arn }],
            context: { "ecs:CreateAction": "RunTask", "aws:RequestTag/Owner": carol.userId, "aws:TagKeys": ["Owner"] },
            expect: "ImplicitlyDenied",
        },
        // Exec
        {
            ...exec(alice, aliceTask),
            row: ROWS.exec,
            expect: "Allowed",
            allowedBy: ["ExecThroughExecCluster", "ExecIntoOwnExecContainer"],
        },
        {
            ...exec(bob, task(bob)),
            row: ROWS.exec,
            expect: "Allowed",
            allowedBy: ["ExecThroughExecCluster", "ExecIntoOwnExecContainer"],
        },
        exec(alice, aliceTask, "orders-api"),
        exec(alice, task(carol)),
        exec(bob, task(alice)),
        exec(alice, task(undefined)),
        exec(alice, task(alice, otherCluster), f.containerName, ecs(`cluster/${otherCluster}`)),
        // See
        {
            row: ROWS.see,
            caller: alice,
            action: "ecs:DescribeTasks",
            targets: [task(carol)],
            expect: "Allowed",
            allowedBy: ["SeeExecTasks"],
        },
        {
            row: ROWS.see,
            caller: bob,
            action: "ecs:ListTasks",
            targets: [{ arn: ecs(`container-instance/${f.clusterName}/0123456789abcdef`) }],
            context: { "ecs:cluster": clusterArn },
            expect: "Allowed",
            allowedBy: ["ListExecTasks"],
        },
        {
            row: ROWS.seeOther,
            caller: alice,
            action: "ecs:DescribeTasks",
            targets: [task(alice, otherCluster)],
            expect: "ImplicitlyDenied",
        },
        {
            row: ROWS.seeOther,
            caller: alice,
            action: "ecs:ListTasks",
            targets: [{ arn: ecs(`container-instance/${otherCluster}/0123456789abcdef`) }],
            context: { "ecs:cluster": ecs(`cluster/${otherCluster}`) },
            expect: "ImplicitlyDenied",
        },
        // Stop
        {
            row: ROWS.stop,
            caller: alice,
            action: "ecs:StopTask",
            targets: [aliceTask],
            expect: "Allowed",
            allowedBy: ["StopOwnTasks"],
        },
        { row: ROWS.stopOther, caller: alice, action: "ecs:StopTask", targets: [task(carol)], expect: "ImplicitlyDenied" },
        {
            row: ROWS.stopOther,
            caller: alice,
            action: "ecs:StopTask",
            targets: [task(alice, otherCluster)],
            expect: "ImplicitlyDenied",
        },
        // What ecs-exec looks at before it stops a task: other sessions on it, and the transcript of its own
        {
            row: ROWS.sessions,
            caller: bob,
            action: "ssm:DescribeSessions",
            targets: [{ arn: "*" }],
            expect: "Allowed",
            allowedBy: ["SeeActiveSessions"],
        },
        ...[alice, bob].map(
            (caller): Scenario => ({
                row: ROWS.transcriptsArrive,
                caller,
                action: "logs:DescribeLogStreams",
                targets: [{ arn: arns.logGroup(f, f.sessionLogGroupName) }],
                expect: "Allowed",
                allowedBy: ["SeeTranscriptsArrive"],
            }),
        ),
        ...(f.transcriptBucketName
            ? [
                  {
                      row: ROWS.transcriptsArrive,
                      caller: alice,
                      action: "s3:ListBucket",
                      targets: [{ arn: arns.bucket(f, f.transcriptBucketName) }],
                      context: { "s3:prefix": transcriptKey("ecs-execute-command-0a1b2c3d4e5f6a7b8") },
                      expect: "Allowed" as const,
                      allowedBy: ["SeeTranscriptCopiesArrive"],
                  },
                  {
                      row: ROWS.rest,
                      caller: alice,
                      action: "s3:GetObject",
                      targets: [{ arn: `${arns.bucket(f, f.transcriptBucketName)}/${transcriptKey("ecs-execute-command-0a1b2c3d4e5f6a7b8")}` }],
                      expect: "ImplicitlyDenied" as const,
                  },
                  {
                      row: ROWS.rest,
                      caller: bob,
                      action: "s3:ListBucket",
                      targets: [{ arn: arns.bucket(f, f.transcriptBucketName) }],
                      context: { "s3:prefix": "" },
                      expect: "ImplicitlyDenied" as const,
                  },
              ]
            : []),
        // Roles
        ...[f.taskRoleArn, f.executionRoleArn].map(
            (arn): Scenario => ({
                row: ROWS.pass,
                caller: alice,
                action: "iam:PassRole",
                targets: [{ arn }],
                context: { "iam:PassedToService": "ecs-tasks.amazonaws.com" },
                expect: "Allowed",
                allowedBy: ["PassExecRolesToEcs"],
            }),
        ),
        {
            row: ROWS.passOther,
            caller: alice,
            action: "iam:PassRole",
            targets: [{ arn: f.taskRoleArn }],
            context: { "iam:PassedToService": "ec2.amazonaws.com" },
            expect: "ImplicitlyDenied",
        },
        {
            row: ROWS.passOther,
            caller: bob,
            action: "iam:PassRole",
            targets: [{ arn: role("orders-api-task") }],
            context: { "iam:PassedToService": "ecs-tasks.amazonaws.com" },
            expect: "ImplicitlyDenied",
        },
        // KMS
        {
            row: ROWS.kms,
            caller: alice,
            action: "kms:GenerateDataKey",
            targets: [{ arn: f.kmsKeyArn }],
            expect: "Allowed",
            allowedBy: ["EncryptSessionsWithExecKey"],
        },
        { row: ROWS.kmsOther, caller: alice, action: "kms:Decrypt", targets: [{ arn: f.kmsKeyArn }], expect: "ImplicitlyDenied" },
        {
            row: ROWS.kmsOther,
            caller: bob,
            action: "kms:GenerateDataKey",
            targets: [{ arn: `arn:${f.partition}:kms:${f.region}:${f.accountId}:key/11111111-2222-4333-8444-555555555555` }],
            expect: "ImplicitlyDenied",
        },
        // Port forwarding: allowed with portForwarding, denied outright without.
        ...[alice, bob].map(
            (caller): Scenario => ({
                ...startSession(ROWS.forward, caller, [task(caller), forwardingDocument], forwarding ? "Allowed" : "ExplicitlyDenied"),
                allowedBy: forwarding ? ["ForwardThroughOwnExecTask", "UsePortForwardingDocument"] : undefined,
            }),
        ),
        ...[alice, bob].map(
            (caller): Scenario => ({
                ...terminate(ROWS.forward, caller, caller, forwarding ? "Allowed" : "ImplicitlyDenied"),
                allowedBy: forwarding ? ["EndOwnSessions"] : undefined,
            }),
        ),
        // Not granted with portForwarding; denied outright without it.
        ...[
            [alice, task(carol)],
            [bob, task(alice)],
            [alice, task(undefined)],
            [alice, task(alice, otherCluster)],
        ].map(([caller, target]) =>
            startSession(ROWS.forwardOther, caller as Caller, [target as Target, forwardingDocument], forwarding ? "ImplicitlyDenied" : "ExplicitlyDenied"),
        ),
        startSession(ROWS.forwardOther, alice, [aliceTask, forwardingDocument], "ExplicitlyDenied", { "ssm:SessionDocumentAccessCheck": "false" }),
        startSession(ROWS.forwardOther, alice, [aliceTask, forwardingDocument], "ExplicitlyDenied", {}),
        terminate(ROWS.forwardOther, alice, carol, "ImplicitlyDenied"),
        terminate(ROWS.forwardOther, bob, alice, "ImplicitlyDenied"),
        { ...startSession(ROWS.forwardDisabled, alice, [aliceTask, forwardingDocument], "ExplicitlyDenied"), developerPolicy: withoutForwarding },
        { ...terminate(ROWS.forwardDisabled, alice, alice, "ImplicitlyDenied"), developerPolicy: withoutForwarding },
        // Explicit denies
        {
            row: ROWS.ssm,
            caller: alice,
            action: "ssm:StartSession",
            targets: [aliceTask],
            otherPolicies: { AdministratorAccess: ADMINISTRATOR },
            expect: "ExplicitlyDenied",
        },
        ...(
            [
                // The default shell, its document unchecked.
                [alice, [aliceTask], { "ssm:SessionDocumentAccessCheck": "false" }],
                // Shells named: the account's default document, AWS's interactive command; the container's own port; a
                // Session document of the account's own.
                [alice, [aliceTask, document("SSM-SessionManagerRunShell", f.accountId)], checked],
                [alice, [aliceTask, document("AWS-StartInteractiveCommand")], checked],
                [bob, [task(bob), document("AWS-StartPortForwardingSession")], checked],
                [bob, [task(carol), document("ShellAsRoot", f.accountId)], checked],
            ] as const
        ).map(
            ([caller, targets, context]): Scenario => ({
                ...startSession(ROWS.ssm, caller, [...targets], "ExplicitlyDenied", context),
                otherPolicies: { AdministratorAccess: ADMINISTRATOR },
            }),
        ),
        ...["AWS-StartSSHSession", "AWS-StartPortForwardingSession"].map(
            (name): Scenario => ({
                ...startSession(ROWS.otherDocuments, bob, [instance, document(name)], forwarding ? "ExplicitlyDenied" : "Allowed"),
                otherPolicies: { AdministratorAccess: ADMINISTRATOR },
            }),
        ),
        {
            ...startSession(ROWS.defaultShellElsewhere, bob, [instance], "Allowed", { "ssm:SessionDocumentAccessCheck": "false" }),
            otherPolicies: { AdministratorAccess: ADMINISTRATOR },
            allowedBy: ["AdministratorAccess/#1"],
        },
        ...(["ecs:CreateService", "ecs:UpdateService"] as const).map(
            (action): Scenario => ({
                row: ROWS.services,
                caller: bob,
                action,
                targets: [{ arn: ecs(`service/${f.clusterName}/orders-api`) }],
                context: { "ecs:enable-execute-command": "true" },
                otherPolicies: { AdministratorAccess: ADMINISTRATOR },
                expect: "ExplicitlyDenied",
            }),
        ),
        {
            row: ROWS.services,
            caller: alice,
            action: "ecs:StartTask",
            targets: [appDefinition],
            context: { "ecs:cluster": clusterArn, "ecs:enable-execute-command": "true" },
            otherPolicies: { AdministratorAccess: ADMINISTRATOR },
            expect: "ExplicitlyDenied",
        },
        // Everything else
        {
            row: ROWS.rest,
            caller: alice,
            action: "ecs:RegisterTaskDefinition",
            targets: [{ arn: ecs(`task-definition/${f.taskFamily}:4`) }],
            expect: "ImplicitlyDenied",
        },
        { row: ROWS.rest, caller: alice, action: "ecs:UntagResource", targets: [task(carol)], expect: "ImplicitlyDenied" },
        {
            row: ROWS.rest,
            caller: alice,
            action: "logs:DescribeLogStreams",
            targets: [{ arn: arns.logGroup(f, "/aws/lambda/orders-api") }],
            expect: "ImplicitlyDenied",
        },
        {
            row: ROWS.rest,
            caller: bob,
            action: "logs:GetLogEvents",
            targets: [{ arn: `arn:${f.partition}:logs:${f.region}:${f.accountId}:log-group:/ecs-exec/x/sessions:log-stream:ecs-execute-command-1` }],
            expect: "ImplicitlyDenied",
        },
    ];
}

export interface TrustScenario {
    row: string;
    /** Who calls sts:AssumeRole, and with what. */
    principal: string;
    context: Record<string, string | string[]>;
    expect: EvaluationResult;
    allowedBy?: string[];
}

export const TRUST_ROWS = {
    user: "An IAM user of the stack's account, under their own user name",
    userOtherName: "An IAM user, under another user's name (to pose as a colleague)",
    userOtherAccount: "An IAM user of another listed account, under their own name (`alice` there is not `alice` here)",
    userNamedLikeSession: "An IAM user named like an e-mail address (`bob@example.com`, the name of Bob's Identity Center session)",
    session: "An IAM Identity Center session of a listed account, under the name its `developerSessionNameTag` tag holds (an e-mail address)",
    sessionOtherName: "A role session under another name than its tag's: Bob's session asking for alice@example.com",
    sessionUntagged: "An Identity Center session without that tag, or whose tag holds no `@` (it could be an IAM user's name)",
    otherRole: "Another role's session under the name its tag holds (a tag its caller set with `sts:TagSession`, or on a role they can tag)",
    taggedRole: "A session of a role listed in `developerTaggedRoleArns`, under the name its tag holds",
    stranger: "A principal not listed in developerPrincipalArns",
} as const;

export interface TrustListing {
    /** An IAM user of the stack's account that developerPrincipalArns admits (listed, or of a listed account root). */
    user?: string;
    /** An IAM user of another account whose root developerPrincipalArns lists. */
    userOfOtherAccount?: string;
    /** IAM Identity Center roles that developerPrincipalArns admits: their sessions assume. */
    identityCenterRoles?: string[];
    /** A role of another kind that developerPrincipalArns admits, not in developerTaggedRoleArns. */
    otherRole?: string;
    /** A role listed in developerTaggedRoleArns. */
    taggedRole?: string;
    /** The stack's developerSessionNameTag. */
    sessionNameTag?: string;
}

/** What STS knows of the caller of AssumeRole (IAM User Guide, "AWS global condition context keys"). */
function callerContext(principalArn: string, tags: Record<string, string> = {}): Record<string, string> {
    const [, , , , account, resource] = principalArn.split(":");
    const user = /^user\/(?:.*\/)?([^/]+)$/.exec(resource)?.[1];
    return {
        "aws:PrincipalArn": principalArn,
        "aws:PrincipalAccount": account,
        ...(user ? { "aws:username": user } : {}),
        ...Object.fromEntries(Object.entries(tags).map(([key, value]) => [`aws:PrincipalTag/${key}`, value])),
    };
}

/** A role's session, as the ARN IAM sees on its requests. */
function sessionOf(roleArn: string, sessionName: string): string {
    const [, partition, , , account, resource] = roleArn.split(":");
    return `arn:${partition}:sts::${account}:assumed-role/${resource.split("/").pop()}/${sessionName}`;
}

/**
 * Assuming the developer role, for the principals a stack admits. Each caller also holds an identity policy that
 * allows it, as a permission set would: a trust policy that names an account root leaves the grant to the account.
 */
export function trustScenarios(listed: TrustListing): TrustScenario[] {
    const found: TrustScenario[] = [];
    const assume = (row: string, principalArn: string, caller: string, sessionName: string, tags: Record<string, string>, expect: EvaluationResult, allowedBy?: string) => {
        found.push({
            row,
            principal: caller,
            context: { ...callerContext(principalArn, tags), "sts:RoleSessionName": sessionName },
            expect,
            ...(allowedBy ? { allowedBy: [`resource/${allowedBy}`] } : {}),
        });
    };
    const asUser = (row: string, userArn: string, sessionName: string, expect: EvaluationResult, allowedBy?: string) =>
        assume(row, userArn, userArn, sessionName, {}, expect, allowedBy);
    const asRole = (row: string, roleArn: string, sessionName: string, tag: string | undefined, expect: EvaluationResult, allowedBy?: string) =>
        assume(row, roleArn, sessionOf(roleArn, "bob@example.com"), sessionName, tag !== undefined && listed.sessionNameTag ? { [listed.sessionNameTag]: tag } : {}, expect, allowedBy);

    if (listed.user) {
        const name = listed.user.split("/").pop()!;
        asUser(TRUST_ROWS.user, listed.user, name, "Allowed", "IamUsersOfThisAccountUnderTheirOwnName");
        asUser(TRUST_ROWS.userOtherName, listed.user, "carol", "ImplicitlyDenied");
        // IAM allows @ in a user name: such a user could take a colleague's Identity Center name.
        asUser(TRUST_ROWS.userNamedLikeSession, listed.user.replace(/[^/]+$/, "bob@example.com"), "bob@example.com", "ImplicitlyDenied");
    }
    if (listed.userOfOtherAccount) {
        asUser(TRUST_ROWS.userOtherAccount, listed.userOfOtherAccount, listed.userOfOtherAccount.split("/").pop()!, "ImplicitlyDenied");
    }
    for (const role of listed.identityCenterRoles ?? []) {
        asRole(TRUST_ROWS.session, role, "bob@example.com", "bob@example.com", "Allowed", "IdentityCenterSessionsUnderTheirTaggedName");
        asRole(TRUST_ROWS.sessionOtherName, role, "alice@example.com", "bob@example.com", "ImplicitlyDenied");
        asRole(TRUST_ROWS.sessionUntagged, role, "bob@example.com", undefined, "ImplicitlyDenied");
        asRole(TRUST_ROWS.sessionUntagged, role, "bob", "bob", "ImplicitlyDenied");
    }
    if (listed.otherRole) {
        asRole(TRUST_ROWS.otherRole, listed.otherRole, "alice@example.com", "alice@example.com", "ImplicitlyDenied");
    }
    if (listed.taggedRole) {
        asRole(TRUST_ROWS.taggedRole, listed.taggedRole, "bob@example.com", "bob@example.com", "Allowed", "ListedRoleSessionsUnderTheirTaggedName");
        asRole(TRUST_ROWS.sessionOtherName, listed.taggedRole, "alice@example.com", "bob@example.com", "ImplicitlyDenied");
    }
    asUser(TRUST_ROWS.stranger, "arn:aws:iam::444455556666:user/mallory", "mallory", "ImplicitlyDenied");
    return found;
}

/** A request the exec container's SSM agent makes with the task role, and the task role statement that allows it. */
export interface AgentRequest {
    action: string;
    resource: string;
    /** Condition keys the service sends with it. */
    context: Record<string, string>;
    statement: string;
}

/**
 * What the SSM agent in the exec container calls with the task role to open a session and log it: the Session
 * Manager channels (no resource types), finding the session log group, writing the session's stream (named after
 * the session id), decrypting the session data key; and, where the stack has a transcripts' bucket (deployments
 * before it have none), checking the bucket and putting the session's copy, encrypted with the session key through S3.
 */
export function execAgentRequests(
    ctx: AwsContext,
    args: { sessionLogGroupName: string; kmsKeyArn: string; transcriptBucketName?: string },
): AgentRequest[] {
    const sessionId = "ecs-execute-command-0a1b2c3d4e5f6a7b8";
    const stream = `${arns.logGroup(ctx, args.sessionLogGroupName)}:log-stream:${sessionId}`;
    const request = (action: string, resource: string, statement: string, context: Record<string, string> = {}) => ({ action, resource, context, statement });
    const bucket = args.transcriptBucketName && arns.bucket(ctx, args.transcriptBucketName);
    return [
        ...SSM_MESSAGES_ACTIONS.map((action) => request(action, "*", "SessionManagerChannels")),
        request("logs:DescribeLogGroups", "*", "FindSessionLogGroup"),
        ...["logs:CreateLogStream", "logs:DescribeLogStreams", "logs:PutLogEvents"].map((action) => request(action, stream, "WriteSessionTranscripts")),
        request("kms:Decrypt", args.kmsKeyArn, "DecryptSessionDataKey"),
        ...(bucket
            ? [
                  request("s3:GetBucketLocation", bucket, "CheckTheTranscriptBucket"),
                  request("s3:GetEncryptionConfiguration", bucket, "CheckTheTranscriptBucket"),
                  request("s3:PutObject", `${bucket}/${transcriptKey(sessionId)}`, "CopyTranscriptsToTheirBucket"),
                  request("kms:GenerateDataKey", args.kmsKeyArn, "EncryptTranscriptCopies", { "kms:ViaService": `s3.${ctx.region}.${ctx.dnsSuffix}` }),
              ]
            : []),
    ];
}
