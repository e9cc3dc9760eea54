/**
 * A stack that can exec carries its own alarm and record: EventBridge rules that together send every ExecuteCommand
 * call to SNS (unless an organisation-level alert exists), delivered (customer-managed key, no public policy, a
 * subscription, an alarm on failed deliveries), from a trail that records the calls; and, where it owns clusters, a
 * cluster that logs sessions to a KMS-encrypted log group of the stack.
 */
import type { PolicyConfigSchema, StackValidationPolicy } from "@pulumi/policy";
import { alarmsOnFailedDelivery, executeCommandAlerts, uncoveredCalls } from "../lib/alerting";
import { stackCanExec } from "../lib/exec";
import { publicStatements } from "../lib/iam";
import { TYPES } from "../lib/types";
import { configOf, forStack } from "../lib/rule";
import { Resource, Stack } from "../lib/stack";
import { anyOf, at, isFields, isUnknown, listOf, UNKNOWN, Value, Verdict } from "../lib/values";

const alertSchema: PolicyConfigSchema = {
    properties: {
        organizationAlert: {
            type: "boolean",
            default: false,
            description: "An organisation-level alert on ExecuteCommand exists, so the stack need not carry its own.",
        },
    },
};

export const execAlertAndSessionLog: StackValidationPolicy = {
    name: "exec-alert-and-session-log",
    description:
        "A stack that can exec (an exec task definition, a service with exec on, or a grant of ecs:ExecuteCommand) " +
        "carries EventBridge rules with SNS targets that together match every ExecuteCommand call, and, if it has " +
        "clusters, one that logs sessions to a KMS-encrypted log group of the stack.",
    enforcementLevel: "mandatory",
    configSchema: alertSchema,
    remediationSteps:
        "Add an aws.cloudwatch.EventRule with eventPattern { source: [\"aws.ecs\"], \"detail-type\": [\"AWS API Call via " +
        "CloudTrail\"], detail: { eventName: [\"ExecuteCommand\"] } } and an aws.cloudwatch.EventTarget on it whose arn is " +
        "an SNS topic (CloudTrail must log the region's management events); or set organizationAlert: true when the " +
        "organisation alerts on it. Rules split by the shape of the call (an error, a missing field) need a rule for " +
        "every shape, including the calls no other rule matches. Give the cluster's exec session log group a kmsKeyId.",
    validateStack: forStack((stack, report, args) => {
        if (stackCanExec(stack) !== true) {
            return;
        }
        const { organizationAlert } = configOf<{ organizationAlert: boolean }>(alertSchema, args);
        if (!organizationAlert) {
            const alerts = executeCommandAlerts(stack);
            const missed = alerts.length === 0 ? "none" : uncoveredCalls(alerts);
            if (missed === "none") {
                report("the stack can exec but has no EventBridge rule on ExecuteCommand with an SNS target");
            } else if (typeof missed === "string") {
                report(`${missed} reach no enabled EventBridge rule with an SNS target: no alert on them`);
            }
        }
        const clusters = stack.ofType(TYPES.cluster);
        const sessionLogGroups = clusters.flatMap((cluster) =>
            stack.referenced(cluster, "configuration", [TYPES.logGroup], "executeCommandConfiguration", "logConfiguration", "cloudWatchLogGroupName"),
        );
        // A stack without a cluster execs on other stacks' clusters, whose logging is judged there (cluster-exec-logging).
        if (clusters.length > 0 && sessionLogGroups.length === 0) {
            report("the stack can exec but no cluster of it logs exec sessions to a log group of the stack");
        }
        for (const logGroup of sessionLogGroups.filter((group) => !group.props.kmsKeyId)) {
            report("exec session log group without a KMS key", logGroup);
        }
    }),
};

/** The AWS managed key of SNS, which EventBridge cannot use (AWS knowledge center, "SNS not getting EventBridge notification"). */
function awsManagedSnsKey(keyId: Value): boolean {
    return typeof keyId === "string" && /(^|:)alias\/aws\/sns$/.test(keyId);
}

