import { strict as assert } from "assert";
import { INTERFACE_ENDPOINT_SERVICES } from "../../components/network";
import { ExecNetwork, ExecNetworkArgs, onePerAvailabilityZone } from "../../components/network/pulumi";
import { MockVpc, equippedVpc } from "../../synth/mocks";
import { TEST_REGION, TEST_TAGS, underMocks, valueOf } from "../support/pulumi";

const SG = "aws:ec2/securityGroup:SecurityGroup";
const ENDPOINT = "aws:ec2/vpcEndpoint:VpcEndpoint";
const VPC = "awsx:ec2:Vpc";
const INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule";

function args(changes: Partial<ExecNetworkArgs>): ExecNetworkArgs {
    return {
        network: { mode: "create" },
        vpcEndpoints: "none",
        assignPublicIp: false,
        region: TEST_REGION,
        taskSecurityGroupName: "test-ecs-exec-task",
        endpointsName: "test-ecs-exec-endpoints",
        endpointSecurityGroupName: "test-ecs-exec-vpc-endpoints",
        tags: TEST_TAGS,
        ...changes,
    };
}

async function build(changes: Partial<ExecNetworkArgs>, existingVpcId?: string, vpcs?: MockVpc[]) {
    const { built, registered } = await underMocks(() => new ExecNetwork("net", args(changes)), { existingVpcId, vpcs });
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

    describe("where exec tasks may reach AWS: no way out but to AWS where endpoints carry the traffic", () => {
        const httpsOut = (sg: any) => (sg.inputs.egress as any[]).filter((r) => r.fromPort === 443);
        const vpcId = "vpc-0a1b2c3d4e5f60718";
        const subnets = ["subnet-0a1b2c3d4e5f60711", "subnet-0a1b2c3d4e5f60722"];
        const s3PrefixList = (registered: any) => registered.one(SG, "net-task").inputs.egress.find((r: any) => r.prefixListIds)?.prefixListIds[0];

        it("without endpoints (a NAT or an internet gateway): HTTPS anywhere", async () => {
            for (const changes of [{}, { assignPublicIp: true }]) {
                const { registered } = await build(changes);
                assert.deepEqual(httpsOut(registered.one(SG, "net-task")).map((r: any) => [r.cidrBlocks, r.securityGroups, r.prefixListIds]), [[["0.0.0.0/0"], undefined, undefined]]);
            }
        });

        it("with endpoints it creates: only to their security group and S3's prefix list, no 0.0.0.0/0", async () => {
            const { registered } = await build({ vpcEndpoints: "create", network: { mode: "create" } });
            const endpointSg = registered.one(SG, "net-endpoint-group");
            assert.deepEqual(httpsOut(registered.one(SG, "net-task")).map((r: any) => [r.cidrBlocks, r.securityGroups, r.prefixListIds]), [
                [undefined, [registered.idOf(endpointSg)], undefined],
                [undefined, undefined, [s3PrefixList(registered)]],
            ]);
            assert.match(s3PrefixList(registered), /^pl-[0-9a-f]{8}$/);
        });

        it("with the VPC's endpoints: only to their security groups and S3's prefix list, forwarding destinations besides", async () => {
            const destinations = [{ name: "orders-db", host: "orders-db.internal", port: 5432, cidr: "10.0.8.0/24" }];
            const { registered } = await build(
                { vpcEndpoints: "existing", network: { mode: "existing", vpcId, subnetIds: subnets }, portForwarding: destinations },
                vpcId,
                [equippedVpc(vpcId, subnets)],
            );
            const endpointGroups = [...new Set(equippedVpc(vpcId, subnets).interfaceEndpoints.flatMap((e) => e.securityGroupIds))].sort();
            const egress = registered.one(SG, "net-task").inputs.egress as any[];
            assert.deepEqual(egress.map((r) => [r.fromPort, r.cidrBlocks, r.securityGroups, r.prefixListIds]), [
                [443, undefined, endpointGroups, undefined],
                [443, undefined, undefined, [s3PrefixList(registered)]],
                [5432, ["10.0.8.0/24"], undefined, undefined],
            ]);
            assert.ok(!egress.some((r) => r.cidrBlocks?.includes("0.0.0.0/0")));
        });
    });

    it("lets exec tasks reach exactly each forwarding destination's port, at its CIDR block or security group, one rule per pair", async () => {
        const destinations = [
            { name: "orders-db", host: "orders-db.internal", port: 5432, cidr: "10.0.8.0/24" },
            { name: "reports-db", host: "reports-db.internal", port: 5432, cidr: "10.0.8.0/24" },
            { name: "cache", host: "cache.internal", port: 6379, securityGroupId: "sg-0123456789abcdef0" },
        ];
        const { registered } = await build({ portForwarding: destinations });
        const sg = registered.one(SG, "net-task");
        assert.deepEqual(sg.inputs.ingress, [], "still no ingress");
        assert.deepEqual((sg.inputs.egress as any[]).slice(1), [
            { description: "ecs-exec forward orders-db, reports-db", protocol: "tcp", fromPort: 5432, toPort: 5432, cidrBlocks: ["10.0.8.0/24"] },
            { description: "ecs-exec forward cache", protocol: "tcp", fromPort: 6379, toPort: 6379, securityGroups: ["sg-0123456789abcdef0"] },
        ]);
        assert.deepEqual(registered.ofType("aws:ec2/securityGroupRule:SecurityGroupRule"), [], "the destination's own group is not touched");
        assert.deepEqual(registered.ofType("aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"), []);
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
            const { registered, subnetIds } = await build({ vpcEndpoints: "create", network: { mode: "create", vpcCidr: "10.8.0.0/20" } });
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

        /** A VPC with no endpoints: the first subnet has a route table of its own, the others use the main one. */
        const bareVpc: MockVpc = { ...equippedVpc(vpcId, subnets), interfaceEndpoints: [], s3GatewayRouteTableIds: [] };

        it("with vpcEndpoints create: interface endpoints for ssmmessages, ECR, logs and KMS, reachable only from exec tasks", async () => {
            const { registered } = await build({ vpcEndpoints: "create", network: { mode: "existing", vpcId, subnetIds: subnets } }, vpcId, [bareVpc]);
            const interfaces = registered.ofType(ENDPOINT).filter((e) => e.inputs.vpcEndpointType === "Interface");
            assert.deepEqual(
                interfaces.map((e) => e.inputs.serviceName).sort(),
                ["ecr.api", "ecr.dkr", "kms", "logs", "ssmmessages"].map((s) => `com.amazonaws.${TEST_REGION}.${s}`),
            );
            const endpointSg = registered.one(SG, "net-endpoint-group");
            const taskSg = registered.one(SG, "net-task");
            assert.equal(endpointSg.inputs.name, "test-ecs-exec-vpc-endpoints");
            for (const endpoint of interfaces) {
                assert.equal(endpoint.inputs.privateDnsEnabled, true);
                assert.equal(endpoint.inputs.vpcId, vpcId);
                assert.deepEqual(endpoint.inputs.securityGroupIds, [registered.idOf(endpointSg)]);
                const subnetsUsed = endpoint.inputs.subnetIds as string[];
                assert.ok(subnetsUsed.length >= 1 && subnetsUsed.every((s) => subnets.includes(s)));
            }
            // Its one rule stands apart, made after both groups: inline, it would make each group wait for the other.
            assert.equal(endpointSg.inputs.ingress, undefined, "no inline rules to fight the rule below");
            const ingress = registered.one(INGRESS, "net-endpoint-group-ingress").inputs;
            assert.deepEqual(
                [ingress.securityGroupId, ingress.referencedSecurityGroupId, ingress.ipProtocol, ingress.fromPort, ingress.toPort],
                [registered.idOf(endpointSg), registered.idOf(taskSg), "tcp", 443, 443],
            );
            assert.deepEqual(endpointSg.inputs.egress, []);
        });

        it("with vpcEndpoints create: an S3 gateway on the subnets' route tables, the main one for a subnet without its own", async () => {
            const { registered } = await build({ vpcEndpoints: "create", network: { mode: "existing", vpcId, subnetIds: subnets } }, vpcId, [bareVpc]);
            const s3 = registered.one(ENDPOINT, "net-s3");
            assert.equal(s3.inputs.vpcEndpointType, "Gateway");
            assert.equal(s3.inputs.serviceName, `com.amazonaws.${TEST_REGION}.s3`);
            // subnets[0] is explicitly associated with a table; subnets[1] and [2] have no association: the main table.
            assert.deepEqual(s3.inputs.routeTableIds, [bareVpc.explicitRouteTables[subnets[0]], bareVpc.mainRouteTableId]);
        });

        it("with no subnet explicitly associated, puts the S3 gateway on the main route table alone", async () => {
            const onMain: MockVpc = { ...bareVpc, explicitRouteTables: {} };
            const { registered } = await build({ vpcEndpoints: "create", network: { mode: "existing", vpcId, subnetIds: subnets } }, vpcId, [onMain]);
            assert.deepEqual(registered.one(ENDPOINT, "net-s3").inputs.routeTableIds, [onMain.mainRouteTableId]);
        });

        describe("with vpcEndpoints existing", () => {
            const existing: Partial<ExecNetworkArgs> = { vpcEndpoints: "existing", network: { mode: "existing", vpcId, subnetIds: subnets } };

            it("creates no endpoint and lets exec tasks reach each endpoint security group on TCP 443 only", async () => {
                const vpc = equippedVpc(vpcId, subnets);
                const { network, registered } = await build(existing, vpcId, [vpc]);
                assert.equal(registered.ofType(ENDPOINT).length, 0);
                assert.deepEqual(registered.ofType(SG).map((g) => g.name), ["net-task"], "no endpoint security group of ours");
                const groups = [...new Set(vpc.interfaceEndpoints.flatMap((e) => e.securityGroupIds))].sort();
                assert.equal(groups.length, 2, "the mock VPC puts its endpoints behind two groups");
                const rules = registered.ofType(INGRESS);
                assert.deepEqual(rules.map((r) => r.inputs.securityGroupId).sort(), groups);
                const taskGroupId = registered.idOf(registered.one(SG, "net-task"));
                for (const rule of rules) {
                    assert.deepEqual(
                        [rule.inputs.ipProtocol, rule.inputs.fromPort, rule.inputs.toPort, rule.inputs.referencedSecurityGroupId, rule.inputs.cidrIpv4],
                        ["tcp", 443, 443, taskGroupId, undefined],
                    );
                    assert.equal(rule.name, `net-endpoint-ingress-${rule.inputs.securityGroupId}`);
                }
                assert.deepEqual(await valueOf(network.endpointSecurityGroupIds), groups);
                await valueOf(network.endpointsReady);
            });

            it("fails at preview naming every service the VPC lacks, and what to do, creating nothing for it", async () => {
                const vpc = equippedVpc(vpcId, subnets);
                const lacking: MockVpc = {
                    ...vpc,
                    interfaceEndpoints: vpc.interfaceEndpoints
                        .filter((e) => e.service !== "kms")
                        .map((e) => (e.service === "logs" ? { ...e, privateDnsEnabled: false } : e)),
                    // The S3 gateway is on the subnets' own table only, not on the main table two subnets use.
                    s3GatewayRouteTableIds: Object.values(vpc.explicitRouteTables),
                };
                const { built, registered } = await underMocks(() => new ExecNetwork("net", args(existing)), { existingVpcId: vpcId, vpcs: [lacking] });
                const error = await valueOf(built.endpointsReady).then(
                    () => assert.fail("expected the lookups to fail"),
                    (e: Error) => e,
                );
                const lines = error.message.split("\n");
                assert.equal(
                    lines[0],
                    `ecs-exec:vpcEndpoints is existing, but exec tasks cannot reach AWS through the endpoints of VPC ${vpcId} (3 problems):`,
                );
                assert.match(lines[1], /^ {2}- com\.amazonaws\.us-east-1\.logs: endpoint vpce-[0-9a-f]{17} has private DNS off; turn it on \(aws ec2 modify-vpc-endpoint --vpc-endpoint-id vpce-[0-9a-f]{17} --private-dns-enabled\)$/);
                assert.equal(lines[2], "  - com.amazonaws.us-east-1.kms: no interface endpoint; create one with private DNS");
                assert.equal(
                    lines[3],
                    `  - com.amazonaws.us-east-1.s3: no gateway endpoint route in ${vpc.mainRouteTableId} (the route table of ${subnets[1]}, ${subnets[2]}); add ${vpc.mainRouteTableId} to the VPC's S3 gateway endpoint, or create one`,
                );
                assert.match(lines[4], /^Add them to vpc-0a1b2c3d4e5f60718, or set ecs-exec:vpcEndpoints to create/);
                assert.equal(registered.ofType(INGRESS).length, 0);
                assert.equal(registered.ofType(ENDPOINT).length, 0);
            });

            it("names all six services in a VPC without endpoints", async () => {
                const { built } = await underMocks(() => new ExecNetwork("net", args(existing)), { existingVpcId: vpcId, vpcs: [bareVpc] });
                const message = await valueOf(built.endpointsReady).then(
                    () => "",
                    (e: Error) => e.message,
                );
                for (const service of [...INTERFACE_ENDPOINT_SERVICES, "s3"]) {
                    assert.ok(message.includes(`com.amazonaws.us-east-1.${service}: no `), `${service} named in:\n${message}`);
                }
            });
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
