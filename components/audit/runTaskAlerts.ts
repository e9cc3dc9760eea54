/**
 * Alerts on RunTask of the exec task definition: every call, successful or refused, with who started it and why (its
 * tags: Owner and Reason); and a warning when the task was started with a network other than the stack's, which IAM
 * cannot prevent. Plain values, like the ExecuteCommand alerts (components/audit/alerts.ts).
 */
import { AlertDefinition, alertOfShape, alertsCovering, CALLER_PATHS, EventPattern, PatternFilter } from "./alerts";

/**
 * Every way RunTask names a task definition of `family`: "The family and revision (family:revision) or full ARN of
 * the task definition to run. If a revision isn't specified, the latest ACTIVE revision is used" (ECS API reference,
 * RunTask). So the family alone, `family:<revision>`, and its ARN with or without a revision, in any partition (the
 * rule sees its own account and region only). A family that merely starts with the same text has another character
 * where these have `:` or the end.
 */
export function taskDefinitionFilters(family: string): PatternFilter[] {
    if (!/^[A-Za-z0-9_-]+$/.test(family)) {
        // Family names: "Up to 255 letters (uppercase and lowercase), numbers, underscores, and hyphens" (RegisterTaskDefinition).
        throw new Error(`not a task definition family: ${family}`);
    }
    const arn = `arn:*:ecs:*:*:task-definition/${family}`;
    return [family, { prefix: `${family}:` }, { wildcard: arn }, { wildcard: `${arn}:*` }];
}

/** Every RunTask call of the exec task definition, as CloudTrail delivers it to EventBridge on the default bus. */
export function runTaskCalls(family: string): EventPattern {
    return {
        source: ["aws.ecs"],
        "detail-type": ["AWS API Call via CloudTrail"],
        detail: {
            eventSource: ["ecs.amazonaws.com"],
            eventName: ["RunTask"],
            requestParameters: { taskDefinition: taskDefinitionFilters(family) },
        },
    };
}

/** Who called, from where, and the request: in both shapes of a RunTask record. */
const RUN_TASK_PATHS = {
    ...CALLER_PATHS,
    cluster: "$.detail.requestParameters.cluster",
    taskDefinition: "$.detail.requestParameters.taskDefinition",
};

const CALLER_FIELDS = {
    who: "<caller>",
    principal: "<principalId>",
    when: "<time>",
    from: "<sourceIp>",
    client: "<userAgent>",
    cluster: "<cluster>",
    taskDefinition: "<taskDefinition>",
};

/** The request's tags: a list of {key, value}, present when any tag has a key. */
const TAGS = { path: "$.detail.requestParameters.tags", leaf: "requestParameters.tags.key" };

export interface RunTaskAlertsArgs {
    /** The exec task definition's family. */
    family: string;
}

/**
 * The alerts on RunTask of the exec task definition: one for a call that started tasks, one for a refused call, and
 * one for a call whose record lacks a field those two read (a RunTask without tags among them: no Owner, no reason).
 * CloudTrail records a refused call with `errorCode`, a successful one without (CloudTrail User Guide, "CloudTrail
 * record contents"); RunTask's `cluster` and `tags` are optional request parameters and its response lists the tasks
 * it started (ECS API reference, RunTask). The tags are a list, shown as it is: EventBridge's input paths take no
 * filter expressions ("dot notation, ..., array indices, wildcards"), and an index would name the Reason only when the
 * caller put it there; so these messages are JSON objects, where a list is inserted as JSON.
 */
export function runTaskAlerts(args: RunTaskAlertsArgs): AlertDefinition[] {
    const { family } = args;
    return alertsCovering(
        runTaskCalls(family),
        [
            {
                id: "run-task",
                description: `An ECS RunTask call that started the exec task definition ${family}, from CloudTrail`,
                when: { errorCode: false },
                inputPaths: { ...RUN_TASK_PATHS, tags: TAGS.path, tasks: "$.detail.responseElements.tasks[*].taskArn" },
                objectLeaves: { [TAGS.path]: TAGS.leaf },
                fields: {
                    alert: `ECS Exec: exec task started (${family}) in account <account>, <region>`,
                    ...CALLER_FIELDS,
                    tasks: "<tasks>",
                    tags: "<tags>",
                    reason:
                        "The Reason tag says why (stacks with requireReason refuse a task without one). A task reused by " +
                        "later sessions keeps this reason; ecs-exec audit shows it next to each session.",
                    cloudTrailEventId: "<eventId>",
                },
            },
            {
                id: "run-task-refused",
                description: `An ECS RunTask call of the exec task definition ${family} that was refused, from CloudTrail`,
                when: { errorCode: true },
                inputPaths: { ...RUN_TASK_PATHS, tags: TAGS.path, errorCode: "$.detail.errorCode", errorMessage: "$.detail.errorMessage" },
                objectLeaves: { [TAGS.path]: TAGS.leaf },
                fields: {
                    alert: `ECS Exec: exec task refused (${family}) in account <account>, <region>`,
                    ...CALLER_FIELDS,
                    tags: "<tags>",
                    errorCode: "<errorCode>",
                    errorMessage: "<errorMessage>",
                    note: "No task was started. The whole request is in its CloudTrail record (lookup-events with this event id).",
                    cloudTrailEventId: "<eventId>",
                },
            },
        ],
        {
            id: "run-task-unmatched",
            description: `An ECS RunTask call of the exec task definition ${family} whose CloudTrail record lacks a field the other two alerts read`,
            inputPaths: { time: "$.time", account: "$.account", region: "$.region", eventBridgeId: "$.id" },
            lines: [
                `ECS Exec: a RunTask of the exec task definition ${family} in account <account>, <region> at <time>`,
                "",
                "Its CloudTrail record lacks a field the start and refusal alerts read (caller, address, client, cluster,",
                "tags, started tasks or error): a RunTask without tags names no Owner and no reason. Find the record:",
                "  aws cloudtrail lookup-events --region <region> --lookup-attributes AttributeKey=EventName,AttributeValue=RunTask --start-time <time>",
                "EventBridge event id: <eventBridgeId>",
            ],
        },
    );
}

