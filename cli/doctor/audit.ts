/**
 * The audit chain: CloudTrail records the calls, EventBridge rules match them and publish to the topic, the topic
 * e-mails its confirmed subscribers, and an alarm says when a rule could not deliver.
 */
import { DescribeTrailsCommand, GetEventSelectorsCommand, GetTrailStatusCommand, type Trail } from "@aws-sdk/client-cloudtrail";
import { DescribeAlarmsCommand, GetMetricDataCommand, type MetricDataQuery } from "@aws-sdk/client-cloudwatch";
import { DescribeRuleCommand, ListTargetsByRuleCommand, TestEventPatternCommand } from "@aws-sdk/client-eventbridge";
import { ListSubscriptionsByTopicCommand, type Subscription } from "@aws-sdk/client-sns";
import { GetQueueAttributesCommand } from "@aws-sdk/client-sqs";
import { UNDELIVERED_METRICS } from "../../components/alertDelivery";
import { check, CheckContext, combine, count, fail, Finding, pass, warn } from "./check";
import {
    CloudTrailEvent,
    disableRule,
    EventSite,
    execTaskOnForeignGroup,
    execTaskRefused,
    execTaskStarted,
    executeCommandOpened,
    executeCommandRefused,
    otherRunTask,
    portForwardingSession,
    shellSession,
    stopLogging,
    unlistedForwardingSession,
} from "./events";

const DAY_MS = 86_400_000;
const notFound = (e: unknown) => (e as Error)?.name === "ResourceNotFoundException" || (e as Error)?.name === "TrailNotFoundException";

/** The calls a rule's pattern names (`detail.eventName` literals), empty when it names none. */
export function patternEventNames(pattern: string | undefined): string[] {
    try {
        const names = JSON.parse(pattern ?? "{}")?.detail?.eventName;
        return Array.isArray(names) ? names.filter((n): n is string => typeof n === "string") : [];
    } catch {
        return [];
    }
}

/** CloudTrail's management write events: a basic selector, or an advanced one of the Management category that keeps writes. */
export function logsManagementWrites(selectors: {
    EventSelectors?: { IncludeManagementEvents?: boolean; ReadWriteType?: string }[];
    AdvancedEventSelectors?: { FieldSelectors?: { Field?: string; Equals?: string[]; NotEquals?: string[] }[] }[];
}): boolean {
    const basic = (selectors.EventSelectors ?? []).some((s) => s.IncludeManagementEvents !== false && (s.ReadWriteType === "All" || s.ReadWriteType === "WriteOnly"));
    const advanced = (selectors.AdvancedEventSelectors ?? []).some((s) => {
        const field = (name: string) => (s.FieldSelectors ?? []).find((f) => f.Field === name);
        const category = field("eventCategory");
        const readOnly = field("readOnly");
        const source = field("eventSource");
        return (
            category?.Equals?.includes("Management") === true &&
            !(readOnly?.Equals?.includes("true") && !readOnly.Equals.includes("false")) &&
            !(source?.NotEquals ?? []).includes("ecs.amazonaws.com") &&
            (source?.Equals === undefined || source.Equals.includes("ecs.amazonaws.com"))
        );
    });
    return basic || advanced;
}

