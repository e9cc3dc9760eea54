/**
 * What `ecs-exec doctor` may call, and nothing more: every AWS action it uses, and the managed policy that grants
 * exactly those, each on the narrowest resources the Service Authorization Reference allows. The checks of
 * cli/doctor declare which of these actions each one calls (and may call no other); a test compares the three.
 */
import { arns, AwsContext, Condition, PolicyDocument, PolicyStatement } from "../iam";

/** Every call doctor makes, as IAM action names. All read-only. */
export const DOCTOR_ACTIONS = [
    "sts:GetCallerIdentity",
    "iam:GetRole",
    "iam:SimulatePrincipalPolicy",
    "kms:DescribeKey",
    "kms:GetKeyPolicy",
    "kms:GetKeyRotationStatus",
    "ecs:DescribeClusters",
    "ecs:DescribeTaskDefinition",
    "ecs:ListTasks",
    "ecs:DescribeTasks",
    "logs:DescribeLogGroups",
    "ec2:DescribeSubnets",
    "ec2:DescribeRouteTables",
    "ec2:DescribeVpcEndpoints",
    "ec2:DescribeSecurityGroups",
    "ec2:DescribeNetworkAcls",
    "ec2:DescribeNetworkInterfaces",
    "ec2:DescribeVpcAttribute",
    "events:DescribeRule",
    "events:ListTargetsByRule",
    "events:TestEventPattern",
    "cloudwatch:GetMetricData",
    "cloudwatch:DescribeAlarms",
    "sns:GetTopicAttributes",
    "sns:ListSubscriptionsByTopic",
    "sqs:GetQueueAttributes",
    "cloudtrail:DescribeTrails",
    "cloudtrail:GetTrailStatus",
    "cloudtrail:GetEventSelectors",
] as const;

export type DoctorAction = (typeof DOCTOR_ACTIONS)[number];

/**
 * Calls IAM does not authorize, so no policy needs them: GetCallerIdentity "No permissions are required to perform
 * this operation" (STS API reference, GetCallerIdentity).
 */
export const UNAUTHORIZED_ACTIONS: readonly DoctorAction[] = ["sts:GetCallerIdentity"];

type AuthorizedAction = Exclude<DoctorAction, "sts:GetCallerIdentity">;

export interface DoctorPolicyArgs {
    clusterName: string;
    /** The session key. */
    kmsKeyArn: string;
    /** The audit key, of the alert topic: doctor reads only its state. */
    auditKeyArn: string;
    /** The VPC of the exec subnets. */
    vpcId: string;
    topicName: string;
    /** The queue of the events alert rules could not deliver. */
    deadLetterQueueName: string;
    /** The alert rules and the alarms on their delivery, all of them. */
    ruleNames: string[];
    alarmNames: string[];
    /** The trail the stack created; undefined with `cloudTrail: existing` (doctor then reads whichever trail logs the region). */
    trailName?: string;
}

/** One statement: its Sid, the resources it allows and its condition. Actions of equal scope share a statement. */
interface Scope {
    sid: string;
    resources: string[];
    condition?: Condition;
}

/**
 * Where each action is allowed. Resource types from the Service Authorization Reference: actions it lists without a
 * resource type (ecs:DescribeTaskDefinition, logs:DescribeLogGroups, events:TestEventPattern, cloudtrail:DescribeTrails,
 * cloudwatch:GetMetricData for metrics, the EC2 Describe calls) take only `*`; the EC2 ones can still be held to the
 * stack's region (`ec2:Region`), and ecs:ListTasks to the exec cluster (`ecs:cluster`).
 */
