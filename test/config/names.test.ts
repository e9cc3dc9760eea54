import { strict as assert } from "assert";
import {
    alertAlarmName,
    alertRuleName,
    AUDIT_CHAIN_ALERT_IDS,
    AUDIT_WATCH_ALERT_IDS,
    ConfigError,
    deadLetterAlarmName,
    ENVIRONMENT_MAX_LENGTH,
    ExecNames,
    execNames,
    parseImageReference,
    RawConfig,
    trailBucketName,
    watchedNamePrefix,
} from "../../components/config";
import { parseExecConfig } from "../../components/config/pulumi";
import {
    executeCommandAlerts,
    RUN_TASK_NETWORK_ALERT_ID,
    runTaskAlerts,
    startSessionAlerts,
    UNLISTED_FORWARDING_ALERT_ID,
} from "../../components/audit";
import { brokenRules, NameKind, sdkRegions } from "../support/nameRules";
import { readProjectFile, readStackConfig, resolveStackConfig } from "../../synth/synth";

/** Which resource each name of execNames names: a name added there without its kind does not type-check. */
const KIND_OF: { [K in keyof ExecNames]: NameKind } = {
    cluster: "ecsName",
    container: "ecsName",
    taskFamily: "ecsName",
    sessionLogGroup: "logGroup",
    containerLogGroup: "logGroup",
    taskRole: "iamRole",
    executionRole: "iamRole",
    keyAlias: "kmsAlias",
    taskSecurityGroup: "securityGroup",
    endpoints: "securityGroup",
    endpointSecurityGroup: "securityGroup",
    developerPolicy: "iamPolicy",
    developerRole: "iamRole",
    doctorPolicy: "iamPolicy",
    trail: "trail",
    alertTopic: "snsTopic",
    auditKeyAlias: "kmsAlias",
    alertDeadLetterQueue: "sqsQueue",
};

/** The form config allows before any resource's rule: lowercase, a letter first, no hyphen last, 1 to 20. */
const ALLOWED_FORM = new RegExp(`^[a-z](?:[a-z0-9-]{0,${ENVIRONMENT_MAX_LENGTH - 2}}[a-z0-9])?$`);

/**
 * The longest and oddest environments, names that AWS reserves a prefix of, and 400 pseudo-random ones (a fixed
 * seed: the same every run).
 */
const CANDIDATES: string[] = (() => {
    const odd = [
        "a",
        "e".repeat(ENVIRONMENT_MAX_LENGTH),
        "e".repeat(ENVIRONMENT_MAX_LENGTH - 1),
        "e".repeat(ENVIRONMENT_MAX_LENGTH - 4),
        "z9",
        "a-1",
        "a-b-c-d-e-f-g-h-i-j",
        "a-0-0-0-0-0-0-0-0-0",
        "a0000000000000000000",
        "aws",
        "aws-x",
        "alias",
        "xn",
        "xn-a",
        "sg",
        "sg-x",
        "sgx",
        "sthree",
        "sthree-a",
        "amzn-s3-demo",
        "amzn-s3",
        "qa--x",
        "a---b",
        "default",
    ];
    let seed = 17;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31);
    const letters = "abcdefghijklmnopqrstuvwxyz";
    const rest = `${letters}0123456789-`;
    const random = Array.from({ length: 400 }, () => {
        let name = letters[next() % letters.length];
        const length = 1 + (next() % ENVIRONMENT_MAX_LENGTH);
        while (name.length < length) {
            name += rest[next() % rest.length];
        }
        return name;
    });
    return [...new Set([...odd, ...random])];
})();

const devRaw = resolveStackConfig(readProjectFile(), readStackConfig("dev"));

function configWith(environment: string, region: string, cloudTrail: "create" | "existing"): RawConfig {
    return { ...devRaw, "ecs-exec:environment": environment, "aws:region": region, "ecs-exec:cloudTrail": cloudTrail };
}

function accepted(raw: RawConfig): boolean {
    try {
        parseExecConfig(raw, raw["ecs-exec:environment"]!);
        return true;
    } catch (e) {
        if (e instanceof ConfigError) {
            return false;
        }
        throw e;
    }
}