export const trail = check<"cloudTrail" | "trailName">({
    id: "trail",
    group: "audit",
    title: "CloudTrail logs this region's management write events",
    actions: ["cloudtrail:DescribeTrails", "cloudtrail:GetTrailStatus", "cloudtrail:GetEventSelectors"],
    outputs: ["cloudTrail", "trailName"],
    async run(ctx) {
        const { cloudtrail } = ctx.clients;
        const created = ctx.stack.cloudTrail === "create";
        const described = await ctx.aws("cloudtrail:DescribeTrails", () =>
            cloudtrail.send(
                new DescribeTrailsCommand(created ? { trailNameList: [ctx.stack.trailName] } : { includeShadowTrails: true }),
            ),
        );
        const covering = (described.trailList ?? []).filter((t) => t.IsMultiRegionTrail || t.HomeRegion === ctx.region);
        const judge = async (t: Trail): Promise<Finding> => {
            const [status, selectors] = await Promise.all([
                ctx.aws("cloudtrail:GetTrailStatus", () => cloudtrail.send(new GetTrailStatusCommand({ Name: t.TrailARN }))),
                ctx.aws("cloudtrail:GetEventSelectors", () => cloudtrail.send(new GetEventSelectorsCommand({ TrailName: t.TrailARN }))),
            ]);
            const name = `trail ${t.Name}${t.IsOrganizationTrail ? " (organization trail)" : ""}`;
            if (!status.IsLogging) {
                return fail(
                    `${name} is not logging: no ExecuteCommand call reaches EventBridge, so no alert is sent`,
                    `aws cloudtrail start-logging --name ${t.TrailARN}${created ? " (or pulumi up)" : ""}`,
                );
            }
            if (!logsManagementWrites(selectors)) {
                return fail(`${name} does not log management write events`, `Log management events (All or WriteOnly) in ${t.Name}'s event selectors.`);
            }
            if (status.LatestDeliveryError) {
                return warn(`${name} logs, but its last log file delivery failed: ${status.LatestDeliveryError}`, "Check the trail's S3 bucket policy and KMS key.");
            }
            return pass(`${name} is logging this region's management write events`);
        };
        if (created) {
            const own = covering.find((t) => t.Name === ctx.stack.trailName);
            return own
                ? judge(own)
                : fail(`trail ${ctx.stack.trailName} does not exist in ${ctx.region}`, `pulumi up --stack ${ctx.outputs.stack} creates it.`);
        }
        // cloudTrail: existing. A trail of the organization's management account may not answer a member account.
        const findings = await Promise.all(
            covering.map((t) =>
                judge(t).catch((e: unknown): Finding => {
                    if (t.TrailARN?.split(":")[4] === ctx.caller.account) {
                        throw e;
                    }
                    return warn(`${t.Name} of account ${t.TrailARN?.split(":")[4]}: its status cannot be read from this account`, "");
                }),
            ),
        );
        const logging = findings.find((f) => f.status === "pass");
        if (logging) {
            return pass(logging.detail);
        }
        const where = "in the organization's management account";
        const how = `aws cloudtrail describe-trails and get-trail-status there (management events, All or WriteOnly, logging, ${ctx.region} covered)`;
        return warn(
            covering.length === 0
                ? `no trail visible to account ${ctx.caller.account} logs ${ctx.region} (cloudTrail: existing relies on one)`
                : `no trail visible here is known to log ${ctx.region}'s management writes: ${findings.map((f) => f.detail).join("; ")}`,
            `Check ${where}: ${how}. Without such a trail no alert is sent.`,
        );
    },
});

/**
 * A built-in event the rules of one call are tested with: exactly one of them must match it. `besides`: only rules
 * that do not match that other event count (an alert on some of the calls another alert reports already).
 */
interface Probe {
    /** The event, in a problem. */
    what: string;
    /** What matched it, in the summary: a label the rule's name follows. */
    label: string;
    event: CloudTrailEvent;
    besides?: { probe: Probe; what: string };
}

/**
 * The calls doctor places a rule by (the `detail.eventName` its pattern names), each with its events: ExecuteCommand
 * opened and refused; ecs-exec's RunTask started in the stack's network, refused, and started on a foreign security
 * group (which the network alert adds to the start alert); and, where the stack forwards ports, a forwarding session
 * and a default shell straight to a task. A rule on other calls cannot be placed.
 */
