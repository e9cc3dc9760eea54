/**
 * Alerts on the audit chain itself: every CloudTrail management event that changes a link of it (an alert rule or its
 * target, the trail, the alert topic or its subscriptions, an alarm, the session log group, a key, the exec cluster,
 * the developer policy or a role of the stack), successful or refused. Two families watch each other: `audit-chain`
 * watches every link but its own rules, `audit-watch` watches those rules, so no single call silences the chain
 * unseen and every event reaches exactly one alert. Plain values, like the other alerts (components/audit/alerts.ts).
 *
 * Where each call names its resource (the API reference's request members, which CloudTrail records under
 * `requestParameters` with a lower-case first letter, CloudTrail User Guide, "CloudTrail record contents"):
 * EventBridge `name` (DisableRule, DeleteRule, PutRule) or `rule` (RemoveTargets, PutTargets), rule names only;
 * CloudTrail `name` (StopLogging, DeleteTrail, UpdateTrail) or `trailName` (PutEventSelectors, PutInsightSelectors),
 * a name or an ARN; SNS `topicArn`, or `subscriptionArn` (Unsubscribe, SetSubscriptionAttributes), whose ARN is the
 * topic's followed by `:<id>`; CloudWatch `alarmNames` (a list: DisableAlarmActions, DeleteAlarms), `alarmName`
 * (PutMetricAlarm) or `muteTargets.alarmNames` (PutAlarmMuteRule); CloudWatch Logs `logGroupName`, `logGroupIdentifier` (PutDataProtectionPolicy, a name or an
 * ARN) or `resourceIdentifier` (DisassociateKmsKey, an ARN); KMS `keyId`, a key id or a key ARN; ECS `cluster`, a
 * name or an ARN; IAM `policyArn` or `roleName`.
 *
 * A refused call may be recorded with `requestParameters: null` (seen in AccessDenied records): then no resource can
 * be told, and every such refused call of these names alerts. Names the stack gives its rules, alarms and roles share
 * a prefix, which the patterns match, so that they stay within EventBridge's default 2,048 characters. `source` is not matched: the EventBridge events reference
 * gives CloudWatch's as `aws.monitoring`, its user guide `aws.cloudwatch`; `detail.eventSource` is unambiguous.
 */
import { AUDIT_CHAIN_GROUPS, AuditChainGroup } from "../config";
import { AlertDefinition, alertOfShape, EventPattern, PatternFilter } from "./alerts";

/** A resource that API calls may name by its name or by its ARN. */
export interface NamedResource {
    name: string;
    arn: string;
}

/** The links of the chain, as CloudTrail records name them. */
export interface AuditChainLinks {
    /**
     * What the names of the stack's EventBridge rules, alarms and IAM roles start with (components/config/names.ts). The
     * rules of `audit-chain` are named apart, so that it watches every rule but its own.
     */
    namePrefix: string;
    /** The trail the stack creates; undefined: every trail of the account (`cloudTrail: existing`). */
    trail?: NamedResource;
    topicArn: string;
    sessionLogGroup: NamedResource;
    /** The bucket of transcripts' write-once copies. */
    transcriptBucketName: string;
    /** The stack's KMS keys, by key id and key ARN. */
    keys: { id: string; arn: string }[];
    cluster: NamedResource;
    developerPolicyArn: string;
}

/**
 * The chain's links in four groups, each watched by its own pair of rules: one pattern for all of them would be
 * twice EventBridge's default limit of 2,048 characters (EventBridge User Guide, quotas: "Event pattern size").
 */
export const CHAIN_GROUPS: Readonly<Record<AuditChainGroup, string>> = {
    delivery: "the delivery of ECS Exec alerts (rules and targets, topic and subscriptions, alarms)",
    trail: "the trail that records ECS Exec calls",
    transcripts: "the transcripts of ECS Exec (the session log group, the transcripts' bucket)",
    access: "ECS Exec access (the keys, the exec cluster, the developer policy, the stack's roles)",
};

/** One service's calls on one request field, and the values that make it this stack's resource. */
interface ChainCall {
    eventSource: string;
    eventNames: string[];
    /** The field under `requestParameters`; a dotted path for one in a structure. */
    field: string;
    filters: PatternFilter[];
}

const CLOUDTRAIL_API_CALL = "AWS API Call via CloudTrail";

/** The EventBridge calls that change a rule or its targets, on the rules named. */
function ruleCalls(rules: PatternFilter[]): ChainCall[] {
    return [
        { eventSource: "events.amazonaws.com", eventNames: ["DisableRule", "DeleteRule", "PutRule"], field: "name", filters: rules },
        { eventSource: "events.amazonaws.com", eventNames: ["RemoveTargets", "PutTargets"], field: "rule", filters: rules },
    ];
}

