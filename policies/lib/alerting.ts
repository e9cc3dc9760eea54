/**
 * The stack's alerts on ExecuteCommand: the EventBridge rules on the default bus that match ExecuteCommand calls and
 * send them to an SNS topic, whether they together match every call, and what each one needs to be delivered.
 */
import { describeGap, gapIn, matchesSome, patternPaths } from "./eventPatterns";
import { Resource, Stack } from "./stack";
import { TYPES } from "./types";
import { anyOf, isUnknown, parseJson, UNKNOWN, Value, Verdict } from "./values";

/** An ExecuteCommand call as CloudTrail delivers it to EventBridge: the fields that make it one. */
export const EXECUTE_COMMAND_CALL: Record<string, string> = {
    source: "aws.ecs",
    "detail-type": "AWS API Call via CloudTrail",
    "detail.eventSource": "ecs.amazonaws.com",
    "detail.eventName": "ExecuteCommand",
};

/**
 * Envelope fields every event on the bus has, with this account's and region's values (EventBridge User Guide, "Event
 * structure reference"): a rule that filters them is taken to name its own account and region.
 */
const OWN_ENVELOPE = ["account", "region"];

/**
 * Whether an event pattern selects ExecuteCommand calls: it matches some ExecuteCommand call, and it is about ECS (it
 * filters source, detail.eventSource or detail.eventName; a rule on every CloudTrail call is not an exec alert).
 */
export function selectsExecuteCommand(eventPattern: Value): Verdict {
    const pattern = parseJson(eventPattern);
    if (isUnknown(pattern)) {
        return UNKNOWN;
    }
    const paths = patternPaths(pattern);
    const aboutEcs = ["source", "detail.eventSource", "detail.eventName"].some((path) => paths.has(path));
    return aboutEcs && matchesSome(pattern, EXECUTE_COMMAND_CALL, OWN_ENVELOPE) === true;
}

/** Whether a rule is live on the default bus, where AWS services deliver their events. */
function onDefaultBusAndEnabled(rule: Resource): Verdict {
    const { eventBusName: bus, state, isEnabled } = rule.props;
    if (isUnknown(bus) || isUnknown(state) || isUnknown(isEnabled)) {
        return UNKNOWN;
    }
    const defaultBus = bus === undefined || bus === "default" || (typeof bus === "string" && bus.endsWith("event-bus/default"));
    return defaultBus && state !== "DISABLED" && isEnabled !== false;
}

/** An EventBridge rule that may alert on ExecuteCommand calls. */
export interface ExecuteCommandAlert {
    rule: Resource;
    /** Whether it is enabled on the default bus, selects ExecuteCommand calls and has an SNS target. */
    alerts: Verdict;
    /** The stack's SNS topics its targets send to. */
    topics: Resource[];
}

/** The stack's EventBridge rules that alert, or may alert, on ExecuteCommand calls. */
export function executeCommandAlerts(stack: Stack): ExecuteCommandAlert[] {
    return stack.ofType(TYPES.eventRule).flatMap((rule) => {
        const targets = stack.referring(rule, [TYPES.eventTarget], "rule");
        const topics = targets.flatMap((target) => stack.referenced(target, "arn", [TYPES.topic]));
        const toSns = anyOf(
            targets.map((target): Verdict => {
                const arn = target.props.arn;
                if ((typeof arn === "string" && /^arn:[^:]+:sns:/.test(arn)) || stack.referenced(target, "arn", [TYPES.topic]).length > 0) {
                    return true;
                }
                // An unknown ARN from some other resource of the stack is not a topic; without a record, can't tell.
                return isUnknown(arn) && (target.propertyDependencies.arn ?? []).length === 0 ? UNKNOWN : false;
            }),
        );
        const verdicts = [onDefaultBusAndEnabled(rule), selectsExecuteCommand(rule.props.eventPattern), toSns];
        const alerts: Verdict = verdicts.includes(false) ? false : verdicts.some(isUnknown) ? UNKNOWN : true;
        return alerts === false ? [] : [{ rule, alerts, topics }];
    });
}

/**
 * Which ExecuteCommand calls no alert matches, in words; undefined when every call reaches one; UNKNOWN when that
 * can't be told during preview (a pattern, target or state unknown, or a pattern too involved to decide).
 */
export function uncoveredCalls(alerts: ExecuteCommandAlert[]): string | undefined | typeof UNKNOWN {
    const definite = alerts.filter((a) => a.alerts === true).map((a) => parseJson(a.rule.props.eventPattern));
    const gap = gapIn(definite, EXECUTE_COMMAND_CALL, OWN_ENVELOPE);
    if (gap === undefined) {
        return undefined;
    }
    const possible = alerts.map((a) => parseJson(a.rule.props.eventPattern));
    if (isUnknown(gap) || possible.some(isUnknown)) {
        return UNKNOWN;
    }
    const stillGap = gapIn(possible, EXECUTE_COMMAND_CALL, OWN_ENVELOPE);
    if (stillGap === undefined || isUnknown(stillGap)) {
        return UNKNOWN;
    }
    return stillGap.size === 0 ? "ExecuteCommand calls" : `ExecuteCommand calls ${describeGap(stillGap)}`;
}

/** Whether a CloudWatch alarm watches a rule's FailedInvocations and acts on it. */
export function alarmsOnFailedDelivery(stack: Stack, alarm: Resource, rule: Resource): Verdict {
    const p = alarm.props;
    if (isUnknown(p.actionsEnabled) || p.actionsEnabled === false) {
        return isUnknown(p.actionsEnabled) ? UNKNOWN : false;
    }
    const actions = p.alarmActions;
    if (!isUnknown(actions) && (!Array.isArray(actions) || actions.length === 0)) {
        return false;
    }
    // Metric math (metricQueries) counts too; queries unknown during preview may be on the rule.
    const queries = isUnknown(p.metricQueries) ? [{ metric: { namespace: UNKNOWN, metricName: UNKNOWN, dimensions: UNKNOWN } }] : Array.isArray(p.metricQueries) ? p.metricQueries : [];
    const metrics: { namespace: Value; metricName: Value; dimensions: Value; property: string }[] = [
        { namespace: p.namespace, metricName: p.metricName, dimensions: p.dimensions, property: "dimensions" },
        ...queries.map((q) => {
            const metric = (q as Record<string, Value>)?.metric as Record<string, Value> | undefined;
            return { namespace: metric?.namespace, metricName: metric?.metricName, dimensions: metric?.dimensions, property: "metricQueries" };
        }),
    ];
    return anyOf(
        metrics.map(({ namespace, metricName, dimensions, property }): Verdict => {
            if (isUnknown(namespace) || isUnknown(metricName)) {
                return UNKNOWN;
            }
            if (namespace !== "AWS/Events" || metricName !== "FailedInvocations") {
                return false;
            }
            const ruleName = isUnknown(dimensions) ? UNKNOWN : (dimensions as Record<string, Value> | undefined)?.RuleName;
            if (ruleName !== undefined && !isUnknown(ruleName) && typeof rule.props.name === "string") {
                return ruleName === rule.props.name;
            }
            return stack.refersTo(alarm, property, ruleName ?? null, rule) ? true : isUnknown(ruleName) ? UNKNOWN : false;
        }),
    );
}
