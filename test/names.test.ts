import { strict as assert } from "assert";
import { ENVIRONMENT_MAX_LENGTH } from "../components/config";
import { parseImageReference } from "../components/image";
import { executeCommandAlerts } from "../components/alerts";
import { alertAlarmName, alertRuleName, execNames, trailBucketName } from "../components/names";

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
            developerPolicy: "dev-ecs-exec-developer",
            developerRole: "dev-ecs-exec-developer",
            trail: "dev-ecs-exec",
            alertTopic: "dev-ecs-exec-alerts",
            auditKeyAlias: "alias/dev-ecs-exec-audit",
        });
    });

    it("keeps names within AWS limits for the longest environment name allowed", () => {
        const names = execNames("e".repeat(ENVIRONMENT_MAX_LENGTH));
        // Limits: IAM role names 64, policy names 128; ECS cluster, family and container 255; security groups 255; KMS aliases 256;
        // log groups 512. The tightest, IAM role names, is what caps the environment's length.
        for (const role of [names.taskRole, names.executionRole, names.developerRole]) {
            assert.ok(role.length <= 64, role);
        }
        assert.ok(names.developerPolicy.length <= 128);
        for (const name of [names.cluster, names.container, names.taskFamily, names.taskSecurityGroup, names.endpoints]) {
            assert.ok(name.length <= 255, name);
        }
        assert.ok(names.keyAlias.length <= 256 && names.auditKeyAlias.length <= 256);
        // S3 bucket names: at most 63 characters, lower case, for the longest region name.
        const bucket = trailBucketName(names.trail, "111122223333", "ap-southeast-2");
        assert.ok(bucket.length <= 63, `${bucket} (${bucket.length})`);
        assert.match(bucket, /^[a-z0-9][a-z0-9-]*[a-z0-9]$/);
        assert.ok(names.sessionLogGroup.length <= 512);
    });

    it("names every alert's rule and alarm within their limits, for the longest environment name allowed", () => {
        const environment = "e".repeat(ENVIRONMENT_MAX_LENGTH);
        const names = execNames(environment);
        const alerts = executeCommandAlerts({ clusterName: names.cluster, sessionLogGroupName: names.sessionLogGroup });
        for (const { id } of alerts) {
            // EventBridge rule names: 1-64 of [.\-_A-Za-z0-9] (PutRule API reference); alarm names: 1-255 (PutMetricAlarm).
            const rule = alertRuleName(environment, id);
            assert.match(rule, /^[.\-_A-Za-z0-9]{1,64}$/, `${rule} (${rule.length})`);
            assert.ok(alertAlarmName(environment, id).length <= 255);
        }
        const rules = alerts.map(({ id }) => alertRuleName("dev", id));
        assert.equal(new Set(rules).size, rules.length, "one rule name per alert");
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
