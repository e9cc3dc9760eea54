/**
 * `ecs-exec doctor` against a deployed dev stack standing in on 127.0.0.1 (support/fakeAccount.ts): the real SDK of
 * each service over its own wire protocol, every request authorized by the IAM simulator on the caller's policies.
 * The healthy run is the real bin, as users run it; the faults run the same `main` in-process, one after the other on
 * the same stand-in, each on a fresh healthy state with one thing broken.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { DOCTOR_ACTIONS, UNAUTHORIZED_ACTIONS } from "../../components/access";
import { main } from "../../cli/main";
import { CHECKS, DoctorReport, formatReport, wantsColor } from "../../cli/doctor/run";
import { SynthResult } from "../../synth/synth";
import { simulate, simulateUnvalidated } from "../support/iam";
import { synthStack } from "../support/synthRun";
import { assertBuiltFromCurrentSources } from "./support/bundle";
import { AccountState, CALLER, COLLEAGUE, FakeAccount, RecordedCall } from "./support/fakeAccount";
import { Sandbox, startTool, ToolExit } from "./support/tool";
import { FakePlugin, FakeSignals, FakeTerminal } from "./support/unit";
import { readDoc } from "../support/docs";

const IDS = [
    "credentials",
    "plugin",
    "caller-permissions",
    "kms-key",
    "task-role-permissions",
    "cluster-logging",
    "session-log-group",
    "task-definition",
    "network",
    "exec-task-network",
    "exec-agent",
    "trail",
    "alert-rule",
    "alert-delivery",
    "alert-subscriptions",
    "audit-watch",
];
const NOW = Date.parse("2026-03-14T10:15:00Z");

/** The statuses of a report, by check id. */
const statuses = (report: DoctorReport) => Object.fromEntries(report.checks.map((c) => [c.id, c.status]));

