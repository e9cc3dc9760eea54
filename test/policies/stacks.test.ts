import { strict as assert } from "assert";
import * as fs from "fs";
import { check } from "../../policies/check/check";
import { EXEC_TASK_TAG as PACK_TAG } from "../../policies/lib/exec";
import { rules } from "../../policies/rules";
import { EXEC_TASK_TAG } from "../../components/config";
import { SSM_MESSAGES_ACTIONS } from "../../components/iam";
import { SESSION_CHANNEL_ACTIONS } from "../../policies/lib/iam";
import { synthStack } from "../support/synthRun";
import { configFile, sharedPack } from "./sharedPack";
import { readDoc } from "../support/docs";

const readConfig = (env: "dev" | "prod") => JSON.parse(fs.readFileSync(configFile(env), "utf8"));

/** Each policy's level under a config file: its own entry, else `all`, else the pack's default. */
function levelUnder(config: Record<string, any>, policy: (typeof rules)[number]): string {
    const own = config[policy.name];
    return (typeof own === "string" ? own : own?.enforcementLevel) ?? config.all ?? policy.enforcementLevel;
}

/** Rules dev may never relax: who may exec and into what, what a shell can do, exec logging and alerts, every SSH path. */
const NEVER_RELAXED = [
    "exec-task-init-process",
    "exec-task-writable-root",
    "exec-grant-scoped-to-container",
    "exec-task-role-least-privilege",
    "no-direct-sessions-to-tasks",
    "cluster-exec-logging",
    "log-group-encrypted",
    "session-key-policy-not-public",
    "exec-alert-and-session-log",
    "exec-alert-delivery",
    "exec-alert-trail",
    "no-ssh-ingress",
    "exec-security-group-no-public-ingress",
    "no-key-pairs",
    "no-public-instances",
];
const ADVISORY = ["cluster-container-insights", "task-role-no-ssm-managed-instance-core", "aws-managed-policy-known"];

describe("policy configs and this program's stacks", function () {
    this.timeout(60000);

    for (const env of ["dev", "prod"] as const) {
        it(`passes the ${env} stack with zero violations under policies/config/${env}.json`, async () => {
            const stack = await synthStack(env);
            const { violations, resources } = await check(await sharedPack(), stack.resources, configFile(env));
            assert.equal(resources, stack.resources.length, "every resource analyzed");
            assert.deepEqual(violations, []);
        });
    }

    it("makes every rule mandatory in prod but Container Insights and the notes on managed policies", () => {
        const prod = readConfig("prod");
        for (const policy of rules) {
            assert.equal(levelUnder(prod, policy), ADVISORY.includes(policy.name) ? "advisory" : "mandatory", policy.name);
        }
    });

    it("lets dev relax only what slows developers down, never exec grants, exec logging or SSH", () => {
        const dev = readConfig("dev");
        for (const name of NEVER_RELAXED) {
            assert.equal(levelUnder(dev, rules.find((r) => r.name === name)!), "mandatory", name);
        }
        assert.deepEqual(dev["exec-grant-scoped-to-container"], readConfig("prod")["exec-grant-scoped-to-container"]);
        assert.deepEqual(dev["no-direct-sessions-to-tasks"], readConfig("prod")["no-direct-sessions-to-tasks"]);
        // Grants that could turn exec on elsewhere are advice in dev, where developers try things out.
        assert.equal(levelUnder(dev, rules.find((r) => r.name === "enable-execute-command-conditioned")!), "advisory");
    });

    it("asks the same conditions of every way into a task: port forwarding's StartSession grants as exec grants", () => {
        // Two settings, since each policy is handed only its own config; these configs' keys all exist on both actions.
        for (const env of ["dev", "prod"] as const) {
            const config = readConfig(env);
            assert.deepEqual(config["no-direct-sessions-to-tasks"].requiredConditionKeys, config["exec-grant-scoped-to-container"].requiredConditionKeys, env);
        }
    });

    it("demands longer log retention in prod than in dev", () => {
        const days = (env: "dev" | "prod") => readConfig(env)["log-group-retention"].minimumRetentionDays;
        assert.ok(days("prod") >= 365 && days("prod") > days("dev"), `${days("prod")} vs ${days("dev")}`);
    });

    it("are documented as they are: docs/policies.md's rules table lists every rule with its pack, dev and prod level", () => {
        const rows = [...readDoc("policies").matchAll(/^\| `([a-z0-9-]+)` \| .* \| (\w+) \/ (\w+) \/ (\w+) \|$/gm)].map((m) => m.slice(1));
        const [dev, prod] = [readConfig("dev"), readConfig("prod")];
        assert.deepEqual(
            rows,
            rules.map((r) => [r.name, r.enforcementLevel, levelUnder(dev, r), levelUnder(prod, r)]),
        );
    });

    it("recognises the exec tag this program sets", () => {
        assert.deepEqual(PACK_TAG, EXEC_TASK_TAG);
    });

    it("recognises an exec task role by the very Session Manager actions this program grants it", () => {
        // The pack stands alone (other programs use it), so it keeps its own list; this keeps the two equal.
        assert.deepEqual([...SESSION_CHANNEL_ACTIONS].sort(), [...SSM_MESSAGES_ACTIONS].sort());
    });
});
