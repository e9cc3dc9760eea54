/**
 * An ordinary team's stack, as the Pulumi engine registers an awsx.ecs.FargateService with taskDefinitionArgs and no
 * networkConfiguration: awsx 3 is a multi-language component, so its provider registers the children with the awsx
 * components as parents (pulumi/pulumi-awsx awsx/ecs/fargateService.ts, fargateTaskDefinition.ts, role.ts,
 * cloudwatch/logGroup.ts): a log group with no arguments, a task role and an execution role (the latter with
 * AmazonECSTaskExecutionRolePolicy attached), the task definition, a security group open to all traffic from
 * anywhere on the default VPC, and the service. The whole pack runs over it, under the prod config, through the
 * protocol the CLI uses; each test states every finding it expects, so a rule that starts reporting more fails it.
 */
import { strict as assert } from "assert";
import { configureFrom, violationsIn } from "../../policies/check/check";
import { ENGINE_UNKNOWN } from "../../policies/check/pack";
import type { ResourceRecord } from "../../policies/check/report";
import { configFile, sharedPack } from "./sharedPack";

const STACK = "urn:pulumi:prod::orders::";
const SERVICE_COMPONENT = "awsx:ecs:FargateService";
const TASK_COMPONENT = "awsx:ecs:FargateTaskDefinition";
const ACCOUNT = "111122223333";

interface Options {
    exec: boolean;
    /** A cluster the stack declares (aws.ecs.Cluster with no settings), rather than another team's by ARN. */
    ownCluster?: boolean;
    /** A first preview: every value computed from another resource is unknown. */
    preview?: boolean;
}

/** The resources of `new awsx.ecs.FargateService("orders", {...})`, as the engine sends them to the analyzer. */
function fargateServiceStack({ exec, ownCluster = false, preview = false }: Options): ResourceRecord[] {
    const records: ResourceRecord[] = [];
    const urnOf = (chain: string[], name: string) => `${STACK}${chain.join("$")}::${name}`;
    const add = (chain: string[], name: string, parent: string, inputs: Record<string, unknown>, deps: Record<string, ResourceRecord> = {}): ResourceRecord => {
        const propertyDependencies = Object.fromEntries(Object.entries(deps).map(([property, r]) => [property, [r.urn]]));
        const resolved = preview ? { ...inputs, ...Object.fromEntries(Object.keys(deps).map((p) => [p, ENGINE_UNKNOWN])) } : inputs;
        const record = { urn: urnOf(chain, name), type: chain[chain.length - 1], name, parent, inputs: resolved, dependencies: Object.values(deps).map((r) => r.urn), propertyDependencies };
        records.push(record);
        return record;
    };
    const stack = add(["pulumi:pulumi:Stack"], "orders-prod", "", {});
    const cluster = ownCluster ? add(["aws:ecs/cluster:Cluster"], "cluster", stack.urn, { name: "cluster-4e1b2c9" }) : undefined;
    const service = add([SERVICE_COMPONENT], "orders", stack.urn, {});
    const taskDefinition = add([SERVICE_COMPONENT, TASK_COMPONENT], "orders", service.urn, {});
    const inTask = (type: string) => [SERVICE_COMPONENT, TASK_COMPONENT, type];
    const logGroup = add(inTask("aws:cloudwatch/logGroup:LogGroup"), "orders", taskDefinition.urn, { name: "orders-7d3f2a1" });
    const trust = JSON.stringify({ Version: "2012-10-17", Statement: [{ Action: "sts:AssumeRole", Principal: { Service: "ecs-tasks.amazonaws.com" }, Effect: "Allow", Sid: "" }] });
    const taskRole = add(inTask("aws:iam/role:Role"), "orders-task", taskDefinition.urn, { name: "orders-task-5b8c0e2", assumeRolePolicy: trust });
    const executionRole = add(inTask("aws:iam/role:Role"), "orders-execution", taskDefinition.urn, { name: "orders-execution-9a1d4f7", assumeRolePolicy: trust });
    add(
        inTask("aws:iam/rolePolicyAttachment:RolePolicyAttachment"),
        "orders-execution-fa8c4a3b",
        taskDefinition.urn,
        { role: "orders-execution-9a1d4f7", policyArn: "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy" },
        { role: executionRole },
    );
    const container = {
        name: "app",
        image: `${ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/orders:1.4.2`,
        cpu: 256,
        memory: 512,
        essential: true,
        portMappings: [{ containerPort: 8080, hostPort: 8080, protocol: "tcp" }],
        logConfiguration: { logDriver: "awslogs", options: { "awslogs-group": "orders-7d3f2a1", "awslogs-region": "us-east-1", "awslogs-stream-prefix": "app" } },
    };
    const definition = add(
        inTask("aws:ecs/taskDefinition:TaskDefinition"),
        "orders",
        taskDefinition.urn,
        {
            family: "orders-0c51b3d2",
            containerDefinitions: JSON.stringify([container]),
            cpu: "256",
            memory: "512",
            networkMode: "awsvpc",
            requiresCompatibilities: ["FARGATE"],
            taskRoleArn: `arn:aws:iam::${ACCOUNT}:role/orders-task-5b8c0e2`,
            executionRoleArn: `arn:aws:iam::${ACCOUNT}:role/orders-execution-9a1d4f7`,
        },
        { containerDefinitions: logGroup, taskRoleArn: taskRole, executionRoleArn: executionRole },
    );
    const securityGroup = add([SERVICE_COMPONENT, "aws:ec2/securityGroup:SecurityGroup"], "orders-sg", service.urn, {
        vpcId: "vpc-0d1e2f3a4b5c6d7e8",
        ingress: [{ fromPort: 0, toPort: 0, protocol: "-1", cidrBlocks: ["0.0.0.0/0"], ipv6CidrBlocks: ["::/0"] }],
        egress: [{ fromPort: 0, toPort: 65535, protocol: "tcp", cidrBlocks: ["0.0.0.0/0"], ipv6CidrBlocks: ["::/0"] }],
    });
    add(
        [SERVICE_COMPONENT, "aws:ecs/service:Service"],
        "orders",
        service.urn,
        {
            cluster: cluster ? `arn:aws:ecs:us-east-1:${ACCOUNT}:cluster/cluster-4e1b2c9` : `arn:aws:ecs:us-east-1:${ACCOUNT}:cluster/shared`,
            desiredCount: 1,
            launchType: "FARGATE",
            waitForSteadyState: true,
            networkConfiguration: { subnets: ["subnet-0a1", "subnet-0b2"], assignPublicIp: false, securityGroups: ["sg-0f1e2d3c4b5a69788"] },
            taskDefinition: `arn:aws:ecs:us-east-1:${ACCOUNT}:task-definition/orders-0c51b3d2:1`,
            ...(exec ? { enableExecuteCommand: true } : {}),
        },
        { networkConfiguration: securityGroup, taskDefinition: definition, ...(cluster ? { cluster } : {}) },
    );
    return records;
}