/** The policy documents of a topic: its own `policy` and the stack's aws.sns.TopicPolicy resources on it. */
function topicPolicies(stack: Stack, topic: Resource): { source: Resource; document: Value }[] {
    return [
        ...(topic.props.policy === undefined ? [] : [{ source: topic, document: topic.props.policy }]),
        ...stack.referring(topic, [TYPES.topicPolicy], "arn").map((p) => ({ source: p, document: p.props.policy })),
    ];
}

export const execAlertDelivery: StackValidationPolicy = {
    name: "exec-alert-delivery",
    description:
        "The ExecuteCommand alerts can be delivered, and a failed delivery is seen: each alert rule has a CloudWatch " +
        "alarm with an action on its FailedInvocations; each alert topic of the stack is encrypted with a customer-" +
        "managed key (not alias/aws/sns, which EventBridge cannot use), has no policy statement letting anyone in " +
        "without a condition, and has a subscription.",
    enforcementLevel: "mandatory",
    remediationSteps:
        "Add an aws.cloudwatch.MetricAlarm per alert rule on namespace AWS/Events, metricName FailedInvocations, " +
        "dimensions { RuleName: <rule name> }, threshold 0, with alarmActions; set the topic's kmsMasterKeyId to a " +
        "customer-managed key whose policy lets events.amazonaws.com use kms:GenerateDataKey* and kms:Decrypt; give " +
        "public statements of the topic policy a condition or a named principal; subscribe whoever must read the alerts.",
    validateStack: forStack((stack, report) => {
        const alerts = executeCommandAlerts(stack).filter((a) => a.alerts === true);
        const alarms = stack.ofType(TYPES.metricAlarm);
        for (const { rule } of alerts) {
            if (anyOf(alarms.map((alarm) => alarmsOnFailedDelivery(stack, alarm, rule))) === false) {
                report(`alert rule ${rule.name} has no CloudWatch alarm with an action on its FailedInvocations: an undelivered alert would go unseen`, rule);
            }
        }
        const topics = [...new Set(alerts.flatMap((a) => a.topics))];
        for (const topic of topics) {
            const key = topic.props.kmsMasterKeyId;
            if (!isUnknown(key) && !key) {
                report(`alert topic ${topic.name} is not encrypted with a customer-managed KMS key`, topic);
            } else if (awsManagedSnsKey(key)) {
                report(`alert topic ${topic.name} is encrypted with alias/aws/sns, whose key policy EventBridge cannot use: no alert would arrive`, topic);
            }
            for (const { source, document } of topicPolicies(stack, topic)) {
                for (const statement of publicStatements(document)) {
                    report(`alert topic ${topic.name}: policy statement ${statement} lets anyone in without a condition`, source);
                }
            }
            if (stack.referring(topic, [TYPES.topicSubscription], "topic").length === 0) {
                report(`alert topic ${topic.name} has no subscription: nobody receives the alerts`, topic);
            }
        }
    }),
};

/** The CloudTrail record of an ExecuteCommand call, as trail selectors read it (CloudTrail User Guide, event selectors). */
const EXECUTE_COMMAND_RECORD: Record<string, string> = {
    eventCategory: "Management",
    readOnly: "false",
    eventSource: "ecs.amazonaws.com",
    eventName: "ExecuteCommand",
};

/** Whether an advanced field selector admits a value (equals, startsWith, endsWith; notEquals, ...). */
function fieldSelectorAdmits(selector: Value, value: string): Verdict {
    if (!isFields(selector)) {
        return false;
    }
    const list = (key: string): string[] | typeof UNKNOWN | undefined => {
        const values = listOf(selector[key]);
        return isUnknown(values) || values.some(isUnknown) ? UNKNOWN : selector[key] === undefined ? undefined : values.map(String);
    };
    const tests: [string, (o: string) => boolean, boolean][] = [
        ["equals", (o) => o === value, true],
        ["startsWiths", (o) => value.startsWith(o), true],
        ["endsWiths", (o) => value.endsWith(o), true],
        ["notEquals", (o) => o === value, false],
        ["notStartsWiths", (o) => value.startsWith(o), false],
        ["notEndsWiths", (o) => value.endsWith(o), false],
    ];
    const verdicts = tests.map(([key, matches, positive]): Verdict => {
        const operands = list(key);
        if (operands === undefined) {
            return true;
        }
        return isUnknown(operands) ? UNKNOWN : operands.some(matches) === positive;
    });
    return verdicts.includes(false) ? false : verdicts.some(isUnknown) ? UNKNOWN : true;
}

