/**
 * A small stack that can exec, written the way any program might declare it (names unlike this program's):
 * a task role with the Session Manager channels, a separate execution role, a task definition, a cluster that logs
 * sessions to an encrypted log group, and an ExecuteCommand alert to an encrypted SNS topic with a subscriber and an
 * alarm on the alert's failed deliveries. Tests change one thing at a time.
 */
import type { DeveloperPolicyArgs } from "../../components/access";
import { policyJson, TestResource } from "./support";

/** This program's developer policy settings for a dev cluster (components/access/developerPolicy.ts), for the IAM rules' tests. */
export const DEVELOPER_POLICY_ARGS: DeveloperPolicyArgs = {
    clusterName: "dev-ecs-exec",
    taskFamily: "dev-ecs-exec",
    containerName: "dev-ecs-exec",
    taskRoleArn: "arn:aws:iam::111122223333:role/t",
    executionRoleArn: "arn:aws:iam::111122223333:role/e",
    kmsKeyArn: "arn:aws:kms:us-east-1:111122223333:key/k",
    requireReason: true,
    taskCpu: 256,
    taskMemory: 512,
    sessionLogGroupName: "/ecs-exec/dev/sessions",
};

export const SESSION_CHANNELS = policyJson({
    Effect: "Allow",
    Action: ["ssmmessages:CreateControlChannel", "ssmmessages:CreateDataChannel", "ssmmessages:OpenControlChannel", "ssmmessages:OpenDataChannel"],
    Resource: "*",
});

const ECS_TASKS_TRUST = policyJson({ Effect: "Allow", Principal: { Service: "ecs-tasks.amazonaws.com" }, Action: "sts:AssumeRole" });

export function container(overrides: Record<string, unknown> = {}): Record<string, unknown> {
    return { name: "shell", image: "app:1", linuxParameters: { initProcessEnabled: true }, ...overrides };
}

export function execStack(): TestResource[] {
    return [
        { type: "aws:iam/role:Role", name: "agent-role", props: { name: "agent", assumeRolePolicy: ECS_TASKS_TRUST } },
        { type: "aws:iam/rolePolicy:RolePolicy", name: "agent-policy", props: { role: "agent", policy: SESSION_CHANNELS }, dependsOn: { role: ["agent-role"] } },
        { type: "aws:iam/role:Role", name: "start-role", props: { name: "start", assumeRolePolicy: ECS_TASKS_TRUST } },
        {
            type: "aws:ecs/taskDefinition:TaskDefinition",
            name: "shell-task",
            props: {
                family: "shell",
                taskRoleArn: "arn:aws:iam::123456789012:role/agent",
                executionRoleArn: "arn:aws:iam::123456789012:role/start",
                containerDefinitions: JSON.stringify([container()]),
            },
            dependsOn: { taskRoleArn: ["agent-role"], executionRoleArn: ["start-role"] },
        },
        { type: "aws:kms/key:Key", name: "key", props: { enableKeyRotation: true } },
        { type: "aws:cloudwatch/logGroup:LogGroup", name: "sessions", props: { name: "/sessions", kmsKeyId: "arn:aws:kms:us-east-1:123456789012:key/k", retentionInDays: 365 }, dependsOn: { kmsKeyId: ["key"] } },
        {
            type: "aws:ecs/cluster:Cluster",
            name: "cluster",
            props: {
                name: "apps",
                configuration: {
                    executeCommandConfiguration: {
                        kmsKeyId: "arn:aws:kms:us-east-1:123456789012:key/k",
                        logging: "OVERRIDE",
                        logConfiguration: { cloudWatchLogGroupName: "/sessions", cloudWatchEncryptionEnabled: true },
                    },
                },
                settings: [{ name: "containerInsights", value: "enabled" }],
            },
            dependsOn: { configuration: ["sessions", "key"] },
        },
        { type: "aws:kms/key:Key", name: "alerts-key", props: { enableKeyRotation: true } },
        {
            type: "aws:sns/topic:Topic",
            name: "alerts",
            props: { name: "alerts", kmsMasterKeyId: "arn:aws:kms:us-east-1:123456789012:key/a" },
            dependsOn: { kmsMasterKeyId: ["alerts-key"] },
        },
        {
            type: "aws:sns/topicSubscription:TopicSubscription",
            name: "oncall",
            props: { topic: "arn:aws:sns:us-east-1:123456789012:alerts", protocol: "email", endpoint: "oncall@example.com" },
            dependsOn: { topic: ["alerts"] },
        },
        {
            type: "aws:cloudwatch/eventRule:EventRule",
            name: "on-exec",
            props: { name: "on-exec", eventPattern: JSON.stringify({ source: ["aws.ecs"], detail: { eventName: ["ExecuteCommand"] } }) },
        },
        {
            type: "aws:cloudwatch/eventTarget:EventTarget",
            name: "to-alerts",
            props: { rule: "on-exec", arn: "arn:aws:sns:us-east-1:123456789012:alerts" },
            dependsOn: { rule: ["on-exec"], arn: ["alerts"] },
        },
        {
            type: "aws:cloudwatch/metricAlarm:MetricAlarm",
            name: "on-exec-undelivered",
            props: {
                namespace: "AWS/Events",
                metricName: "FailedInvocations",
                dimensions: { RuleName: "on-exec" },
                statistic: "Sum",
                period: 300,
                evaluationPeriods: 1,
                threshold: 0,
                comparisonOperator: "GreaterThanThreshold",
                alarmActions: ["arn:aws:sns:us-east-1:123456789012:alerts"],
            },
            dependsOn: { dimensions: ["on-exec"], alarmActions: ["alerts"] },
        },
    ];
}

/** The stack with one resource's properties changed (a value of undefined removes the property). */
export function changed(resources: TestResource[], name: string, change: (props: Record<string, unknown>) => Record<string, unknown>): TestResource[] {
    return resources.map((r) => (r.name === name ? { ...r, props: strip(change({ ...r.props })) } : r));
}

function strip(props: Record<string, unknown>): Record<string, unknown> {
    return Object.fromEntries(Object.entries(props).filter(([, v]) => v !== undefined));
}

/** The stack without the named resources; what depended on them no longer records it. */
export function without(resources: TestResource[], ...names: string[]): TestResource[] {
    return resources
        .filter((r) => !names.includes(r.name))
        .map((r) => (r.dependsOn ? { ...r, dependsOn: Object.fromEntries(Object.entries(r.dependsOn).map(([p, deps]) => [p, deps.filter((d) => !names.includes(d))])) } : r));
}

/** The task definition's containers replaced. */
export function withContainers(resources: TestResource[], ...containers: Record<string, unknown>[]): TestResource[] {
    return changed(resources, "shell-task", (p) => ({ ...p, containerDefinitions: JSON.stringify(containers) }));
}