/** What the pack reports, as `<level> <rule> <resource>`, sorted. */
async function findings(options: Options): Promise<string[]> {
    const pack = await sharedPack();
    await configureFrom(pack, configFile("prod"));
    return (await violationsIn(pack, fargateServiceStack(options))).map((v) => `${v.level} ${v.rule} ${v.resource}`).sort();
}

/** What any scanner says of awsx's defaults: an unencrypted log group kept forever, a writable root, all traffic in. */
const AWSX_DEFAULTS = [
    "mandatory log-group-encrypted orders",
    "mandatory log-group-retention orders",
    "mandatory no-ssh-ingress orders-sg",
];

describe("an awsx FargateService stack, registered as the engine registers it, under the prod config", function () {
    this.timeout(60000);

    it("with exec off on another team's cluster: only what Checkov and Security Hub say of awsx's defaults, no exec finding", async () => {
        assert.deepEqual(await findings({ exec: false }), [...AWSX_DEFAULTS, "mandatory task-definition-read-only-root orders"].sort());
    });

    it("with exec on: exec on a service, no init process, the exec security group open, no alert; no session log asked of another team's cluster", async () => {
        assert.deepEqual(
            await findings({ exec: true }),
            [
                ...AWSX_DEFAULTS,
                "mandatory exec-alert-and-session-log (stack)",
                "mandatory exec-security-group-no-public-ingress orders-sg",
                "mandatory exec-task-init-process orders",
                "mandatory no-exec-on-services orders",
            ].sort(),
        );
    });

    it("with exec on and a cluster of its own: that cluster's missing exec logging (once) and Container Insights too", async () => {
        assert.deepEqual(
            await findings({ exec: true, ownCluster: true }),
            [
                ...AWSX_DEFAULTS,
                "advisory cluster-container-insights cluster",
                "mandatory cluster-exec-logging cluster",
                "mandatory exec-alert-and-session-log (stack)",
                "mandatory exec-alert-and-session-log (stack)",
                "mandatory exec-security-group-no-public-ingress orders-sg",
                "mandatory exec-task-init-process orders",
                "mandatory no-exec-on-services orders",
            ].sort(),
        );
    });

    it("during a first preview, with every computed value unknown: the same or fewer findings, never more, and no failure", async () => {
        for (const exec of [false, true]) {
            const known = await findings({ exec });
            const preview = await findings({ exec, preview: true });
            assert.ok(preview.every((f) => known.includes(f)), `${preview} within ${known}`);
        }
    });
});