function probesByCall(site: EventSite, now: Date): Map<string, Probe[]> {
    const started: Probe = {
        what: "a RunTask that started the exec task in the stack's network",
        label: "an exec task started",
        event: execTaskStarted(site, now),
    };
    const probes = new Map<string, Probe[]>([
        [
            "ExecuteCommand",
            [
                { what: "a successful ExecuteCommand", label: "a session matches", event: executeCommandOpened(site, now) },
                { what: "a refused ExecuteCommand", label: "a refusal", event: executeCommandRefused(site, now) },
            ],
        ],
        [
            "RunTask",
            [
                started,
                { what: "a refused RunTask of the exec task", label: "refused", event: execTaskRefused(site, now) },
                {
                    what: "a RunTask that started the exec task on a foreign security group",
                    label: "on a foreign security group also",
                    event: execTaskOnForeignGroup(site, now),
                    besides: { probe: started, what: "those of a start in the stack's network" },
                },
            ],
        ],
    ]);
    const destination = site.portForwarding?.[0];
    if (destination) {
        const forwarding: Probe = {
            what: `a port forwarding StartSession to ${destination.name} on a task of ${site.clusterName}`,
            label: "a port forwarding session",
            event: portForwardingSession(site, now, destination),
        };
        probes.set("StartSession", [
            forwarding,
            {
                what: `a port forwarding StartSession to 127.0.0.1:22 on a task of ${site.clusterName}`,
                label: "to an unlisted destination also",
                event: unlistedForwardingSession(site, now),
                besides: { probe: forwarding, what: "those of a listed destination" },
            },
            { what: `a default-shell StartSession on a task of ${site.clusterName}`, label: "a shell straight to a task", event: shellSession(site, now) },
        ]);
    }
    return probes;
}

/** EventBridge retries an alert this long at most before it goes to the dead-letter queue (the stack's policy: 10 min). */
const LONGEST_RETRY_SECONDS = 3600;

/**
 * A deployed alert rule, as the stack declares it: it exists, is enabled, and sends to the topic without a role (the
 * topic's policy refuses to publish for one), retrying for minutes and then to a dead-letter queue, so that a failing
 * delivery is seen. Its pattern, for the caller to test.
 */
async function deployedRule(ctx: Pick<CheckContext<never>, "aws" | "clients">, name: string, topic: string): Promise<{ pattern?: string; problems: string[] }> {
    const { events } = ctx.clients;
    const [rule, targets] = await Promise.all([
        ctx.aws("events:DescribeRule", () => events.send(new DescribeRuleCommand({ Name: name })).catch((e) => (notFound(e) ? undefined : Promise.reject(e)))),
        ctx.aws("events:ListTargetsByRule", () => events.send(new ListTargetsByRuleCommand({ Rule: name })).catch((e) => (notFound(e) ? undefined : Promise.reject(e)))),
    ]);
    if (!rule) {
        return { problems: [`${name} does not exist`] };
    }
    const problems: string[] = [];
    if (rule.State !== "ENABLED") {
        problems.push(`${name} is ${rule.State}`);
    }
    const toTopic = (targets?.Targets ?? []).filter((t) => t.Arn === topic);
    if (toTopic.length === 0) {
        problems.push(`${name} does not target ${topic}`);
    } else if (toTopic.some((t) => t.RoleArn)) {
        problems.push(`${name}'s target has a role, which the topic's policy refuses to publish for`);
    } else if (toTopic.some((t) => t.DeadLetterConfig?.Arn === undefined || (t.RetryPolicy?.MaximumEventAgeInSeconds ?? 86_400) > LONGEST_RETRY_SECONDS)) {
        problems.push(`${name}'s target retries for up to a day with no dead-letter queue, so a failing delivery goes unseen for that long`);
    }
    return { pattern: rule.EventPattern, problems };
}