/**
 * Which management events a trail records: "none" (a data-events trail), "without writes" (reads only, or a
 * selector that leaves ExecuteCommand out), or "writes". Without selectors a trail records every management event.
 */
function managementEvents(trail: Resource): "none" | "without writes" | "writes" | typeof UNKNOWN {
    const { eventSelectors, advancedEventSelectors } = trail.props;
    const basic = listOf(eventSelectors);
    const advanced = listOf(advancedEventSelectors);
    if (isUnknown(basic) || isUnknown(advanced)) {
        return UNKNOWN;
    }
    if (basic.length === 0 && advanced.length === 0) {
        return "writes";
    }
    const verdicts: ("none" | "without writes" | "writes" | typeof UNKNOWN)[] = [
        ...basic.map((selector) => {
            const include = at(selector, "includeManagementEvents");
            const readWrite = at(selector, "readWriteType");
            if (isUnknown(include) || isUnknown(readWrite)) {
                return UNKNOWN;
            }
            if (include === false) {
                return "none" as const;
            }
            return readWrite === "ReadOnly" ? ("without writes" as const) : ("writes" as const);
        }),
        ...advanced.map((selector) => {
            const fields = listOf(at(selector, "fieldSelectors"));
            if (isUnknown(fields) || fields.some(isUnknown)) {
                return UNKNOWN;
            }
            const byField = new Map(fields.map((f) => [String(at(f, "field")), f]));
            const category = byField.has("eventCategory") ? fieldSelectorAdmits(byField.get("eventCategory")!, "Management") : false;
            if (category !== true) {
                return isUnknown(category) ? UNKNOWN : ("none" as const);
            }
            const admits = [...byField].map(([field, f]) => (field in EXECUTE_COMMAND_RECORD ? fieldSelectorAdmits(f, EXECUTE_COMMAND_RECORD[field]) : false));
            return admits.includes(false) ? ("without writes" as const) : admits.some(isUnknown) ? UNKNOWN : ("writes" as const);
        }),
    ];
    if (verdicts.includes("writes")) {
        return "writes";
    }
    if (verdicts.some(isUnknown)) {
        return UNKNOWN;
    }
    return verdicts.includes("without writes") ? "without writes" : "none";
}

export const execAlertTrail: StackValidationPolicy = {
    name: "exec-alert-trail",
    description:
        "A CloudTrail trail the stack creates for its exec alerts (in a stack that can exec or alerts on ExecuteCommand, " +
        "any trail recording management events) logs, validates its log files, encrypts them with KMS and records " +
        "management write events: without it no ExecuteCommand call reaches EventBridge (Checkov CKV_AWS_35, CKV_AWS_36).",
    enforcementLevel: "mandatory",
    remediationSteps:
        "Leave enableLogging unset or true, set enableLogFileValidation: true and kmsKeyId, and record management events " +
        "with readWriteType All or WriteOnly (or an advanced selector on eventCategory Management that keeps writes and " +
        "ecs.amazonaws.com).",
    validateStack: forStack((stack, report) => {
        if (stackCanExec(stack) !== true && executeCommandAlerts(stack).length === 0) {
            return;
        }
        for (const trail of stack.ofType(TYPES.trail)) {
            const events = managementEvents(trail);
            if (events === "none" || isUnknown(events)) {
                continue;
            }
            const p = trail.props;
            if (p.enableLogging === false) {
                report("the trail does not log (enableLogging false): no ExecuteCommand call reaches EventBridge", trail);
            }
            if (p.enableLogFileValidation !== true && !isUnknown(p.enableLogFileValidation)) {
                report("the trail does not validate its log files (enableLogFileValidation)", trail);
            }
            if (!p.kmsKeyId && !isUnknown(p.kmsKeyId)) {
                report("the trail's log files are not encrypted with a KMS key (kmsKeyId)", trail);
            }
            if (events === "without writes") {
                report("the trail records management events but not ExecuteCommand, a write event of ecs.amazonaws.com", trail);
            }
        }
    }),
};

export const alertRules = [execAlertAndSessionLog, execAlertDelivery, execAlertTrail];