/** Every alert a stack declares, as index.ts and ExecAudit list them (their ids do not depend on the environment). */
function stackAlerts(names: ExecNames): { id: string }[] {
    return [
        ...executeCommandAlerts({ clusterName: names.cluster, sessionLogGroupName: names.sessionLogGroup }),
        ...runTaskAlerts({ family: names.taskFamily }),
        { id: RUN_TASK_NETWORK_ALERT_ID },
        ...startSessionAlerts(names.cluster),
        { id: UNLISTED_FORWARDING_ALERT_ID },
        ...[...AUDIT_CHAIN_ALERT_IDS, ...AUDIT_WATCH_ALERT_IDS].map((id) => ({ id })),
    ];
}
const ALERT_IDS = stackAlerts(execNames("dev")).map(({ id }) => id);

/** The names a stack of this config gives, with their kinds: the trail and its bucket only when it creates a trail. */
function namesOf(environment: string, region: string, cloudTrail: "create" | "existing"): [NameKind, string][] {
    const names = execNames(environment);
    const fields = (Object.keys(KIND_OF) as (keyof ExecNames)[]).filter((f) => f !== "trail" || cloudTrail === "create");
    const all: [NameKind, string][] = fields.map((f) => [KIND_OF[f], names[f]]);
    for (const id of ALERT_IDS) {
        all.push(["eventRule", alertRuleName(environment, id)], ["alarm", alertAlarmName(environment, id)]);
    }
    all.push(["alarm", deadLetterAlarmName(environment)]);
    if (cloudTrail === "create") {
        // Account ids are 12 digits; only the bucket name's length depends on which.
        all.push(["s3Bucket", trailBucketName(names.trail, "111122223333", region)]);
    }
    return all;
}

describe("names", () => {
    it("derives every physical name from the environment", () => {
        assert.deepEqual(execNames("dev"), {
            cluster: "dev-ecs-exec",
            container: "dev-ecs-exec",
            taskFamily: "dev-ecs-exec",
            sessionLogGroup: "/ecs-exec/dev/sessions",
            containerLogGroup: "/ecs-exec/dev/container",
            taskRole: "dev-ecs-exec-task",
            executionRole: "dev-ecs-exec-execution",
            keyAlias: "alias/dev-ecs-exec",
            taskSecurityGroup: "dev-ecs-exec-task",
            endpoints: "dev-ecs-exec-endpoints",
            endpointSecurityGroup: "dev-ecs-exec-vpc-endpoints",
            developerPolicy: "dev-ecs-exec-developer",
            developerRole: "dev-ecs-exec-developer",
            doctorPolicy: "dev-ecs-exec-doctor",
            trail: "dev-ecs-exec",
            alertTopic: "dev-ecs-exec-alerts",
            auditKeyAlias: "alias/dev-ecs-exec-audit",
            alertDeadLetterQueue: "dev-ecs-exec-alerts-dead-letters",
        });
    });

    it("keeps names within AWS limits for the longest environment name allowed", () => {
        const names = execNames("e".repeat(ENVIRONMENT_MAX_LENGTH));
        for (const field of Object.keys(KIND_OF) as (keyof ExecNames)[]) {
            assert.deepEqual(brokenRules(KIND_OF[field], names[field]), [], field);
        }
    });

    describe("every name built from an accepted config obeys every rule of the resource it names", () => {
        const regions = sdkRegions().filter((region) => accepted(configWith("dev", region, "existing")));
        const longestRegion = sdkRegions().reduce((a, b) => (b.length > a.length ? b : a));

        it("tries every region of every partition the AWS SDK knows, the longest included", () => {
            assert.ok(regions.includes(longestRegion), `${longestRegion} is tried`);
            assert.ok(regions.length >= 30, `${regions.length} regions`);
        });

        for (const cloudTrail of ["create", "existing"] as const) {
            it(`cloudTrail ${cloudTrail}: an environment of the allowed form is accepted exactly when its names break no rule`, () => {
                const wrong: string[] = [];
                let acceptedCount = 0;
                for (const region of regions) {
                    for (const environment of CANDIDATES.filter((e) => ALLOWED_FORM.test(e))) {
                        const broken = namesOf(environment, region, cloudTrail).flatMap(([kind, name]) => brokenRules(kind, name));
                        const ok = accepted(configWith(environment, region, cloudTrail));
                        acceptedCount += ok ? 1 : 0;
                        if (ok !== (broken.length === 0)) {
                            wrong.push(`${environment} in ${region}: ${ok ? "accepted, yet " + broken.join("; ") : "refused, yet it breaks no rule"}`);
                        }
                    }
                }
                assert.deepEqual(wrong.slice(0, 10), []);
                assert.ok(acceptedCount > 1000, `${acceptedCount} accepted combinations checked`);
            });
        }

        it("refuses, with a trail, what breaks the trail's or its bucket's rules: qa--x, sthree, amzn-s3-demo, 20 characters in the longest region", () => {
            for (const environment of ["qa--x", "sthree", "amzn-s3-demo"]) {
                assert.ok(!accepted(configWith(environment, "us-east-1", "create")), environment);
                assert.ok(brokenRules("trail", `${environment}-ecs-exec`).length + brokenRules("s3Bucket", trailBucketName(`${environment}-ecs-exec`, "111122223333", "us-east-1")).length > 0);
            }
            const longest = "e".repeat(ENVIRONMENT_MAX_LENGTH);
            assert.ok(!accepted(configWith(longest, longestRegion, "create")));
            assert.ok(brokenRules("s3Bucket", trailBucketName(`${longest}-ecs-exec`, "111122223333", longestRegion)).length > 0);
        });

        it("refuses sg and sg-...: the exec security group's name would start with sg-", () => {
            for (const environment of ["sg", "sg-x"]) {
                assert.ok(!accepted(configWith(environment, "us-east-1", "existing")), environment);
            }
        });
    });

    it("names every alert's rule and alarm within their limits, for the longest environment name allowed", () => {
        const environment = "e".repeat(ENVIRONMENT_MAX_LENGTH);
        const names = execNames(environment);
        const alerts = stackAlerts(names);
        for (const { id } of alerts) {
            // EventBridge rule names: 1-64 of [.\-_A-Za-z0-9] (PutRule API reference); alarm names: 1-255 (PutMetricAlarm).
            const rule = alertRuleName(environment, id);
            assert.match(rule, /^[.\-_A-Za-z0-9]{1,64}$/, `${rule} (${rule.length})`);
            assert.ok(alertAlarmName(environment, id).length <= 255);
        }
        const rules = alerts.map(({ id }) => alertRuleName("dev", id));
        assert.equal(new Set(rules).size, rules.length, "one rule name per alert");
    });

    it("names every rule but audit-chain's, every alarm and every role of the stack with the prefix the chain's watch matches", () => {
        const environment = "dev";
        const names = execNames(environment);
        const prefix = watchedNamePrefix(environment);
        for (const { id } of stackAlerts(names)) {
            const watched = !AUDIT_CHAIN_ALERT_IDS.includes(id);
            assert.equal(alertRuleName(environment, id).startsWith(prefix), watched, `rule of ${id}`);
            assert.ok(alertAlarmName(environment, id).startsWith(prefix), `alarm of ${id}`);
        }
        assert.ok(deadLetterAlarmName(environment).startsWith(prefix));
        for (const role of [names.taskRole, names.executionRole, names.developerRole]) {
            assert.ok(role.startsWith(prefix), role);
        }
        // Another environment's rules are not dev's: "dev2-ecs-exec-…" does not start with "dev-ecs-exec-".
        assert.ok(!alertRuleName("dev2", "execute-command").startsWith(prefix));
    });
});