export const alertRule = check<"alertRuleNames" | "alertTopicArn">({
    id: "alert-rule",
    group: "audit",
    title: "Each alert rule is enabled, targets the topic, and matches what it should",
    actions: ["events:DescribeRule", "events:ListTargetsByRule", "events:TestEventPattern"],
    outputs: ["alertRuleNames", "alertTopicArn"],
    async run(ctx) {
        const { events } = ctx.clients;
        const topic = ctx.stack.alertTopicArn;
        const now = new Date(ctx.now());
        const where = { account: ctx.caller.account, region: ctx.region, partition: ctx.caller.partition };
        const probes = probesByCall({ ...ctx.outputs, ...where }, now);
        const unrelated = otherRunTask(where, now);
        const test = (pattern: string, event: CloudTrailEvent) =>
            ctx
                .aws("events:TestEventPattern", () => events.send(new TestEventPatternCommand({ EventPattern: pattern, Event: JSON.stringify(event) })))
                .then((r) => r.Result === true);

        // The chain's own watch has its check, audit-watch.
        const watch = new Set(ctx.optional.auditWatchRuleNames ?? []);
        const rules = await Promise.all(
            ctx.stack.alertRuleNames.filter((name) => !watch.has(name)).map(async (name) => {
                const { pattern, problems } = await deployedRule(ctx, name, topic);
                if (pattern === undefined) {
                    return { name, problems, eventNames: [], placed: false, matched: new Set<Probe>() };
                }
                const eventNames = patternEventNames(pattern);
                const own = eventNames.flatMap((call) => probes.get(call) ?? []);
                const [matchesUnrelated, ...matchesOwn] = await Promise.all(
                    [unrelated, ...own.map((p) => p.event)].map((event) => test(pattern, event)),
                );
                if (matchesUnrelated) {
                    problems.push(`${name} matches a RunTask of another task definition in another cluster`);
                }
                return { name, problems, eventNames, placed: own.length > 0, matched: new Set(own.filter((_, i) => matchesOwn[i])) };
            }),
        );
        const problems = rules.flatMap((r) => r.problems);
        const matching = (probe: Probe) =>
            rules.filter((r) => r.matched.has(probe) && !(probe.besides && r.matched.has(probe.besides.probe))).map((r) => r.name);
        for (const probe of [...probes.values()].flat()) {
            const names = matching(probe);
            if (names.length !== 1) {
                const found = names.length === 0 ? "no rule" : `${names.length} rules (${names.join(", ")})`;
                problems.push(`${probe.what} matches ${found}${probe.besides ? ` besides ${probe.besides.what}` : ""}, not exactly one`);
            }
        }
        if (problems.length > 0) {
            return fail(problems.join("; "), `pulumi up --stack ${ctx.outputs.stack} restores the rules, their patterns and targets.`);
        }
        const others = rules.filter((r) => !r.placed);
        const matched = [...probes.values()].map((family) => family.map((p) => `${p.label} ${matching(p)[0]}`).join(", "));
        return pass(
            `${count(rules.length, "rule")} enabled, each targeting the topic; ${matched.join("; ")}; another team's RunTask none` +
                (others.length > 0
                    ? ` (${others.map((r) => `${r.name} on ${r.eventNames.join(", ") || "other events"}`).join(", ")}: tested with that RunTask only)`
                    : ""),
        );
    },
});