function scopes(ctx: AwsContext, args: DoctorPolicyArgs): Record<AuthorizedAction, Scope> {
    const iam = (resource: string) => `arn:${ctx.partition}:iam::${ctx.accountId}:${resource}`;
    const clusterArn = arns.cluster(ctx, args.clusterName);
    // A role session's own role: IAM has no policy variable naming it (aws:userid names the session, and a variable
    // may only end an ARN), so any role of the account; an IAM user only themselves.
    const callers: Scope = {
        sid: "SimulateTheCallerAndTheTaskRole",
        resources: [iam("role/*"), iam("user/${aws:username}")],
    };
    const noResourceTypes: Scope = { sid: "CallsWithoutResourceTypes", resources: ["*"] };
    const network: Scope = {
        sid: "DescribeTheNetworkOfTheStacksRegion",
        resources: ["*"],
        condition: { StringEquals: { "ec2:Region": ctx.region } },
    };
    const key: Scope = { sid: "ReadTheSessionKey", resources: [args.kmsKeyArn] };
    const topic: Scope = { sid: "ReadTheAlertTopic", resources: [arns.topic(ctx, args.topicName)] };
    const rules: Scope = {
        sid: "ReadTheAlertRules",
        resources: args.ruleNames.map((rule) => arns.rule(ctx, rule)),
    };
    // With an existing trail, an organization trail lives in another account, a multi-region trail in its home region.
    const trail: Scope = {
        sid: "ReadTheTrail",
        resources: [args.trailName ? arns.trail(ctx, args.trailName) : `arn:${ctx.partition}:cloudtrail:*:*:trail/*`],
    };
    return {
        "iam:GetRole": { sid: "FindTheCallersRole", resources: [iam("role/*")] },
        "iam:SimulatePrincipalPolicy": callers,
        "kms:DescribeKey": { sid: "DescribeTheSessionAndAuditKeys", resources: [args.kmsKeyArn, args.auditKeyArn] },
        "kms:GetKeyPolicy": key,
        "kms:GetKeyRotationStatus": key,
        "ecs:DescribeClusters": { sid: "ReadTheExecCluster", resources: [clusterArn] },
        "ecs:DescribeTaskDefinition": noResourceTypes,
        "ecs:ListTasks": { sid: "ListExecTasks", resources: ["*"], condition: { ArnEquals: { "ecs:cluster": clusterArn } } },
        "ecs:DescribeTasks": { sid: "ReadExecTasks", resources: [arns.tasksOf(ctx, args.clusterName)] },
        "logs:DescribeLogGroups": noResourceTypes,
        "ec2:DescribeSubnets": network,
        "ec2:DescribeRouteTables": network,
        "ec2:DescribeVpcEndpoints": network,
        "ec2:DescribeSecurityGroups": network,
        "ec2:DescribeNetworkAcls": network,
        "ec2:DescribeNetworkInterfaces": network,
        "ec2:DescribeVpcAttribute": {
            sid: "ReadTheVpcsDnsSettings",
            resources: [`arn:${ctx.partition}:ec2:${ctx.region}:${ctx.accountId}:vpc/${args.vpcId}`],
        },
        "events:DescribeRule": rules,
        "events:ListTargetsByRule": rules,
        "events:TestEventPattern": noResourceTypes,
        "cloudwatch:GetMetricData": noResourceTypes,
        "cloudwatch:DescribeAlarms": {
            sid: "ReadTheDeliveryAlarms",
            resources: args.alarmNames.map((alarm) => arns.alarm(ctx, alarm)),
        },
        "sns:GetTopicAttributes": topic,
        "sns:ListSubscriptionsByTopic": topic,
        "sqs:GetQueueAttributes": { sid: "CountUndeliveredAlerts", resources: [arns.queue(ctx, args.deadLetterQueueName)] },
        "cloudtrail:DescribeTrails": noResourceTypes,
        "cloudtrail:GetTrailStatus": trail,
        "cloudtrail:GetEventSelectors": trail,
    };
}

/** The policy `<environment>-ecs-exec-doctor`: every action doctor calls that IAM authorizes, on its scope. */
export function doctorPolicy(ctx: AwsContext, args: DoctorPolicyArgs): PolicyDocument {
    const statements = new Map<string, PolicyStatement & { Action: string[] }>();
    for (const [action, scope] of Object.entries(scopes(ctx, args))) {
        const statement = statements.get(scope.sid);
        if (statement) {
            statement.Action.push(action);
            continue;
        }
        statements.set(scope.sid, {
            Sid: scope.sid,
            Effect: "Allow",
            Action: [action],
            Resource: scope.resources.length === 1 ? scope.resources[0] : scope.resources,
            ...(scope.condition ? { Condition: scope.condition } : {}),
        });
    }
    return { Version: "2012-10-17", Statement: [...statements.values()] };
}