/** Every call that changes a link of the chain, on that link, by group. */
function chainCalls(links: AuditChainLinks): Record<AuditChainGroup, ChainCall[]> {
    const stacks = [{ prefix: links.namePrefix }];
    const nameOrArn = (r: NamedResource) => [r.name, r.arn];
    // With an existing trail, any trail of the account: which one carries the stack's events is not the stack's to say.
    const trail = links.trail ? nameOrArn(links.trail) : [{ exists: true }];
    const delivery: ChainCall[] = [
        ...ruleCalls(stacks),
        {
            eventSource: "sns.amazonaws.com",
            eventNames: ["SetTopicAttributes", "DeleteTopic", "AddPermission", "RemovePermission", "Subscribe"],
            field: "topicArn",
            filters: [links.topicArn],
        },
        {
            eventSource: "sns.amazonaws.com",
            eventNames: ["Unsubscribe", "SetSubscriptionAttributes"],
            field: "subscriptionArn",
            filters: [{ prefix: `${links.topicArn}:` }],
        },
        { eventSource: "monitoring.amazonaws.com", eventNames: ["DisableAlarmActions", "DeleteAlarms"], field: "alarmNames", filters: stacks },
        { eventSource: "monitoring.amazonaws.com", eventNames: ["PutMetricAlarm"], field: "alarmName", filters: stacks },
        // A mute rule silences the alarms' actions for its windows, as DisableAlarmActions does (CloudWatch API
        // reference, PutAlarmMuteRule: MuteTargets.AlarmNames).
        { eventSource: "monitoring.amazonaws.com", eventNames: ["PutAlarmMuteRule"], field: "muteTargets.alarmNames", filters: stacks },
    ];
    const trailCalls: ChainCall[] = [
        { eventSource: "cloudtrail.amazonaws.com", eventNames: ["StopLogging", "DeleteTrail", "UpdateTrail"], field: "name", filters: trail },
        { eventSource: "cloudtrail.amazonaws.com", eventNames: ["PutEventSelectors", "PutInsightSelectors"], field: "trailName", filters: trail },
    ];
    const transcripts: ChainCall[] = [
        {
            eventSource: "logs.amazonaws.com",
            eventNames: ["DeleteLogGroup", "PutRetentionPolicy", "DeleteRetentionPolicy", "DisassociateKmsKey", "DeleteLogStream", "PutSubscriptionFilter"],
            field: "logGroupName",
            filters: [links.sessionLogGroup.name],
        },
        { eventSource: "logs.amazonaws.com", eventNames: ["DisassociateKmsKey"], field: "resourceIdentifier", filters: [links.sessionLogGroup.arn] },
        { eventSource: "logs.amazonaws.com", eventNames: ["PutDataProtectionPolicy"], field: "logGroupIdentifier", filters: nameOrArn(links.sessionLogGroup) },
        // Bucket-level calls are management events (object-level ones are data events); CloudTrail names S3's
        // PutBucketLifecycleConfiguration "PutBucketLifecycle" (S3 User Guide, "CloudTrail event names").
        {
            eventSource: "s3.amazonaws.com",
            eventNames: ["PutBucketPolicy", "DeleteBucketPolicy", "PutBucketVersioning", "PutBucketLifecycle", "DeleteBucketLifecycle", "PutBucketEncryption", "DeleteBucket"],
            field: "bucketName",
            filters: [links.transcriptBucketName],
        },
    ];
    const access: ChainCall[] = [
        {
            eventSource: "kms.amazonaws.com",
            eventNames: ["DisableKey", "ScheduleKeyDeletion", "PutKeyPolicy", "CreateGrant"],
            field: "keyId",
            filters: links.keys.flatMap((key) => [key.id, key.arn]),
        },
        { eventSource: "ecs.amazonaws.com", eventNames: ["UpdateCluster", "DeleteCluster"], field: "cluster", filters: nameOrArn(links.cluster) },
        { eventSource: "iam.amazonaws.com", eventNames: ["CreatePolicyVersion", "SetDefaultPolicyVersion"], field: "policyArn", filters: [links.developerPolicyArn] },
        { eventSource: "iam.amazonaws.com", eventNames: ["PutRolePolicy", "AttachRolePolicy", "UpdateAssumeRolePolicy"], field: "roleName", filters: stacks },
    ];
    return { delivery, trail: trailCalls, transcripts, access };
}

/** `a.b` with filters as the pattern `{ a: { b: filters } }`. */
function nested(path: string, filters: PatternFilter[]): EventPattern {
    const [field, ...rest] = path.split(".");
    return { [field]: rest.length === 0 ? filters : nested(rest.join("."), filters) };
}