export const alertDelivery = check<"alertRuleNames" | "alertAlarmNames" | "alertTopicArn" | "alertDeadLetterQueueUrl">({
    id: "alert-delivery",
    group: "audit",
    title: "No alert failed to deliver in the last 24 h, none waits undelivered, and the alarms on it are armed",
    actions: ["cloudwatch:GetMetricData", "cloudwatch:DescribeAlarms", "sqs:GetQueueAttributes"],
    outputs: ["alertRuleNames", "alertAlarmNames", "alertTopicArn", "alertDeadLetterQueueUrl"],
    async run(ctx) {
        const { cloudwatch, sqs } = ctx.clients;
        const rules = ctx.stack.alertRuleNames;
        const end = new Date(ctx.now());
        const start = new Date(end.getTime() - DAY_MS);
        const query = (id: string, metric: string, rule: string): MetricDataQuery => ({
            Id: id,
            MetricStat: {
                Metric: { Namespace: "AWS/Events", MetricName: metric, Dimensions: [{ Name: "RuleName", Value: rule }] },
                Period: 3600,
                Stat: "Sum",
            },
        });
        const queries = rules.flatMap((rule, i) => [
            ...UNDELIVERED_METRICS.map((metric, m) => query(`undelivered${i}m${m}`, metric, rule)),
            query(`invoked${i}`, "Invocations", rule),
        ]);
        const [sums, alarms, queue] = await Promise.all([
            ctx.aws("cloudwatch:GetMetricData", async () => {
                const total = new Map<string, number>();
                let NextToken: string | undefined;
                do {
                    const page = await cloudwatch.send(new GetMetricDataCommand({ MetricDataQueries: queries, StartTime: start, EndTime: end, NextToken }));
                    for (const result of page.MetricDataResults ?? []) {
                        total.set(result.Id!, (total.get(result.Id!) ?? 0) + (result.Values ?? []).reduce((a, b) => a + b, 0));
                    }
                    NextToken = page.NextToken;
                } while (NextToken);
                return total;
            }),
            ctx.aws("cloudwatch:DescribeAlarms", () => cloudwatch.send(new DescribeAlarmsCommand({ AlarmNames: ctx.stack.alertAlarmNames }))),
            ctx.aws("sqs:GetQueueAttributes", () =>
                sqs.send(
                    new GetQueueAttributesCommand({
                        QueueUrl: ctx.stack.alertDeadLetterQueueUrl,
                        AttributeNames: ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
                    }),
                ),
            ),
        ]);
        const findings: Finding[] = [];
        const undelivered = (i: number) => UNDELIVERED_METRICS.reduce((n, _, m) => n + (sums.get(`undelivered${i}m${m}`) ?? 0), 0);
        const failed = rules.map((rule, i) => [rule, undelivered(i)] as const).filter(([, n]) => n > 0);
        if (failed.length > 0) {
            findings.push(
                fail(
                    `undelivered events in the last 24 h: ${failed.map(([rule, n]) => `${rule} ${n}`).join(", ")}; those alerts were not sent`,
                    "See docs/security.md, When an alert is not delivered (topic policy, audit key, target); npx ecs-exec audit --since 24h lists the calls.",
                ),
            );
        }
        const waiting = ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"].reduce(
            (n, attribute) => n + Number(queue.Attributes?.[attribute as keyof typeof queue.Attributes] ?? 0),
            0,
        );
        if (waiting > 0) {
            findings.push(
                fail(
                    `${count(waiting, "undelivered alert")} in the dead-letter queue ${ctx.stack.alertDeadLetterQueueUrl}: never sent to the topic`,
                    `Read them (aws sqs receive-message --queue-url ${ctx.stack.alertDeadLetterQueueUrl} --max-number-of-messages 10), ` +
                        "fix the cause (docs/security.md, When an alert is not delivered), then have an audit administrator purge the queue.",
                ),
            );
        }
        for (const name of ctx.stack.alertAlarmNames) {
            const alarm = alarms.MetricAlarms?.find((a) => a.AlarmName === name);
            if (!alarm) {
                findings.push(fail(`alarm ${name} does not exist`, `pulumi up --stack ${ctx.outputs.stack} restores it.`));
            } else if (!alarm.ActionsEnabled || !(alarm.AlarmActions ?? []).includes(ctx.stack.alertTopicArn)) {
                findings.push(fail(`alarm ${name} does not notify ${ctx.stack.alertTopicArn}`, `pulumi up --stack ${ctx.outputs.stack} restores its action.`));
            } else if (alarm.StateValue === "ALARM") {
                findings.push(fail(`alarm ${name} is in ALARM: ${alarm.StateReason}`, "See docs/security.md, When an alert is not delivered."));
            }
        }
        const delivered = rules.reduce((n, _, i) => n + (sums.get(`invoked${i}`) ?? 0), 0);
        return combine(
            findings,
            `0 undelivered events in the last 24 h (${count(delivered, "alert")} delivered), none waiting in the dead-letter queue; ` +
                `${count(ctx.stack.alertAlarmNames.length, "alarm")} armed on the topic`,
        );
    },
});

