import { strict as assert } from "assert";
import { ExecNetwork, ExecNetworkArgs, INTERFACE_ENDPOINT_SERVICES, onePerAvailabilityZone } from "../../components/execNetwork";
import { TEST_REGION, TEST_TAGS, underMocks, valueOf } from "../support/pulumi";

const SG = "aws:ec2/securityGroup:SecurityGroup";
const ENDPOINT = "aws:ec2/vpcEndpoint:VpcEndpoint";
const VPC = "awsx:ec2:Vpc";

function args(changes: Partial<ExecNetworkArgs>): ExecNetworkArgs {
    return {
        network: { mode: "create" },
        vpcEndpoints: false,
        assignPublicIp: false,
        region: TEST_REGION,
        taskSecurityGroupName: "test-ecs-exec-task",
        endpointsName: "test-ecs-exec-endpoints",
        tags: TEST_TAGS,
        ...changes,
    };
}

async function build(changes: Partial<ExecNetworkArgs>, existingVpcId?: string) {
    const { built, registered } = await underMocks(() => new ExecNetwork("net", args(changes)), { existingVpcId });
    return { network: built, registered, subnetIds: await valueOf(built.subnetIds) };
}

describe("ExecNetwork", () => {
    it("gives exec tasks a security group with no ingress and egress only to TCP 443", async () => {
        const { network, registered } = await build({});
        const sg = registered.one(SG, "net-task");
        assert.deepEqual(sg.inputs.ingress, []);
        assert.deepEqual(
            (sg.inputs.egress as any[]).map((r) => [r.protocol, r.fromPort, r.toPort]),
            [["tcp", 443, 443]],
        );
        assert.equal(sg.inputs.name, "test-ecs-exec-task");
        assert.equal(sg.inputs.vpcId, await valueOf(network.vpcId));
        assert.match(await valueOf(network.securityGroupId), /^sg-[0-9a-f]{17}$/);
    });

    describe("a VPC the stack creates", () => {
        it("by default: private subnets for tasks behind a single NAT gateway, two zones", async () => {
            const { registered, subnetIds } = await build({});
            const vpc = registered.one(VPC);
            assert.deepEqual((vpc.inputs.subnetSpecs as any[]).map((s) => s.type), ["Public", "Private"]);
            assert.deepEqual(vpc.inputs.natGateways, { strategy: "Single" });
            assert.equal(vpc.inputs.numberOfAvailabilityZones, 2);
            assert.equal(subnetIds.length, 2);
            assert.equal(registered.ofType(ENDPOINT).length, 0, "no endpoints unless asked");
        });

        it("with assignPublicIp: public subnets only and no NAT gateway to pay for", async () => {
            const { registered } = await build({ assignPublicIp: true });
            const vpc = registered.one(VPC);
            assert.deepEqual((vpc.inputs.subnetSpecs as any[]).map((s) => s.type), ["Public"]);
            assert.deepEqual(vpc.inputs.natGateways, { strategy: "None" });
        });

        it("with vpcEndpoints: isolated subnets, no NAT, DNS hostnames on for the endpoints' private DNS", async () => {
            const { registered, subnetIds } = await build({ vpcEndpoints: true, network: { mode: "create", vpcCidr: "10.8.0.0/20" } });
            const vpc = registered.one(VPC);
            assert.deepEqual((vpc.inputs.subnetSpecs as any[]).map((s) => s.type), ["Isolated"]);
            assert.deepEqual(vpc.inputs.natGateways, { strategy: "None" });
            assert.equal(vpc.inputs.enableDnsHostnames, true);
            assert.equal(vpc.inputs.cidrBlock, "10.8.0.0/20");
            for (const service of INTERFACE_ENDPOINT_SERVICES) {
                const endpoint = registered.one(ENDPOINT, `net-${service.replace(".", "-")}`);
                assert.deepEqual(endpoint.inputs.subnetIds, subnetIds);
            }
            const s3 = registered.one(ENDPOINT, "net-s3");
            assert.equal((s3.inputs.routeTableIds as string[]).length, 2, "the route table of each isolated subnet");
        });
    });

    describe("existing subnets", () => {
        const vpcId = "vpc-0a1b2c3d4e5f60718";
        const subnets = ["subnet-0a1b2c3d4e5f60711", "subnet-0a1b2c3d4e5f60722", "subnet-0a1b2c3d4e5f60733"];

        it("runs tasks in the given subnets and creates no VPC", async () => {
            const { network, registered, subnetIds } = await build({ network: { mode: "existing", vpcId, subnetIds: subnets } }, vpcId);
            assert.deepEqual(subnetIds, subnets);
            assert.equal(await valueOf(network.vpcId), vpcId);
            assert.equal(registered.ofType(VPC).length, 0);
            assert.equal(registered.one(SG, "net-task").inputs.vpcId, vpcId);
        });

        it("fails, naming the subnet, when a subnet is not in vpcId", async () => {
            const { built: network } = await underMocks(
                () => new ExecNetwork("net", args({ network: { mode: "existing", vpcId, subnetIds: subnets } })),
                { existingVpcId: "vpc-0ffffffffffffffff" },
            );
            await assert.rejects(
                valueOf(network.subnetIds),
                /ecs-exec:subnetIds must be subnets of ecs-exec:vpcId vpc-0a1b2c3d4e5f60718; not: subnet-0a1b2c3d4e5f60711 \(in vpc-0ffffffffffffffff\)/,
            );
        });

        it("with vpcEndpoints: interface endpoints for ssmmessages, ECR, logs and KMS, reachable only from exec tasks", async () => {
            const { registered } = await build({ vpcEndpoints: true, network: { mode: "existing", vpcId, subnetIds: subnets } }, vpcId);
            const interfaces = registered.ofType(ENDPOINT).filter((e) => e.inputs.vpcEndpointType === "Interface");
            assert.deepEqual(
                interfaces.map((e) => e.inputs.serviceName).sort(),
                ["ecr.api", "ecr.dkr", "kms", "logs", "ssmmessages"].map((s) => `com.amazonaws.${TEST_REGION}.${s}`),
            );
            const endpointSg = registered.one(SG, "net-endpoints");
            const taskSg = registered.one(SG, "net-task");
            for (const endpoint of interfaces) {
                assert.equal(endpoint.inputs.privateDnsEnabled, true);
                assert.equal(endpoint.inputs.vpcId, vpcId);
                assert.deepEqual(endpoint.inputs.securityGroupIds, [registered.idOf(endpointSg)]);
                const subnetsUsed = endpoint.inputs.subnetIds as string[];
                assert.ok(subnetsUsed.length >= 1 && subnetsUsed.every((s) => subnets.includes(s)));
            }
            assert.deepEqual(
                (endpointSg.inputs.ingress as any[]).map((r) => [r.protocol, r.fromPort, r.toPort, r.securityGroups, r.cidrBlocks]),
                [["tcp", 443, 443, [registered.idOf(taskSg)], undefined]],
            );
            assert.deepEqual(endpointSg.inputs.egress, []);
        });

        it("with vpcEndpoints: an S3 gateway on the subnets' route tables, for ECR image layers", async () => {
            const { registered } = await build({ vpcEndpoints: true, network: { mode: "existing", vpcId, subnetIds: subnets } }, vpcId);
            const s3 = registered.one(ENDPOINT, "net-s3");
            assert.equal(s3.inputs.vpcEndpointType, "Gateway");
            assert.equal(s3.inputs.serviceName, `com.amazonaws.${TEST_REGION}.s3`);
            const routeTables = s3.inputs.routeTableIds as string[];
            assert.equal(routeTables.length, 3);
            assert.ok(routeTables.every((id) => /^rtb-[0-9a-f]{17}$/.test(id)));
        });
    });

    it("gives an interface endpoint at most one subnet per availability zone", () => {
        assert.deepEqual(
            onePerAvailabilityZone([
                { id: "subnet-a1", availabilityZone: "us-east-1a" },
                { id: "subnet-b1", availabilityZone: "us-east-1b" },
                { id: "subnet-a2", availabilityZone: "us-east-1a" },
            ]),
            ["subnet-a1", "subnet-b1"],
        );
    });
});
