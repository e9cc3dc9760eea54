/**
 * A stack that can exec carries its own alarm and record: an EventBridge rule on ExecuteCommand with an SNS target
 * (unless an organisation-level alert exists), and a cluster that logs sessions to a KMS-encrypted log group.
 */
import type { PolicyConfigSchema, StackValidationPolicy } from "@pulumi/policy";
import { stackCanExec } from "../lib/exec";
import { TYPES } from "../lib/types";
import { configOf, forStack } from "../lib/rule";
import { Resource, Stack } from "../lib/stack";
import { at, isFields, isUnknown, parseJson, UNKNOWN, Value, Verdict } from "../lib/values";

/** An ExecuteCommand call as CloudTrail delivers it to EventBridge: the fields a pattern selects it by. */
const EXECUTE_COMMAND_EVENT: [string[], string][] = [
    [["source"], "aws.ecs"],
    [["detail-type"], "AWS API Call via CloudTrail"],
    [["detail", "eventSource"], "ecs.amazonaws.com"],
    [["detail", "eventName"], "ExecuteCommand"],
];

/** Whether one EventBridge pattern value (a literal or a content filter) admits `value`. */
function patternValueAdmits(filter: Value, value: string): boolean {
    if (!isFields(filter)) {
        return filter === value;
    }
    const [[operator, operand]] = Object.entries(filter);
    const operands = Array.isArray(operand) ? operand : [operand];
    switch (operator) {
        case "prefix":
            return typeof operand === "string" && value.startsWith(operand);
        case "suffix":
            return typeof operand === "string" && value.endsWith(operand);
        case "equals-ignore-case":
            return typeof operand === "string" && value.toLowerCase() === operand.toLowerCase();
        case "wildcard":
            return typeof operand === "string" && new RegExp(`^${operand.split("*").map(escapeRegex).join(".*")}$`).test(value);
        case "anything-but":
            return !operands.includes(value);
        case "exists":
            return operand === true;
        default:
            // A filter this rule does not read cannot prove that the alert fires.
            return false;
    }
}

function escapeRegex(text: string): string {
    return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/**
 * Whether an event pattern selects ExecuteCommand calls: each of source, detail-type, detail.eventSource and
 * detail.eventName it filters admits the call, and it filters at least one of source, eventSource, eventName (a
 * pattern that leaves out eventName still selects every ECS API call, ExecuteCommand included).
 */
export function selectsExecuteCommand(eventPattern: Value): Verdict {
    const pattern = parseJson(eventPattern);
    if (isUnknown(pattern)) {
        return UNKNOWN;
    }
    if (!isFields(pattern)) {
        return false;
    }
    const admitted = EXECUTE_COMMAND_EVENT.every(([path, value]) => {
        const filter = at(pattern, ...path);
        return filter === undefined || (Array.isArray(filter) && filter.some((f) => patternValueAdmits(f, value)));
    });
    const aboutEcs = [["source"], ["detail", "eventSource"], ["detail", "eventName"]].some((path) => at(pattern, ...path) !== undefined);
    return admitted && aboutEcs;
}

/** Whether a rule is live on the default bus, where AWS services deliver their events. */
function onDefaultBusAndEnabled(rule: Resource): boolean {
    const bus = rule.props.eventBusName;
    const defaultBus = bus === undefined || bus === "default" || (typeof bus === "string" && bus.endsWith("event-bus/default"));
    return defaultBus && rule.props.state !== "DISABLED" && rule.props.isEnabled !== false;
}

/** Whether the stack has an enabled ExecuteCommand rule with a target that is an SNS topic. */
function hasExecuteCommandAlert(stack: Stack): boolean {
    const rules = stack
        .ofType(TYPES.eventRule)
        .filter((rule) => onDefaultBusAndEnabled(rule) && selectsExecuteCommand(rule.props.eventPattern) !== false);
    return rules.some((rule) =>
        stack.referring(rule, [TYPES.eventTarget], "rule").some((target) => {
            const arn = target.props.arn;
            const knownTopicArn = typeof arn === "string" && /^arn:[^:]+:sns:/.test(arn);
            return knownTopicArn || stack.referenced(target, "arn", [TYPES.topic]).length > 0;
        }),
    );
}

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
        "carries an EventBridge rule on ExecuteCommand with an SNS target, and a cluster that logs sessions to a " +
        "KMS-encrypted log group of the stack.",
    enforcementLevel: "mandatory",
    configSchema: alertSchema,
    remediationSteps:
        "Add an aws.cloudwatch.EventRule with eventPattern { source: [\"aws.ecs\"], \"detail-type\": [\"AWS API Call via " +
        "CloudTrail\"], detail: { eventName: [\"ExecuteCommand\"] } } and an aws.cloudwatch.EventTarget on it whose arn is " +
        "an SNS topic (CloudTrail must log the region's management events); or set organizationAlert: true when the " +
        "organisation alerts on it. Give the cluster's exec session log group a kmsKeyId.",
    validateStack: forStack((stack, report, args) => {
        if (stackCanExec(stack) !== true) {
            return;
        }
        const { organizationAlert } = configOf<{ organizationAlert: boolean }>(alertSchema, args);
        if (!organizationAlert && !hasExecuteCommandAlert(stack)) {
            report("the stack can exec but has no EventBridge rule on ExecuteCommand with an SNS target");
        }
        const sessionLogGroups = stack
            .ofType(TYPES.cluster)
            .flatMap((cluster) =>
                stack.referenced(cluster, "configuration", [TYPES.logGroup], "executeCommandConfiguration", "logConfiguration", "cloudWatchLogGroupName"),
            );
        if (sessionLogGroups.length === 0) {
            report("the stack can exec but no cluster of it logs exec sessions to a log group of the stack");
        }
        for (const logGroup of sessionLogGroups.filter((group) => !group.props.kmsKeyId)) {
            report("exec session log group without a KMS key", logGroup);
        }
    }),
};

export const alertRules = [execAlertAndSessionLog];