export interface RunTaskNetworkAlertArgs {
    family: string;
    /** The stack's network: what `ecs-exec` and the stack output `runTaskCommand` start exec tasks with. */
    subnetIds: string[];
    securityGroupId: string;
    assignPublicIp: boolean;
}

/**
 * The network alert's id: its definition depends on the stack's network, known only once deployed, so the stack names
 * its rule and alarm by this id before the definition exists.
 */
export const RUN_TASK_NETWORK_ALERT_ID = "run-task-network";

/**
 * A RunTask that started the exec task definition with a network other than the stack's: a security group other
 * than the exec group (or none: ECS then uses the VPC's default group), a subnet outside the configured ones, or a
 * public IP where the stack gives none. IAM cannot refuse it: RunTask has no condition key for subnets, security
 * groups or a public IP (Service Authorization Reference, Amazon ECS; `ecs:subnet` and `ecs:auto-assign-public-ip`
 * belong to CreateService and UpdateService). `anything-but` on a list matches when any element is none of the
 * stack's values (EventBridge User Guide, "Arrays in event patterns"). Only calls that started tasks: a refused one
 * started nothing, and the RunTask alerts report every call already.
 */
export function runTaskNetworkAlert(args: RunTaskNetworkAlertArgs): AlertDefinition {
    const network = "$.detail.requestParameters.networkConfiguration.awsvpcConfiguration";
    // Each alternative needs a value in the network configuration, so the message can show it. A field filtered both
    // in `$or` and beside it would keep only one of its filters (aws/event-ruler JsonRuleCompiler, writeRules).
    const differs: EventPattern[] = [
        { securityGroups: [{ "anything-but": args.securityGroupId }] },
        { securityGroups: [{ exists: false }], subnets: [{ exists: true }] },
        { subnets: [{ "anything-but": args.subnetIds }] },
        ...(args.assignPublicIp ? [] : [{ assignPublicIp: ["ENABLED"] }]),
    ];
    const stackNetwork =
        `subnets ${args.subnetIds.join(", ")}; security group ${args.securityGroupId}; ` +
        (args.assignPublicIp ? "a public IP" : "no public IP");
    const calls = runTaskCalls(args.family);
    const detail = calls.detail as EventPattern;
    const base: EventPattern = {
        ...calls,
        detail: {
            ...detail,
            requestParameters: {
                ...(detail.requestParameters as EventPattern),
                networkConfiguration: { awsvpcConfiguration: { $or: differs } },
            },
        },
    };
    return alertOfShape(base, {
        id: RUN_TASK_NETWORK_ALERT_ID,
        description: `An ECS RunTask call that started the exec task definition ${args.family} with a network other than the stack's, from CloudTrail`,
        when: { errorCode: false },
        inputPaths: {
            caller: RUN_TASK_PATHS.caller,
            principalId: RUN_TASK_PATHS.principalId,
            time: RUN_TASK_PATHS.time,
            account: RUN_TASK_PATHS.account,
            region: RUN_TASK_PATHS.region,
            cluster: RUN_TASK_PATHS.cluster,
            tasks: "$.detail.responseElements.tasks[*].taskArn",
            network,
            eventId: RUN_TASK_PATHS.eventId,
        },
        fields: {
            alert: `ECS Exec: exec task started outside the stack's network (${args.family}) in account <account>, <region>`,
            who: "<caller>",
            principal: "<principalId>",
            when: "<time>",
            cluster: "<cluster>",
            tasks: "<tasks>",
            network: "<network>",
            stackNetwork,
            why:
                "IAM cannot limit RunTask's network. Outside the exec security group, the exec group's rules (no inbound, " +
                "HTTPS out only) do not hold for these tasks. Stop them (ecs-exec stop TASK, or aws ecs stop-task) unless this was intended.",
            cloudTrailEventId: "<eventId>",
        },
    });
}
