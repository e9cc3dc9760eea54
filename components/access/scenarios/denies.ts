/** What no other permission lifts (unlogged sessions, other documents, exec on services), and everything else. */
import { arns } from "../../iam";
import {
    ADMINISTRATOR,
    appDefinition,
    CHECKED,
    callers,
    clusterArnOf,
    document,
    ecsArn,
    instance,
    ROWS,
    Scenario,
    ScenarioFacts,
    startSession,
    task,
} from "./kit";

/** Explicit denies: they hold even for a caller who also has AdministratorAccess. */
export function explicitDenyScenarios(f: ScenarioFacts): Scenario[] {
    const { alice, bob, carol } = callers(f.accountId);
    const forwarding = f.portForwarding === true;
    const aliceTask = task(f, alice);
    return [
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
                [alice, [aliceTask, document(f, "SSM-SessionManagerRunShell", f.accountId)], CHECKED],
                [alice, [aliceTask, document(f, "AWS-StartInteractiveCommand")], CHECKED],
                [bob, [task(f, bob), document(f, "AWS-StartPortForwardingSession")], CHECKED],
                [bob, [task(f, carol), document(f, "ShellAsRoot", f.accountId)], CHECKED],
            ] as const
        ).map(
            ([caller, targets, context]): Scenario => ({
                ...startSession(ROWS.ssm, caller, [...targets], "ExplicitlyDenied", context),
                otherPolicies: { AdministratorAccess: ADMINISTRATOR },
            }),
        ),
        ...["AWS-StartSSHSession", "AWS-StartPortForwardingSession"].map(
            (name): Scenario => ({
                ...startSession(ROWS.otherDocuments, bob, [instance(f), document(f, name)], forwarding ? "ExplicitlyDenied" : "Allowed"),
                otherPolicies: { AdministratorAccess: ADMINISTRATOR },
            }),
        ),
        {
            ...startSession(ROWS.defaultShellElsewhere, bob, [instance(f)], "Allowed", { "ssm:SessionDocumentAccessCheck": "false" }),
            otherPolicies: { AdministratorAccess: ADMINISTRATOR },
            allowedBy: ["AdministratorAccess/#1"],
        },
        ...execOnServicesScenarios(f),
    ];
}

/** Exec turned on for a service, or for a task started on an instance. */
function execOnServicesScenarios(f: ScenarioFacts): Scenario[] {
    const { alice, bob } = callers(f.accountId);
    return [
        ...(["ecs:CreateService", "ecs:UpdateService"] as const).map(
            (action): Scenario => ({
                row: ROWS.services,
                caller: bob,
                action,
                targets: [{ arn: ecsArn(f, `service/${f.clusterName}/orders-api`) }],
                context: { "ecs:enable-execute-command": "true" },
                otherPolicies: { AdministratorAccess: ADMINISTRATOR },
                expect: "ExplicitlyDenied",
            }),
        ),
        {
            row: ROWS.services,
            caller: alice,
            action: "ecs:StartTask",
            targets: [appDefinition(f)],
            context: { "ecs:cluster": clusterArnOf(f), "ecs:enable-execute-command": "true" },
            otherPolicies: { AdministratorAccess: ADMINISTRATOR },
            expect: "ExplicitlyDenied",
        },
    ];
}

/** Everything else: not granted. */
export function restScenarios(f: ScenarioFacts): Scenario[] {
    const { alice, bob, carol } = callers(f.accountId);
    return [
        {
            row: ROWS.rest,
            caller: alice,
            action: "ecs:RegisterTaskDefinition",
            targets: [{ arn: ecsArn(f, `task-definition/${f.taskFamily}:4`) }],
            expect: "ImplicitlyDenied",
        },
        { row: ROWS.rest, caller: alice, action: "ecs:UntagResource", targets: [task(f, carol)], expect: "ImplicitlyDenied" },
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