describe("ecs-exec doctor against a deployed stack (real SDK, local AWS of every service it reads)", function () {
    this.timeout(30_000);
    let synth: SynthResult;
    let account: FakeAccount;
    let sandbox: Sandbox;
    let human: ToolExit;
    let healthyCalls: RecordedCall[];

    before(async () => {
        assertBuiltFromCurrentSources();
        synth = await synthStack("dev");
        account = await new FakeAccount(synth).start();
        sandbox = await Sandbox.create();
        const env = { ...sandbox.env(account), ...account.endpointEnv() };
        human = await startTool(["doctor", "--stack", "dev", "--outputs", sandbox.outputsFile], env).exited;
        healthyCalls = [...account.calls];
    });

    after(async () => {
        await account?.stop();
        sandbox?.remove();
    });

    describe("a healthy deployment", () => {
        it("passes every check, exit 0, one line per check under access, session path and audit, no colour off a terminal", () => {
            assert.equal(human.code, 0, human.stderr);
            assert.doesNotMatch(human.stdout, /\x1b\[/);
            const lines = human.stdout.trimEnd().split("\n");
            assert.deepEqual(
                lines.filter((l) => /^\S/.test(l)).slice(1, -1),
                ["access", "session path", "audit"],
            );
            assert.deepEqual(
                lines.filter((l) => l.startsWith("  ✓ ")).map((l) => l.split(/\s+/)[2]),
                IDS,
            );
            assert.equal(lines[lines.length - 1], "16 passed, 0 failed, 0 warnings, 0 skipped.");
        });

        it("is docs/verification.md's sample run, word for word", () => {
            const page = readDoc("verification");
            const section = page.slice(page.indexOf("## Verify your deployment"));
            const sample = /```console\n\$ npx ecs-exec doctor --stack dev\n([\s\S]*?)```/.exec(section)?.[1];
            assert.equal(sample, human.stdout, "docs/verification.md's doctor sample is out of date: put the run's output (actual, above) after `$ npx ecs-exec doctor --stack dev`");
        });

        it("makes only reads, each allowed by the caller's policies, and proves what the simulation covers", () => {
            assert.ok(healthyCalls.every((c) => c.allowed));
            assert.ok(healthyCalls.every((c) => /^[a-z0-9]+:(Get|Describe|List|Simulate|Test)/.test(c.action)), "reads only");
            const simulated = healthyCalls.filter((c) => c.action === "iam:SimulatePrincipalPolicy").map((c) => c.resources[0]);
            assert.deepEqual([...new Set(simulated)].sort(), [CALLER.roleArn, (synth.outputs as any).taskRoleArn].sort());
        });
    });

    describe("the doctor policy: exactly the reads doctor makes, on the narrowest resources", () => {
        const doctorPolicy = () => JSON.parse(synth.resources.find((r) => r.name === "doctor-access-policy")!.inputs.policy as string);
        const policyActions = () => new Set(doctorPolicy().Statement.flatMap((s: { Action: string[] }) => s.Action));

        it("holds what the checks declare, and the checks declare what a run calls", () => {
            const declared = new Set(CHECKS.flatMap((c) => c.actions));
            assert.deepEqual([...declared].sort(), [...DOCTOR_ACTIONS].sort());
            assert.deepEqual([...new Set(healthyCalls.map((c) => c.action))].sort(), [...DOCTOR_ACTIONS].sort());
            assert.deepEqual(
                [...policyActions()].sort(),
                DOCTOR_ACTIONS.filter((a) => !UNAUTHORIZED_ACTIONS.includes(a)).sort(),
            );
        });

        const keyPolicyOf = (keyArn: string) => [account.state.key, account.state.auditKey].find((k) => k.arn === keyArn)!.policy;

        it("allows, alone, every request of a run, on the resources and with the context IAM sees", async () => {
            for (const call of healthyCalls.filter((c) => !UNAUTHORIZED_ACTIONS.includes(c.action as never))) {
                for (const resource of call.resources) {
                    const request = {
                        principal: CALLER.arn,
                        action: call.action,
                        resource,
                        context: { "aws:PrincipalArn": CALLER.roleArn, "aws:userid": CALLER.userId, ...call.context },
                        identityPolicies: { doctor: doctorPolicy() },
                        resourcePolicy: call.action.startsWith("kms:") ? JSON.parse(keyPolicyOf(resource)) : undefined,
                    };
                    const decision = resource === "*" && call.action === "cloudwatch:GetMetricData" ? simulateUnvalidated(request) : (await simulate(request)).decision;
                    assert.equal(decision, "Allowed", `${call.action} on ${resource}`);
                }
            }
        });

        it("refuses every write, and reads of other stacks", async () => {
            const o = synth.outputs as any;
            const refused: [string, string][] = [
                ["ecs:StopTask", `arn:aws:ecs:us-east-1:111122223333:task/dev-ecs-exec/0a1b2c3d4e5f60718293a4b5c6d7e8f9`],
                ["ecs:RunTask", o.taskDefinitionArn],
                ["ecs:UpdateCluster", o.clusterArn],
                ["events:DisableRule", `arn:aws:events:us-east-1:111122223333:rule/${o.alertRuleNames[0]}`],
                ["events:PutTargets", `arn:aws:events:us-east-1:111122223333:rule/${o.alertRuleNames[0]}`],
                ["sns:Subscribe", o.alertTopicArn],
                ["sns:Unsubscribe", o.alertTopicArn],
                ["cloudtrail:StopLogging", `arn:aws:cloudtrail:us-east-1:111122223333:trail/dev-ecs-exec`],
                ["logs:DeleteLogGroup", `arn:aws:logs:us-east-1:111122223333:log-group:/ecs-exec/dev/sessions`],
                ["logs:GetLogEvents", `arn:aws:logs:us-east-1:111122223333:log-group:/ecs-exec/dev/sessions:log-stream:ecs-execute-command-1`],
                ["kms:Decrypt", o.kmsKeyArn],
                ["kms:DisableKey", o.kmsKeyArn],
                ["kms:DisableKey", account.state.auditKey.arn],
                ["kms:ScheduleKeyDeletion", account.state.auditKey.arn],
                ["kms:GetKeyPolicy", account.state.auditKey.arn],
                ["sns:SetTopicAttributes", o.alertTopicArn],
                ["iam:PutRolePolicy", o.taskRoleArn],
                ["iam:PassRole", o.taskRoleArn],
                ["ecs:DescribeClusters", "arn:aws:ecs:us-east-1:111122223333:cluster/payments"],
                ["kms:DescribeKey", "arn:aws:kms:us-east-1:111122223333:key/11111111-2222-4333-8444-555555555555"],
            ];
            for (const [action, resource] of refused) {
                const { decision } = await simulate({
                    principal: CALLER.arn,
                    action,
                    resource,
                    context: { "aws:PrincipalArn": CALLER.roleArn },
                    identityPolicies: { doctor: doctorPolicy() },
                });
                assert.equal(decision, "ImplicitlyDenied", `${action} on ${resource}`);
            }
        });
    });

    describe("each fault fails exactly its check (in-process, the same stand-in)", () => {
        const saved = { ...process.env };
        before(() => {
            Object.assign(process.env, sandbox.env(account), account.endpointEnv());
        });
        after(() => {
            for (const key of Object.keys(process.env)) {
                if (!(key in saved)) {
                    delete process.env[key];
                }
            }
            Object.assign(process.env, saved);
        });

        async function doctor(args: string[] = ["--json"], tty = false) {
            let stdout = "";
            let stderr = "";
            const code = await main({
                argv: ["node", "ecs-exec", "doctor", "--stack", "dev", "--outputs", sandbox.outputsFile, ...args],
                env: process.env,
                stdout: { write: (s: string | Buffer) => ((stdout += s), true), once: () => undefined, isTTY: tty },
                stderr: { write: (s: string) => (stderr += s) },
                signals: new FakeSignals(),
                plugin: new FakePlugin(),
                pulumi: () => Promise.reject(new Error("not used")),
                now: () => NOW,
                terminal: new FakeTerminal(),
            });
            return { code, stdout, stderr };
        }

        it("prints, with --json, the report in the documented shape: every check of a healthy stack passes", async () => {
            account.reset();
            const { code, stdout } = await doctor();
            const report = JSON.parse(stdout) as DoctorReport;
            assert.deepEqual(Object.keys(report), ["stack", "region", "checks"]);
            assert.equal(report.stack, "dev");
            assert.equal(report.region, "us-east-1");
            assert.deepEqual(
                report.checks.map((c) => c.id),
                IDS,
            );
            for (const c of report.checks) {
                assert.deepEqual(Object.keys(c), ["id", "status", "title", "detail", "fix"]);
                assert.equal(c.status, "pass", `${c.id}: ${c.detail}`);
                assert.equal(c.fix, null);
            }
            assert.equal(code, 0);
        });

        const firstRule = (s: AccountState) => s.rules.get("dev-ecs-exec-execute-command")!;
        const rule = (s: AccountState, id: string) => s.rules.get(`dev-ecs-exec-${id}`)!;
        const rename = (s: AccountState, id: string, from: string, to: string) => {
            const pattern = rule(s, id).pattern;
            assert.ok(pattern.includes(from), `${id}'s pattern has ${from}`);
            rule(s, id).pattern = pattern.replace(from, to);
        };
        const callersTask = (s: AccountState) => s.tasks.find((t) => t.owner === CALLER.userId)!;
        const colleaguesTask = (s: AccountState) => s.tasks.find((t) => t.owner === COLLEAGUE)!;
        const faults: [string, string, (s: AccountState) => void][] = [
            ["exec logging off on the cluster", "cluster-logging", (s) => (s.cluster.configuration.executeCommandConfiguration.logging = "NONE")],
            ["initProcessEnabled off", "task-definition", (s) => (s.taskDefinition.containerDefinitions[0].linuxParameters.initProcessEnabled = false)],
            ["a plain (unencrypted) session log group", "session-log-group", (s) => delete s.logGroup.kmsKeyId],
            ["an alert rule disabled", "alert-rule", (s) => (firstRule(s).state = "DISABLED")],
            ["a pattern that no longer matches ExecuteCommand", "alert-rule", (s) => (firstRule(s).pattern = firstRule(s).pattern.replace('"ExecuteCommand"', '"ExecuteCommands"'))],
            ["a RunTask alert whose pattern no longer matches RunTask", "alert-rule", (s) => rename(s, "run-task", '"RunTask"', '"RunTasks"')],
            ["a StartSession alert whose pattern no longer matches StartSession", "alert-rule", (s) => rename(s, "start-session-forward", '"StartSession"', '"StartSessions"')],
            ["the network alert no longer matching a foreign security group", "alert-rule", (s) => rename(s, "run-task-network", '"securityGroups":[{"anything-but"', '"securityGroup":[{"anything-but"')],
            ["failed invocations in the last 24 h", "alert-delivery", (s) => s.failedInvocations.set([...s.rules.keys()][1], 2)],
            ["undelivered alerts waiting in the dead-letter queue", "alert-delivery", (s) => (s.deadLetters = 3)],
            ["a rule of the chain's watch disabled", "audit-watch", (s) => (s.rules.get("dev-ecs-exec.audit-chain-trail")!.state = "DISABLED")],
            ["the rule that watches the watch, disabled", "audit-watch", (s) => (s.rules.get("dev-ecs-exec-audit-watch")!.state = "DISABLED")],
            ["an alert rule's target without its dead-letter queue", "alert-rule", (s) => delete s.rules.get("dev-ecs-exec-run-task")!.targets[0].DeadLetterConfig],
            ["a watch rule's target without its dead-letter queue", "audit-watch", (s) => delete s.rules.get("dev-ecs-exec.audit-chain-delivery")!.targets[0].DeadLetterConfig],
            ["a watch rule no longer matching StopLogging", "audit-watch", (s) => {
                const records = s.rules.get("dev-ecs-exec.audit-chain-trail")!;
                records.pattern = records.pattern.replace('"StopLogging",', "");
            }],
            ["a subscription pending confirmation", "alert-subscriptions", (s) => s.subscriptions.push({ arn: "PendingConfirmation", endpoint: "oncall@example.com" })],
            ["the trail not logging", "trail", (s) => (s.trail.logging = false)],
            ["the exec agent stopped", "exec-agent", (s) => Object.assign(callersTask(s), { agent: "STOPPED", agentReason: "Failed to start" })],
            ["a colleague's exec task on a foreign security group", "exec-task-network", (s) => (colleaguesTask(s).groups = ["sg-0f0e0d0c0b0a09080"])],
            ["a colleague's exec task in a foreign subnet", "exec-task-network", (s) => (colleaguesTask(s).subnetId = "subnet-0f0e0d0c0b0a09081")],
            ["subnets without a way out", "network", (s) => s.routeTables.forEach((t) => (t.routes = t.routes.filter((r) => r.gatewayId === "local")))],
            ["the exec key disabled", "kms-key", (s) => (s.key.state = "Disabled")],
            ["the audit key disabled", "kms-key", (s) => (s.auditKey.state = "Disabled")],
            ["the audit key pending deletion", "kms-key", (s) => Object.assign(s.auditKey, { state: "PendingDeletion", deletionDate: new Date("2026-04-13T10:15:00Z") })],
            ["the audit key deleted", "kms-key", (s) => (s.auditKey.state = "Deleted")],
            [
                "a task role without the Session Manager channels",
                "task-role-permissions",
                (s) => {
                    const policy = s.principals.get((synth.outputs as any).taskRoleArn)!["ecs-exec-agent"];
                    policy.Statement = policy.Statement.filter((st: { Sid: string }) => st.Sid !== "SessionManagerChannels");
                },
            ],
            [
                "a caller who may stop anyone's exec task",
                "caller-permissions",
                (s) =>
                    (s.principals.get(CALLER.roleArn)!.stopAny = {
                        Version: "2012-10-17",
                        Statement: [{ Effect: "Allow", Action: "ecs:StopTask", Resource: "*" }],
                    }),
            ],
        ];
        for (const [fault, id, inject] of faults) {
            it(`${fault}: ${id} fails, every other check passes, exit 1`, async () => {
                account.reset();
                inject(account.state);
                const { code, stdout, stderr } = await doctor();
                const report = JSON.parse(stdout) as DoctorReport;
                assert.deepEqual(statuses(report), Object.fromEntries(IDS.map((i) => [i, i === id ? "fail" : "pass"])), stderr);
                const failed = report.checks.find((c) => c.id === id)!;
                assert.ok(failed.fix && failed.fix.length > 10, `${id} says what to do`);
                assert.equal(code, 1);
            });
        }

        it("says which key is off, the exec key or the audit key the alert topic names, and how to turn it back on", async () => {
            const kmsKey = async (inject: (s: AccountState) => void) => {
                account.reset();
                inject(account.state);
                return (JSON.parse((await doctor()).stdout) as DoctorReport).checks.find((c) => c.id === "kms-key")!;
            };
            const exec = account.state.key.arn;
            const audit = account.state.auditKey.arn;
            const id = (arn: string) => arn.split("/").pop();
            const disabled = await kmsKey((s) => (s.key.state = "Disabled"));
            assert.match(disabled.detail, new RegExp(`^the exec key ${id(exec)} is Disabled: no exec session can start`));
            assert.equal(disabled.fix, `Enable it: aws kms enable-key --key-id ${exec}.`);
            const pending = await kmsKey((s) => Object.assign(s.auditKey, { state: "PendingDeletion", deletionDate: new Date("2026-04-13T10:15:00Z") }));
            assert.match(pending.detail, new RegExp(`^the audit key ${id(audit)} is pending deletion, deleted on 2026-04-13: the alert topic, its dead-letter queue and the alarms deliver nothing`));
            assert.equal(pending.fix, `aws kms cancel-key-deletion --key-id ${audit}, then aws kms enable-key --key-id ${audit} (a cancelled deletion leaves it Disabled).`);
            const both = await kmsKey((s) => {
                s.key.state = "Disabled";
                s.auditKey.state = "Disabled";
            });
            assert.match(both.detail, new RegExp(`^the audit key ${id(audit)} is Disabled: .*; the exec key ${id(exec)} is Disabled: `));
            const gone = await kmsKey((s) => (s.auditKey.state = "Deleted"));
            assert.match(gone.detail, new RegExp(`^the audit key ${id(audit)} no longer exists: `));
            // The audit key is found through the topic, and described by its ARN.
            assert.ok(account.calls.some((c) => c.action === "sns:GetTopicAttributes" && c.allowed));
            assert.ok(account.calls.some((c) => c.action === "kms:DescribeKey" && c.resources[0] === audit));
            // A topic without a key says nothing of the audit key: a warning, not a pass.
            const unencrypted = await kmsKey((s) => delete s.topicKmsMasterKeyId);
            assert.equal(unencrypted.status, "warn");
            assert.match(unencrypted.detail, /^the alert topic arn:aws:sns:\S+ names no KMS key/);
        });

        it("checks every rule the outputs list, and tests rules on calls it has no events of against the unrelated RunTask", async () => {
            account.reset();
            const o = synth.outputs as Record<string, any>;
            // A rule of the team's own, on StopTask in the exec cluster, next to the stack's.
            const rule = "dev-ecs-exec-team-stop-task";
            const alarm = `${rule}-undelivered`;
            const outputs = (name: string, more: object = {}) => {
                const file = path.join(sandbox.dir, `${name}.json`);
                fs.writeFileSync(file, JSON.stringify({ ...o, alertRuleNames: [...o.alertRuleNames, rule], alertAlarmNames: [...o.alertAlarmNames, alarm], ...more }));
                return ["--outputs", file, "--json"];
            };
            // The stack grants doctor the reads of every rule and alarm it lists.
            const doctorPolicy = account.state.principals.get(CALLER.roleArn)!["dev-ecs-exec-doctor"];
            const statement = (sid: string) => doctorPolicy.Statement.find((st: { Sid: string }) => st.Sid === sid);
            statement("ReadTheAlertRules").Resource.push(`arn:aws:events:us-east-1:111122223333:rule/${rule}`);
            statement("ReadTheDeliveryAlarms").Resource.push(`arn:aws:cloudwatch:us-east-1:111122223333:alarm:${alarm}`);
            account.state.alarms.push({ name: alarm, alarmActions: [o.alertTopicArn], dimensions: { RuleName: rule }, metricName: "FailedInvocations", namespace: "AWS/Events" });
            // Delivered as the stack delivers its own: retried for minutes, then to the dead-letter queue.
            const delivery = { RetryPolicy: { MaximumRetryAttempts: 8, MaximumEventAgeInSeconds: 600 }, DeadLetterConfig: { Arn: "arn:aws:sqs:us-east-1:111122223333:team-dead-letters" } };
            const teamRule = (pattern: object) => ({ state: "ENABLED", pattern: JSON.stringify(pattern), targets: [{ Id: "alert", Arn: o.alertTopicArn, ...delivery }] });
            account.state.rules.set(rule, teamRule({ source: ["aws.ecs"], detail: { eventName: ["StopTask"], requestParameters: { cluster: ["dev-ecs-exec"] } } }));
            // Outputs that list no forwarding destination: doctor has no StartSession event for the stack's rules on it.
            const ofTheExecCluster = JSON.parse((await doctor(outputs("no-forwarding", { portForwarding: [] }))).stdout) as DoctorReport;
            const check = (report: DoctorReport) => report.checks.find((c) => c.id === "alert-rule")!;
            assert.equal(check(ofTheExecCluster).status, "pass");
            const unplaced = [...o.alertRuleNames.filter((name: string) => name.includes("start-session")).map((name: string) => `${name} on StartSession`), `${rule} on StopTask`];
            assert.equal(unplaced.length, 6);
            assert.ok(
                check(ofTheExecCluster).detail.endsWith(`; another team's RunTask none (${unplaced.join(", ")}: tested with that RunTask only)`),
                check(ofTheExecCluster).detail,
            );
            const watch = new Set(o.auditWatchRuleNames);
            assert.match(check(ofTheExecCluster).detail, new RegExp(`^${o.alertRuleNames.filter((n: string) => !watch.has(n)).length + 1} rules enabled`));
            assert.doesNotMatch(check(ofTheExecCluster).detail, /port forwarding/);
            account.state.rules.set(rule, teamRule({ source: ["aws.ecs"] }));
            const ofAnyCall = JSON.parse((await doctor(outputs("more-alerts"))).stdout) as DoctorReport;
            assert.deepEqual(statuses(ofAnyCall), Object.fromEntries(IDS.map((i) => [i, i === "alert-rule" ? "fail" : "pass"])));
            assert.equal(check(ofAnyCall).detail, `${rule} matches a RunTask of another task definition in another cluster`);
        });

        it("simulates an IAM user as themselves, with the key policy, which IAM takes only with a user as the caller", async () => {
            account.reset();
            const bob = { arn: "arn:aws:iam::111122223333:user/bob", userId: "AIDAEXAMPLEUSERBOB01", entityArn: "arn:aws:iam::111122223333:user/bob" };
            account.state.principals.set(bob.arn, account.state.principals.get(CALLER.roleArn)!);
            account.state.caller = bob;
            account.state.tasks.find((t) => t.owner === CALLER.userId)!.owner = bob.userId;
            const { code, stdout } = await doctor();
            const report = JSON.parse(stdout) as DoctorReport;
            assert.deepEqual(statuses(report), Object.fromEntries(IDS.map((i) => [i, "pass"])));
            assert.match(report.checks.find((c) => c.id === "caller-permissions")!.detail, /for user bob$/);
            assert.match(report.checks.find((c) => c.id === "kms-key")!.detail, /its key policy was part of the simulation$/);
            const simulations = account.calls.filter((c) => c.action === "iam:SimulatePrincipalPolicy").map((c) => c.resources[0]);
            assert.ok(simulations.includes(bob.arn));
            assert.ok(!account.calls.some((c) => c.action === "iam:GetRole"), "a user's ARN is its own");
            assert.equal(code, 0);
        });

        it("skips, never fails, what the caller may not call or an older deployment's outputs cannot tell, naming the action or output", async () => {
            account.reset();
            const doctorPolicy = account.state.principals.get(CALLER.roleArn)!["dev-ecs-exec-doctor"];
            doctorPolicy.Statement = doctorPolicy.Statement.map((st: { Action: string[] }) => ({
                ...st,
                Action: st.Action.filter((a) => a !== "iam:SimulatePrincipalPolicy" && a !== "sns:ListSubscriptionsByTopic"),
            })).filter((st: { Action: string[] }) => st.Action.length > 0);
            // Older than the alert rules' names, and than the chain's watch and its dead-letter queue.
            const { alertRuleNames: _rules, auditWatchRuleNames: _watch, alertDeadLetterQueueUrl: _queue, ...older } = synth.outputs as Record<string, unknown>;
            const file = path.join(sandbox.dir, "older.json");
            fs.writeFileSync(file, JSON.stringify(older));
            const { code, stdout } = await doctor(["--outputs", file, "--json"]);
            const report = JSON.parse(stdout) as DoctorReport;
            const skipped = report.checks.filter((c) => c.status === "skip");
            assert.deepEqual(
                skipped.map((c) => [c.id, c.detail]),
                [
                    ["caller-permissions", "not allowed to call iam:SimulatePrincipalPolicy"],
                    ["kms-key", "not allowed to call iam:SimulatePrincipalPolicy"],
                    ["task-role-permissions", "not allowed to call iam:SimulatePrincipalPolicy"],
                    ["alert-rule", "needs stack output this deployment lacks: alertRuleNames is missing"],
                    ["alert-delivery", "needs stack outputs this deployment lacks: alertRuleNames is missing; alertDeadLetterQueueUrl is missing"],
                    ["alert-subscriptions", "not allowed to call sns:ListSubscriptionsByTopic"],
                    ["audit-watch", "needs stack outputs this deployment lacks: auditWatchRuleNames is missing; alertRuleNames is missing"],
                ],
            );
            assert.match(skipped[0].fix!, /arn:aws:iam::111122223333:policy\/dev-ecs-exec-doctor/);
            assert.match(skipped[3].fix!, /pulumi up --stack dev/);
            assert.ok(report.checks.every((c) => c.status === "pass" || c.status === "skip"));
            assert.equal(code, 0);
        });

        it("checks the task named with --task, and fails for one the cluster does not know", async () => {
            account.reset();
            const colleague = colleaguesTask(account.state);
            colleague.agent = "PENDING";
            const theirs = JSON.parse((await doctor(["--task", colleague.id, "--json"])).stdout) as DoctorReport;
            assert.match(theirs.checks.find((c) => c.id === "exec-agent")!.detail, new RegExp(`task ${colleague.id}: its ExecuteCommandAgent is PENDING`));
            const unknown = JSON.parse((await doctor(["--task", "ffffffffffffffffffffffffffffffff", "--json"])).stdout) as DoctorReport;
            assert.equal(statuses(unknown)["exec-agent"], "fail");
        });

        it("without credentials: the report says so, the plugin is still checked, exit 4", async () => {
            account.reset();
            const keys = { id: process.env.AWS_ACCESS_KEY_ID, secret: process.env.AWS_SECRET_ACCESS_KEY };
            delete process.env.AWS_ACCESS_KEY_ID;
            delete process.env.AWS_SECRET_ACCESS_KEY;
            try {
                const { code, stdout } = await doctor();
                const report = JSON.parse(stdout) as DoctorReport;
                assert.equal(code, 4);
                assert.deepEqual(statuses(report), Object.fromEntries(IDS.map((i) => [i, i === "credentials" ? "fail" : i === "plugin" ? "pass" : "skip"])));
                assert.match(report.checks[0].detail, /no usable AWS credentials/);
            } finally {
                Object.assign(process.env, { AWS_ACCESS_KEY_ID: keys.id, AWS_SECRET_ACCESS_KEY: keys.secret });
            }
        });

        it("without credentials: the report says what to do once, on the credentials check's fix line, indented like every line", async () => {
            account.reset();
            const keys = { id: process.env.AWS_ACCESS_KEY_ID, secret: process.env.AWS_SECRET_ACCESS_KEY };
            delete process.env.AWS_ACCESS_KEY_ID;
            delete process.env.AWS_SECRET_ACCESS_KEY;
            try {
                const { code, stdout } = await doctor([]);
                assert.equal(code, 4);
                const lines = stdout.trimEnd().split("\n");
                assert.equal(lines.filter((line) => line.includes("aws sso login")).length, 1, stdout);
                const credentials = lines.findIndex((line) => line.startsWith("  ✗ credentials "));
                assert.match(lines[credentials], /no usable AWS credentials: .+\.$/);
                assert.match(lines[credentials + 1], /^ {27}fix: Sign in \(for example `aws sso login`\), or give a profile .* Then run ecs-exec doctor again\.$/);
                // Besides the title, the group names, the tally and blank lines, every line is a check's, indented.
                const unindented = lines.slice(1, -1).filter((line) => line !== "" && !["access", "session path", "audit"].includes(line));
                assert.deepEqual(unindented.filter((line) => !line.startsWith("  ")), []);
            } finally {
                Object.assign(process.env, { AWS_ACCESS_KEY_ID: keys.id, AWS_SECRET_ACCESS_KEY: keys.secret });
            }
        });

        it("runs its checks at once: many requests in flight together, not one after another", async () => {
            account.reset();
            // Every request held until doctor has sent all it can without another answer, then answered in one round.
            account.roundQuietMs = 50;
            try {
                const { code, stdout } = await doctor();
                assert.equal(code, 0);
                assert.deepEqual(JSON.parse(stdout).checks.filter((c: { status: string }) => c.status !== "pass"), []);
                const requests = account.calls.length;
                const rounds = account.rounds;
                // Who is asking comes first, alone. Then every check starts: each sends a request of its own at once but
                // credentials (the caller is its answer), plugin (no AWS) and exec-task-network and exec-agent (their
                // first request is the task listing task-definition sends too).
                const starting = CHECKS.filter((c) => !["credentials", "plugin", "exec-task-network", "exec-agent"].includes(c.id)).length;
                assert.equal(rounds[0], 1, `rounds: ${rounds.join(", ")}`);
                assert.ok(rounds[1] >= starting, `${rounds[1]} requests in the second round, ${starting} checks starting; rounds: ${rounds.join(", ")}`);
                assert.ok(account.maxInFlight >= starting, `at most ${account.maxInFlight} requests in flight at once`);
                // One after another, every request would be a round of its own; the longest chain is a few rounds.
                assert.ok(rounds.length * 10 <= requests, `${rounds.length} rounds for ${requests} requests: ${rounds.join(", ")}`);
            } finally {
                account.roundQuietMs = undefined;
            }
        });

        it("colours its marks on a terminal", async () => {
            account.reset();
            const { stdout } = await doctor([], true);
            assert.match(stdout, /\n {2}\x1b\[32m✓ credentials {10}\x1b\[0m {2}arn:aws:sts::/);
        });
    });

    it("wants colour on a terminal only, and not with NO_COLOR set", () => {
        assert.equal(wantsColor({ isTTY: true }, {}), true);
        assert.equal(wantsColor({ isTTY: true }, { NO_COLOR: "1" }), false);
        assert.equal(wantsColor({ isTTY: false }, {}), false);
        assert.equal(wantsColor({}, {}), false);
    });

    it("renders a failure with its fix under it, and the tally", () => {
        const report: DoctorReport = {
            stack: "dev",
            region: "us-east-1",
            checks: CHECKS.map((c) => ({ id: c.id, status: "pass", title: c.title, detail: "ok", fix: null })),
        };
        report.checks[5] = { ...report.checks[5], status: "fail", detail: "exec logging is NONE", fix: "pulumi up" };
        report.checks[11] = { ...report.checks[11], status: "warn", detail: "cannot tell", fix: "look" };
        const text = formatReport(report, undefined, false);
        assert.match(text, /\n {2}✗ cluster-logging {8}exec logging is NONE\n {27}fix: pulumi up\n/);
        assert.match(text, /\n {2}! trail {18}cannot tell\n {27}fix: look\n/);
        assert.match(text, /\n14 passed, 1 failed, 1 warning, 0 skipped\.$/);
    });
});
