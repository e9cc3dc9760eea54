import { strict as assert } from "assert";
import { execSecurityGroupNoPublicIngress, noKeyPairs, noPublicInstances, noSshIngress } from "../../policies/rules/network";
import { resourceViolations, stackViolations, TestResource, UNKNOWN_VALUE } from "./support";

const sg = (props: Record<string, unknown>, name = "sg"): TestResource => ({ type: "aws:ec2/securityGroup:SecurityGroup", name, props });
const EXEC_TAG = { "ecs-exec:purpose": "exec-task" };

describe("no SSH path", () => {
    describe("no ingress on port 22, in every form the provider offers", () => {
        const ssh: [string, TestResource][] = [
            ["inline ingress on 22", sg({ ingress: [{ protocol: "tcp", fromPort: 22, toPort: 22, cidrBlocks: ["10.0.0.0/8"] }] })],
            ["inline ingress on a range holding 22", sg({ ingress: [{ protocol: "6", fromPort: 0, toPort: 1024, cidrBlocks: ["10.0.0.0/8"] }] })],
            ["inline ingress of all traffic", sg({ ingress: [{ protocol: "-1", fromPort: 0, toPort: 0, cidrBlocks: ["10.0.0.0/8"] }] })],
            ["aws.ec2.SecurityGroupRule", { type: "aws:ec2/securityGroupRule:SecurityGroupRule", name: "r", props: { type: "ingress", protocol: "tcp", fromPort: 22, toPort: 22, securityGroupId: "sg-1" } }],
            ["aws.vpc.SecurityGroupIngressRule", { type: "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", name: "r", props: { ipProtocol: "tcp", fromPort: 22, toPort: 22, cidrIpv6: "::/0" } }],
        ];
        for (const [title, resource] of ssh) {
            it(`reports ${title}`, () => assert.deepEqual(resourceViolations(noSshIngress, resource), ["ingress admits SSH (port 22)"]));
        }

        it("passes HTTPS, egress on 22, UDP, and ports unknown during preview", () => {
            assert.deepEqual(resourceViolations(noSshIngress, sg({ ingress: [{ protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: ["0.0.0.0/0"] }], egress: [{ protocol: "tcp", fromPort: 22, toPort: 22 }] })), []);
            assert.deepEqual(resourceViolations(noSshIngress, sg({ ingress: [{ protocol: "udp", fromPort: 0, toPort: 100 }] })), []);
            assert.deepEqual(resourceViolations(noSshIngress, { type: "aws:ec2/securityGroupRule:SecurityGroupRule", name: "r", props: { type: "egress", protocol: "-1", fromPort: 0, toPort: 0 } }), []);
            assert.deepEqual(resourceViolations(noSshIngress, sg({ ingress: [{ protocol: "tcp", fromPort: UNKNOWN_VALUE, toPort: 22 }] })), []);
            assert.deepEqual(resourceViolations(noSshIngress, sg({ ingress: UNKNOWN_VALUE })), []);
        });
    });

    describe("nothing from the internet to the exec security group", () => {
        const execGroup = sg({ ingress: [], tags: EXEC_TAG }, "exec-sg");

        it("reports inline ingress from 0.0.0.0/0 or ::/0 on the tagged group, on any port", () => {
            const open = sg({ ingress: [{ protocol: "tcp", fromPort: 443, toPort: 443, ipv6CidrBlocks: ["::/0"] }], tags: EXEC_TAG }, "exec-sg");
            assert.deepEqual(stackViolations(execSecurityGroupNoPublicIngress, [open]), [{ message: "ingress from the internet to the exec security group exec-sg", resource: "exec-sg" }]);
            assert.deepEqual(stackViolations(execSecurityGroupNoPublicIngress, [execGroup]), []);
        });

        it("reports separate rules attached to it, linked by dependency or by known id", () => {
            const rules: TestResource[] = [
                { type: "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", name: "v4", props: { securityGroupId: UNKNOWN_VALUE, ipProtocol: "tcp", fromPort: 443, toPort: 443, cidrIpv4: "0.0.0.0/0" }, dependsOn: { securityGroupId: ["exec-sg"] } },
                { type: "aws:ec2/securityGroupRule:SecurityGroupRule", name: "rule", props: { type: "ingress", securityGroupId: "sg-exec", protocol: "tcp", fromPort: 8080, toPort: 8080, cidrBlocks: ["0.0.0.0/0"] } },
            ];
            const group = { ...execGroup, props: { ...execGroup.props, id: "sg-exec" } };
            assert.deepEqual(stackViolations(execSecurityGroupNoPublicIngress, [group, ...rules]).map((v) => v.resource).sort(), ["rule", "v4"]);
        });

        it("recognises the exec group without its tag: the group of a service with exec on", () => {
            const untagged = sg({ ingress: [{ protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: ["0.0.0.0/0"] }] }, "svc-sg");
            const service: TestResource = { type: "aws:ecs/service:Service", name: "svc", props: { enableExecuteCommand: true, networkConfiguration: { securityGroups: [UNKNOWN_VALUE] } }, dependsOn: { networkConfiguration: ["svc-sg"] } };
            assert.equal(stackViolations(execSecurityGroupNoPublicIngress, [untagged, service]).length, 1);
            assert.deepEqual(stackViolations(execSecurityGroupNoPublicIngress, [untagged]), [], "a public web group is not the exec group");
        });
    });

    it("forbids key pairs", () => {
        assert.deepEqual(resourceViolations(noKeyPairs, { type: "aws:ec2/keyPair:KeyPair", name: "k", props: { publicKey: "ssh-ed25519 AAAA" } }), ["EC2 key pair"]);
    });

    it("forbids instances on a public IP, directly or through an Elastic IP whose target is not known yet", () => {
        assert.equal(resourceViolations(noPublicInstances, { type: "aws:ec2/instance:Instance", name: "i", props: { associatePublicIpAddress: true } }).length, 1);
        assert.deepEqual(resourceViolations(noPublicInstances, { type: "aws:ec2/instance:Instance", name: "i", props: { associatePublicIpAddress: false } }), []);
        assert.equal(resourceViolations(noPublicInstances, { type: "aws:ec2/eip:Eip", name: "e", props: { instance: UNKNOWN_VALUE } }).length, 1);
        assert.equal(resourceViolations(noPublicInstances, { type: "aws:ec2/eipAssociation:EipAssociation", name: "a", props: { instanceId: "i-1" } }).length, 1);
        assert.deepEqual(resourceViolations(noPublicInstances, { type: "aws:ec2/eip:Eip", name: "nat", props: { domain: "vpc" } }), []);
    });
});