export const auditWatch = check<"auditWatchRuleNames" | "alertRuleNames" | "alertTopicArn" | "cloudTrail" | "trailName">({
    id: "audit-watch",
    group: "audit",
    title: "The audit chain watches itself: its rules are enabled, target the topic, and match changes to it",
    actions: ["events:DescribeRule", "events:ListTargetsByRule", "events:TestEventPattern"],
    outputs: ["auditWatchRuleNames", "alertRuleNames", "alertTopicArn", "cloudTrail", "trailName"],
    async run(ctx) {
        const { events } = ctx.clients;
        const topic = ctx.stack.alertTopicArn;
        const watch = ctx.stack.auditWatchRuleNames;
        const now = new Date(ctx.now());
        const where = { account: ctx.caller.account, region: ctx.region, partition: ctx.caller.partition };
        const alertRule = ctx.stack.alertRuleNames.find((name) => !watch.includes(name));
        // Each must reach exactly one rule: an alert rule disabled, a rule of the watch disabled (the other family
        // reports it), and the trail stopped (with an existing trail, the one the stack names in its place).
        const trailName = ctx.stack.cloudTrail === "create" ? ctx.stack.trailName : "organization-trail";
        const probes = [
            ...(alertRule ? [{ what: `DisableRule of ${alertRule}`, event: disableRule(where, now, alertRule) }] : []),
            { what: `DisableRule of ${watch[0]}`, event: disableRule(where, now, watch[0]) },
            { what: `StopLogging of ${trailName}`, event: stopLogging(where, now, trailName) },
        ];
        const rules = await Promise.all(
            watch.map(async (name) => {
                const { pattern, problems } = await deployedRule(ctx, name, topic);
                const matched = await Promise.all(
                    probes.map(({ event }) =>
                        pattern === undefined
                            ? false
                            : ctx
                                  .aws("events:TestEventPattern", () => events.send(new TestEventPatternCommand({ EventPattern: pattern, Event: JSON.stringify(event) })))
                                  .then((r) => r.Result === true),
                    ),
                );
                return { name, problems, matched };
            }),
        );
        const problems = rules.flatMap((r) => r.problems);
        probes.forEach((probe, i) => {
            const names = rules.filter((r) => r.matched[i]).map((r) => r.name);
            if (names.length !== 1) {
                problems.push(`${probe.what} matches ${names.length === 0 ? "no rule" : `${names.length} rules (${names.join(", ")})`}, not exactly one`);
            }
        });
        if (problems.length > 0) {
            return fail(problems.join("; "), `pulumi up --stack ${ctx.outputs.stack} restores the rules, their patterns and targets.`);
        }
        const summary =
            `${count(rules.length, "rule")} enabled, each targeting the topic with a dead-letter queue; ` +
            probes.map((probe, i) => `${probe.what}: ${rules.find((r) => r.matched[i])!.name}`).join("; ");
        // IAM's events reach EventBridge in us-east-1 only (CloudTrail User Guide, "global service events").
        if (ctx.region !== "us-east-1") {
            return warn(
                `${summary}; but changes to the developer policy and the stack's roles reach EventBridge in us-east-1 only, so none is reported here`,
                "Watch IAM changes from us-east-1 (an EventBridge rule there on iam.amazonaws.com), or rely on CloudTrail for them.",
            );
        }
        return pass(summary);
    },
});

export const alertSubscriptions = check<"alertTopicArn">({
    id: "alert-subscriptions",
    group: "audit",
    title: "Someone receives the alerts: a confirmed subscription, none pending",
    actions: ["sns:ListSubscriptionsByTopic"],
    outputs: ["alertTopicArn"],
    async run(ctx) {
        const topic = ctx.stack.alertTopicArn;
        const subscriptions = await ctx.aws("sns:ListSubscriptionsByTopic", async () => {
            const all: Subscription[] = [];
            let NextToken: string | undefined;
            do {
                const page = await ctx.clients.sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: topic, NextToken }));
                all.push(...(page.Subscriptions ?? []));
                NextToken = page.NextToken;
            } while (NextToken);
            return all;
        });
        const pending = subscriptions.filter((s) => s.SubscriptionArn === "PendingConfirmation");
        const confirmed = subscriptions.filter((s) => s.SubscriptionArn?.startsWith("arn:"));
        const findings: Finding[] = [];
        if (pending.length > 0) {
            const who = pending.map((s) => `${s.Protocol} ${s.Endpoint}`).join(", ");
            findings.push(
                fail(
                    `not confirmed: ${who}: they receive nothing`,
                    `Each confirms with the link in the "AWS Notification - Subscription Confirmation" e-mail; to send it again: ` +
                        `aws sns subscribe --topic-arn ${topic} --protocol email --notification-endpoint <address>.`,
                ),
            );
        }
        if (confirmed.length === 0) {
            findings.push(fail("no confirmed subscription: alerts reach nobody", "Set ecs-exec:alertEmails, pulumi up, and confirm the e-mail."));
        }
        return combine(findings, `${count(confirmed.length, "confirmed subscription")} (${confirmed.map((s) => `${s.Protocol} ${s.Endpoint}`).join(", ")}), none pending`);
    },
});
