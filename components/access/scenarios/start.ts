/** Starting the exec task: as themselves, with a reason where one is required, at the stack's size, and nothing else. */
import { execNames } from "../../config";
import { developerPolicy } from "../developerPolicy";
import {
    ADMINISTRATOR,
    appDefinition,
    callers,
    clusterArnOf,
    EXEC_TASK_TAGS,
    ecsArn,
    execDefinition,
    OTHER_CLUSTER,
    REASON,
    ROWS,
    runContext,
    Scenario,
    ScenarioFacts,
    size,
    start,
    Target,
    task,
    withoutReason,
} from "./kit";

/** RunTask tagged with the caller's own id as Owner, and no other way. */
export function ownerTagScenarios(f: ScenarioFacts): Scenario[] {
    const { alice, bob, carol } = callers(f.accountId);
    const definition = execDefinition(f);
    return [
        {
            row: ROWS.start,
            caller: alice,
            action: "ecs:RunTask",
            targets: [definition],
            context: runContext(f, alice),
            expect: "Allowed",
            allowedBy: ["StartOwnExecTask"],
        },
        {
            row: ROWS.start,
            caller: bob,
            action: "ecs:RunTask",
            targets: [definition],
            context: runContext(f, bob),
            expect: "Allowed",
            allowedBy: ["StartOwnExecTask"],
        },
        {
            row: ROWS.startUntagged,
            caller: alice,
            action: "ecs:RunTask",
            targets: [definition],
            context: runContext(f, undefined),
            expect: "ImplicitlyDenied",
        },
        {
            row: ROWS.startUntagged,
            caller: alice,
            action: "ecs:RunTask",
            targets: [definition],
            context: runContext(f, carol),
            expect: "ImplicitlyDenied",
        },
        {
            row: ROWS.startUntagged,
            caller: alice,
            action: "ecs:RunTask",
            targets: [definition],
            context: runContext(f, alice, { "aws:TagKeys": ["Owner", "CostCenter"] }),
            expect: "ImplicitlyDenied",
        },
        start(f, ROWS.startUntagged, alice, runContext(f, alice, { "aws:TagKeys": ["Owner", "Reason", "CostCenter"], "aws:RequestTag/CostCenter": "4711" }), "ImplicitlyDenied"),
    ];
}

/** A reason where the stack requires one, none needed where it does not; the task's size at most the stack's. */
export function reasonAndSizeScenarios(f: ScenarioFacts): Scenario[] {
    const { alice, bob } = callers(f.accountId);
    return [
        // A reason where the stack requires one
        { ...start(f, ROWS.reason, alice, runContext(f, alice), "Allowed"), requireReason: true },
        { ...start(f, ROWS.reason, bob, runContext(f, bob), "Allowed"), requireReason: true },
        { ...start(f, ROWS.reasonMissing, alice, withoutReason(f, alice), "ImplicitlyDenied"), requireReason: true },
        // Exactly the shortest reason, with spaces and letters IAM counts as one character each.
        { ...start(f, ROWS.reason, alice, runContext(f, alice, { "aws:RequestTag/Reason": "INC-4 äö" }), "Allowed"), requireReason: true },
        ...["", "INC-42", "INC-4 ä", " INC-4711 restore", "INC-4711 restore ", "INC-4711 restore\u00a0", "\u3000INC-4711 restore"].map(
            (reason): Scenario => ({
                ...start(f, ROWS.reasonMissing, alice, runContext(f, alice, { "aws:RequestTag/Reason": reason }), "ImplicitlyDenied"),
                requireReason: true,
            }),
        ),
        { ...start(f, ROWS.reasonOptional, alice, withoutReason(f, alice), "Allowed"), requireReason: false },
        { ...start(f, ROWS.reasonOptional, bob, runContext(f, bob), "Allowed"), requireReason: false },
        // Size: ecs:task-cpu and ecs:task-memory are in the request only when it sets a size
        start(f, ROWS.size, alice, runContext(f, alice, size(f.taskCpu, f.taskMemory)), "Allowed"),
        start(f, ROWS.size, bob, runContext(f, bob, { "ecs:task-memory": String(f.taskMemory) }), "Allowed"),
        start(f, ROWS.sizeLarger, alice, runContext(f, alice, size(f.taskCpu * 2, f.taskMemory)), "ImplicitlyDenied"),
        start(f, ROWS.sizeLarger, alice, runContext(f, alice, size(f.taskCpu, f.taskMemory * 2)), "ImplicitlyDenied"),
        start(f, ROWS.sizeLarger, bob, runContext(f, bob, { "ecs:task-cpu": String(f.taskCpu * 4) }), "ImplicitlyDenied"),
    ];
}

/** Only the exec task definition, in the exec cluster, with exec on; another environment's only with its policy. */
export function launchScopeScenarios(f: ScenarioFacts): Scenario[] {
    const { alice, bob } = callers(f.accountId);
    const definition = execDefinition(f);
    // A sibling environment deployed by the same program: its policy comes from the same function.
    const qa = execNames("qa");
    const qaDefinition: Target = { arn: ecsArn(f, `task-definition/${qa.taskFamily}:1`), tags: EXEC_TASK_TAGS };
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
    return [
        {
            row: ROWS.startElsewhere,
            caller: alice,
            action: "ecs:RunTask",
            targets: [definition],
            context: runContext(f, alice, { "ecs:enable-execute-command": "false" }),
            expect: "ImplicitlyDenied",
        },
        {
            row: ROWS.startElsewhere,
            caller: alice,
            action: "ecs:RunTask",
            targets: [definition],
            context: runContext(f, alice, { "ecs:cluster": clusterArnOf(f, OTHER_CLUSTER) }),
            expect: "ImplicitlyDenied",
        },
        {
            row: ROWS.startOther,
            caller: alice,
            action: "ecs:RunTask",
            targets: [appDefinition(f)],
            context: runContext(f, alice),
            expect: "ExplicitlyDenied",
        },
        {
            row: ROWS.startOther,
            caller: bob,
            action: "ecs:RunTask",
            targets: [appDefinition(f)],
            context: runContext(f, bob),
            otherPolicies: { AdministratorAccess: ADMINISTRATOR },
            expect: "ExplicitlyDenied",
        },
        {
            row: ROWS.startSibling,
            caller: alice,
            action: "ecs:RunTask",
            targets: [qaDefinition],
            context: runContext(f, alice, { "ecs:cluster": clusterArnOf(f, qa.cluster) }),
            otherPolicies: { qa: qaPolicy },
            expect: "Allowed",
            allowedBy: ["qa/StartOwnExecTask"],
        },
        {
            row: ROWS.startSiblingAlone,
            caller: alice,
            action: "ecs:RunTask",
            targets: [qaDefinition],
            context: runContext(f, alice, { "ecs:cluster": clusterArnOf(f, qa.cluster) }),
            expect: "ImplicitlyDenied",
        },
    ];
}

/** Tags only at launch, as their own: no re-tagging a task to take it over. */
export function taggingScenarios(f: ScenarioFacts): Scenario[] {
    const { alice, carol } = callers(f.accountId);
    const aliceTask = task(f, alice);
    return [
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
    ];
}
