/** The exec task's roles, passed to ECS only, and the session key, for encrypting their own sessions only. */
import { callers, ROWS, Scenario, ScenarioFacts } from "./kit";

/** Pass the exec roles to ECS, and no other role, to no other service. */
export function passRoleScenarios(f: ScenarioFacts): Scenario[] {
    const { alice, bob } = callers(f.accountId);
    const role = (name: string) => `arn:${f.partition}:iam::${f.accountId}:role/${name}`;
    return [
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
    ];
}

/** Encrypt with the cluster's key; decrypt with it, or use another key, no. */
export function keyScenarios(f: ScenarioFacts): Scenario[] {
    const { alice, bob } = callers(f.accountId);
    return [
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
    ];
}
