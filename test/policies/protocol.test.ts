/**
 * The pack as `pulumi preview --policy-pack policies --policy-pack-config policies/config/<env>.json` runs it: started
 * with run-policy-pack (ts-node type-checks it on load), then GetAnalyzerInfo, Configure, Analyze and AnalyzeStack
 * over gRPC.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { readPolicyConfigFile } from "../../policies/check/config";
import { AnalyzedResource, ENGINE_UNKNOWN, PACK_DIR, PolicyPackProcess } from "../../policies/check/pack";
import { toAnalyzedResource } from "../../policies/check/report";
import { rules } from "../../policies/rules";
import type { SynthResult } from "../../synth/synth";
import { synthStack } from "../support/synthRun";
import { configFile, sharedPack } from "./sharedPack";

async function configured(env: "dev" | "prod"): Promise<PolicyPackProcess> {
    const pack = await sharedPack();
    await pack.configure(readPolicyConfigFile(configFile(env), await pack.info()));
    return pack;
}

const resource = (type: string, properties: Record<string, unknown>): AnalyzedResource => ({
    urn: `urn:pulumi:prod::other-program::${type}::r`,
    type,
    name: "r",
    properties,
    dependencies: [],
    propertyDependencies: {},
});

/** What a first preview sends: every input computed from another resource is unknown. */
function firstPreview(stack: SynthResult): AnalyzedResource[] {
    return stack.resources.map((record) => {
        const analyzed = toAnalyzedResource(record);
        for (const property of Object.keys(record.propertyDependencies)) {
            analyzed.properties[property] = ENGINE_UNKNOWN;
        }
        return analyzed;
    });
}

describe("policy pack over the Analyzer gRPC protocol, as the Pulumi CLI runs it", function () {
    this.timeout(60000);

    it("loads, type-checked, and describes every rule: name, level, remediation steps, config schema", async () => {
        const info = await (await sharedPack()).info();
        assert.equal(info.name, "ecs-exec-guardrails");
        assert.equal(info.version, require("../../policies/package.json").version);
        assert.ok(info.supportsConfig);
        assert.deepEqual(info.policies.map((p) => p.name), rules.map((r) => r.name));
        for (const [i, policy] of info.policies.entries()) {
            assert.equal(policy.enforcementLevel, rules[i].enforcementLevel, policy.name);
            assert.equal(policy.type, "validateStack" in rules[i] ? "stack" : "resource", policy.name);
            assert.ok(policy.description && policy.remediationSteps, policy.name);
        }
        const schema = (name: string) => info.policies.find((p) => p.name === name)!.configSchema;
        assert.deepEqual(schema("log-group-retention")!.minimumRetentionDays, {
            type: "integer",
            minimum: 1,
            default: 365,
            description: "Fewest days a log group may keep its events.",
        });
        assert.equal(schema("exec-grant-scoped-to-container")!.requiredConditionKeys.type, "array");
        assert.equal(schema("no-direct-sessions-to-tasks")!.requiredConditionKeys.type, "array");
        assert.equal(schema("exec-alert-and-session-log")!.organizationAlert.default, false);
    });

    it("type-checks a pack as it loads it: a pack with a type error does not start, and the engine hears why", async () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "broken-pack-"));
        fs.symlinkSync(path.join(PACK_DIR, "..", "node_modules"), path.join(dir, "node_modules"));
        for (const file of ["package.json", "tsconfig.json", "PulumiPolicy.yaml"]) {
            fs.copyFileSync(path.join(PACK_DIR, file), path.join(dir, file));
        }
        const typeError = `import { PolicyPack } from "@pulumi/policy";\nexport const days: number = "365";\nnew PolicyPack("broken", { policies: [] });\n`;
        fs.writeFileSync(path.join(dir, "index.ts"), typeError);
        await assert.rejects(PolicyPackProcess.start(dir), /exited \(32\) before serving:\nERROR: .*\n[^]*TS2322: Type 'string' is not assignable to type 'number'/);
    });

    it("enforces each config file's levels: exec on a service is advisory in dev, mandatory in prod", async () => {
        const service = resource("aws:ecs/service:Service", { enableExecuteCommand: true });
        const levels = async (env: "dev" | "prod") => (await (await configured(env)).analyze(service)).map((d) => [d.policyName, d.enforcementLevel]);
        assert.deepEqual(await levels("dev"), [["no-exec-on-services", "advisory"]]);
        assert.deepEqual(await levels("prod"), [["no-exec-on-services", "mandatory"]]);
    });

    it("passes a compliant resource and reports a violating one, with the config's threshold", async () => {
        const pack = await configured("prod");
        const logGroup = (retentionInDays: number) =>
            resource("aws:cloudwatch/logGroup:LogGroup", { name: "/app", kmsKeyId: "arn:aws:kms:us-east-1:1:key/k", retentionInDays });
        assert.deepEqual(await pack.analyze(logGroup(400)), []);
        const [diagnostic, ...rest] = await pack.analyze(logGroup(30));
        assert.deepEqual(rest, []);
        assert.equal(diagnostic.policyName, "log-group-retention");
        assert.equal(diagnostic.enforcementLevel, "mandatory");
        assert.match(diagnostic.message, /retentionInDays is 30, below the minimum of 365/);
    });

    it("neither fails nor reports on values unknown during preview (no 'can't run during preview' either)", async () => {
        const pack = await configured("prod");
        const cluster = resource("aws:ecs/cluster:Cluster", { name: "apps", configuration: ENGINE_UNKNOWN, settings: ENGINE_UNKNOWN });
        assert.deepEqual(await pack.analyze(cluster), []);
        assert.deepEqual(await pack.analyzeAll(firstPreview(await synthStack("prod"))), []);
        const dev = await configured("dev");
        assert.deepEqual(await dev.analyzeAll(firstPreview(await synthStack("dev"))), [], "dev, under its own config");
    });

    it("still judges the known part of a stack during preview: a removed alert is reported", async () => {
        const pack = await configured("prod");
        const prod = await synthStack("prod");
        const withoutTarget = firstPreview(prod).filter((r) => r.type !== "aws:cloudwatch/eventTarget:EventTarget");
        const found = (await pack.analyzeStack(withoutTarget)).map((d) => [d.policyName, d.enforcementLevel]);
        assert.deepEqual(found, [["exec-alert-and-session-log", "mandatory"]]);
    });

    it("analyzes a synthesized stack as a whole: prod passes its own config, and dev fails prod's retention", async () => {
        const pack = await configured("prod");
        const stacks = await Promise.all([synthStack("prod"), synthStack("dev")]);
        const [prod, dev] = stacks.map((s) => s.resources.map(toAnalyzedResource));
        assert.deepEqual(await pack.analyzeStack(prod), []);
        assert.deepEqual(
            (await pack.analyzeAll(dev)).map((d) => d.policyName),
            ["log-group-retention", "log-group-retention"],
            "dev keeps 30 days: a resource rule, reported by Analyze",
        );
    });
});