describe("image references", () => {
    it("recognises an ECR image and the repository its pull needs", () => {
        assert.deepEqual(parseImageReference("111122223333.dkr.ecr.eu-west-1.amazonaws.com/team/orders-api:2.14.0"), {
            registry: "111122223333.dkr.ecr.eu-west-1.amazonaws.com",
            repository: "team/orders-api",
            tag: "2.14.0",
            digest: undefined,
            ecr: { accountId: "111122223333", region: "eu-west-1", repository: "team/orders-api", dnsSuffix: "amazonaws.com" },
        });
    });

    it("reads Docker Hub names, with or without a namespace, as Docker does", () => {
        assert.deepEqual(parseImageReference("nginx:1.27"), {
            registry: undefined,
            repository: "nginx",
            tag: "1.27",
            digest: undefined,
            ecr: undefined,
        });
        assert.equal(parseImageReference("bitnami/redis")?.registry, undefined);
        assert.equal(parseImageReference("bitnami/redis")?.repository, "bitnami/redis");
    });

    it("reads registries with ports and digests", () => {
        const digest = "sha256:" + "0".repeat(64);
        const ref = parseImageReference(`localhost:5000/app@${digest}`);
        assert.equal(ref?.registry, "localhost:5000");
        assert.equal(ref?.digest, digest);
        assert.equal(ref?.ecr, undefined);
    });

    it("rejects what is not an image reference", () => {
        for (const bad of ["", "App", "Org/app", "app:", "app@sha256:short", "https://host/app", "a b"]) {
            assert.equal(parseImageReference(bad), undefined, bad);
        }
    });
});