/**
 * The events a family watches: each call on its link, and (`withUnnamedRefusals`) each of its calls recorded with a
 * null request, refused, of which nothing says whose. The two families split the EventBridge calls by rule name, so
 * only one takes the null ones.
 */
function chainEvents(calls: ChainCall[], withUnnamedRefusals: boolean): EventPattern {
    const alternatives: EventPattern[] = calls.map((call) => ({
        detail: { eventSource: [call.eventSource], eventName: call.eventNames, requestParameters: nested(call.field, call.filters) },
    }));
    if (withUnnamedRefusals) {
        alternatives.push({
            detail: {
                eventSource: [...new Set(calls.map((c) => c.eventSource))],
                eventName: [...new Set(calls.flatMap((c) => c.eventNames))],
                requestParameters: [null],
            },
        });
    }
    return { "detail-type": [CLOUDTRAIL_API_CALL], $or: alternatives };
}

interface FamilyText {
    ids: [string, string];
    /** What the family watches, in a rule's description. */
    watches: string;
    /** The headline's subject. */
    subject: string;
    /** Why it matters, in the change alert. */
    note: string;
}

/**
 * Two shapes: a change (no `errorCode`) and a refusal. Each message is the whole CloudTrail record (`detail`, in every
 * event on the bus: EventBridge User Guide, "Event structure reference") under a headline naming the call, which the
 * pattern requires: the record names who (`userIdentity`), from where (`sourceIPAddress`), what (`eventName`,
 * `requestParameters`), the error of a refusal and the CloudTrail event id. Fields no pattern can require (a service
 * acting for someone has no `userIdentity.arn`) are read nowhere, so no record escapes into a third alert.
 */
function family(text: FamilyText, events: EventPattern): AlertDefinition[] {
    const paths = { call: "$.detail.eventName", service: "$.detail.eventSource", record: "$.detail", time: "$.time", account: "$.account", region: "$.region" };
    const [changed, refused] = text.ids;
    return [
        alertOfShape(events, {
            id: changed,
            description: `A change to ${text.watches}, from CloudTrail`,
            when: { errorCode: false },
            inputPaths: paths,
            fields: {
                alert: `ECS Exec: ${text.subject} changed: <service> <call>, in account <account>, <region>, at <time>`,
                note: text.note,
                record: "<record>",
            },
        }),
        alertOfShape(events, {
            id: refused,
            description: `A refused call to change ${text.watches}, from CloudTrail`,
            when: { errorCode: true },
            inputPaths: paths,
            fields: {
                alert: `ECS Exec: a change to ${text.subject} was refused: <service> <call>, in account <account>, <region>, at <time>`,
                note: "Nothing was changed, but someone tried. Who, from where and what are in the record; its errorCode says why it was refused.",
                record: "<record>",
            },
        }),
    ];
}

/**
 * `audit-chain-<group>`: every change to a link of the chain but its own rules, which `audit-watch` watches, in
 * AUDIT_CHAIN_ALERT_IDS' order. A deploy shows here like any change, naming its deployer: that is the record of who
 * changed the chain.
 */
export function auditChainAlerts(links: AuditChainLinks): AlertDefinition[] {
    const calls = chainCalls(links);
    return AUDIT_CHAIN_GROUPS.flatMap((group) =>
        family(
            {
                ids: [`audit-chain-${group}`, `audit-chain-${group}-refused`],
                watches: CHAIN_GROUPS[group],
                subject: "the audit chain",
                note:
                    "A link of the chain that records and reports exec sessions was changed: an alert rule or its target, the " +
                    "trail, the alert topic or a subscription, an alarm, the session log group, a key, the exec cluster, the " +
                    "developer policy or a role. A pulumi up shows here too, naming its deployer; for anything else, find out " +
                    "who and why.",
            },
            chainEvents(calls[group], true),
        ),
    );
}

/** `audit-watch`: every change to the rules of `audit-chain`, so that disabling or deleting one is itself reported. */
export function auditWatchAlerts(chainRuleNames: string[]): AlertDefinition[] {
    return family(
        {
            ids: ["audit-watch", "audit-watch-refused"],
            watches: "the rules that watch the audit chain of ECS Exec",
            subject: "a rule watching the audit chain",
            note:
                "A rule that reports changes to the audit chain was changed: while it is disabled, deleted or without its target, " +
                "changes to the chain go unreported. A pulumi up shows here too, naming its deployer; otherwise restore it " +
                "with pulumi up and find out who and why.",
        },
        chainEvents(ruleCalls(chainRuleNames), false),
    );
}
