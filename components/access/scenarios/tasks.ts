/** Their own exec task once it runs: exec into it, see the cluster's tasks, stop it, and look before stopping it. */
import { transcriptKey } from "../../config";
import { arns } from "../../iam";
import { callers, clusterArnOf, ecsArn, exec, OTHER_CLUSTER, ROWS, Scenario, ScenarioFacts, task } from "./kit";

/** Exec into the exec container of their own task, and nothing else. */
export function execScenarios(f: ScenarioFacts): Scenario[] {
    const { alice, bob, carol } = callers(f.accountId);
    const aliceTask = task(f, alice);
    return [
        {
            ...exec(f, alice, aliceTask),
            row: ROWS.exec,
            expect: "Allowed",
            allowedBy: ["ExecThroughExecCluster", "ExecIntoOwnExecContainer"],
        },
        {
            ...exec(f, bob, task(f, bob)),
            row: ROWS.exec,
            expect: "Allowed",
            allowedBy: ["ExecThroughExecCluster", "ExecIntoOwnExecContainer"],
        },
        exec(f, alice, aliceTask, "orders-api"),
        exec(f, alice, task(f, carol)),
        exec(f, bob, task(f, alice)),
        exec(f, alice, task(f, undefined)),
        exec(f, alice, task(f, alice, OTHER_CLUSTER), f.containerName, clusterArnOf(f, OTHER_CLUSTER)),
    ];
}

/** The exec cluster's tasks, everyone's, and no other cluster's. */
export function seeScenarios(f: ScenarioFacts): Scenario[] {
    const { alice, bob, carol } = callers(f.accountId);
    return [
        {
            row: ROWS.see,
            caller: alice,
            action: "ecs:DescribeTasks",
            targets: [task(f, carol)],
            expect: "Allowed",
            allowedBy: ["SeeExecTasks"],
        },
        {
            row: ROWS.see,
            caller: bob,
            action: "ecs:ListTasks",
            targets: [{ arn: ecsArn(f, `container-instance/${f.clusterName}/0123456789abcdef`) }],
            context: { "ecs:cluster": clusterArnOf(f) },
            expect: "Allowed",
            allowedBy: ["ListExecTasks"],
        },
        {
            row: ROWS.seeOther,
            caller: alice,
            action: "ecs:DescribeTasks",
            targets: [task(f, alice, OTHER_CLUSTER)],
            expect: "ImplicitlyDenied",
        },
        {
            row: ROWS.seeOther,
            caller: alice,
            action: "ecs:ListTasks",
            targets: [{ arn: ecsArn(f, `container-instance/${OTHER_CLUSTER}/0123456789abcdef`) }],
            context: { "ecs:cluster": clusterArnOf(f, OTHER_CLUSTER) },
            expect: "ImplicitlyDenied",
        },
    ];
}

/** Their own task only, in the exec cluster. */
export function stopScenarios(f: ScenarioFacts): Scenario[] {
    const { alice, carol } = callers(f.accountId);
    return [
        {
            row: ROWS.stop,
            caller: alice,
            action: "ecs:StopTask",
            targets: [task(f, alice)],
            expect: "Allowed",
            allowedBy: ["StopOwnTasks"],
        },
        { row: ROWS.stopOther, caller: alice, action: "ecs:StopTask", targets: [task(f, carol)], expect: "ImplicitlyDenied" },
        {
            row: ROWS.stopOther,
            caller: alice,
            action: "ecs:StopTask",
            targets: [task(f, alice, OTHER_CLUSTER)],
            expect: "ImplicitlyDenied",
        },
    ];
}

/** What ecs-exec looks at before it stops a task: other sessions on it, and the transcript of its own. */
export function beforeStopScenarios(f: ScenarioFacts): Scenario[] {
    const { alice, bob } = callers(f.accountId);
    return [
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
        ...(f.transcriptBucketName ? transcriptCopyScenarios(f, f.transcriptBucketName) : []),
    ];
}

/** The copies' keys, under the transcripts' prefix, and neither their content nor the bucket's other keys. */
function transcriptCopyScenarios(f: ScenarioFacts, bucketName: string): Scenario[] {
    const { alice, bob } = callers(f.accountId);
    const bucket = arns.bucket(f, bucketName);
    const key = transcriptKey("ecs-execute-command-0a1b2c3d4e5f6a7b8");
    return [
        {
            row: ROWS.transcriptsArrive,
            caller: alice,
            action: "s3:ListBucket",
            targets: [{ arn: bucket }],
            context: { "s3:prefix": key },
            expect: "Allowed",
            allowedBy: ["SeeTranscriptCopiesArrive"],
        },
        {
            row: ROWS.rest,
            caller: alice,
            action: "s3:GetObject",
            targets: [{ arn: `${bucket}/${key}` }],
            expect: "ImplicitlyDenied",
        },
        {
            row: ROWS.rest,
            caller: bob,
            action: "s3:ListBucket",
            targets: [{ arn: bucket }],
            context: { "s3:prefix": "" },
            expect: "ImplicitlyDenied",
        },
    ];
}
