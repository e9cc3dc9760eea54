/** The judgements of `ecs-exec doctor` as plain functions: the network, the trail's selectors, key policies, events. */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { callers, doctorPolicy, scenarios } from "../../components/access";
import { executeCommandAlerts, runTaskAlerts, runTaskNetworkAlert, startSessionAlerts } from "../../components/audit";
import { execNames } from "../../components/config";
import { sessionKeyPolicy } from "../../components/session";
import { compareVersions, delegatingStatement } from "../../cli/doctor/access";
import { logsManagementWrites, patternEventNames } from "../../cli/doctor/audit";
import {
    execTaskOnForeignGroup,
    execTaskRefused,
    execTaskStarted,
    executeCommandOpened,
    executeCommandRefused,
    otherRunTask,
    portForwardingSession,
    shellSession,
} from "../../cli/doctor/events";
import { judgeNetwork, NetworkFacts, Permission, SubnetFacts } from "../../cli/doctor/network";
import { asCaller } from "../../cli/doctor/simulate";
import { PROJECT_DIR } from "../../synth/synth";
import { ACCESS_DENIED, DEV_NETWORK, runTaskEvent } from "../support/cloudTrail";
import { matches } from "../support/eventPattern";
import { TEST_CONTEXT } from "../support/pulumi";

const EXEC_GROUP = "sg-0e0e0e0e0e0e0e0e0";
const ENDPOINT_GROUP = "sg-0d0d0d0d0d0d0d0d0";
const https = (to: Partial<Permission>): Permission => ({ protocol: "tcp", fromPort: 443, toPort: 443, cidrs: [], prefixLists: [], groups: [], ...to });
const openAcl = [true, false].flatMap((egress) => [
    { ruleNumber: 100, egress, protocol: "-1", allow: true, cidr: "0.0.0.0/0" },
    { ruleNumber: 32767, egress, protocol: "-1", allow: false, cidr: "0.0.0.0/0" },
]);

function subnet(id: string, defaultRoute?: { target: string; state?: string }): SubnetFacts {
    return {
        id,
        cidr: id === "subnet-a" ? "10.0.0.0/20" : "10.0.16.0/20",
        routeTableId: `rtb-${id}`,
        routes: [
            { destinationCidr: "10.0.0.0/16", target: "local", state: "active" },
            ...(defaultRoute ? [{ destinationCidr: "0.0.0.0/0", target: defaultRoute.target, state: defaultRoute.state ?? "active" }] : []),
        ],
        naclId: "acl-1",
        nacl: openAcl,
    };
}

/** prod's layout: private subnets, no way out, the VPC's own endpoints with private DNS and the S3 gateway. */
function endpointsOnly(): NetworkFacts {
    const services = ["ssmmessages", "ecr.api", "ecr.dkr", "logs", "kms"];
    const subnets = [subnet("subnet-a"), subnet("subnet-b")];
    subnets.forEach((s) => s.routes.push({ prefixList: "pl-63a5400a", target: "vpce-0s3", state: "active" }));
    return {
        region: "us-east-1",
        assignPublicIp: false,
        image: "111122223333.dkr.ecr.us-east-1.amazonaws.com/orders-api:2.14.0",
        vpcId: "vpc-1",
        vpcCidrs: ["10.0.0.0/16"],
        dnsSupport: true,
        dnsHostnames: true,
        subnets,
        endpoints: [
            ...services.map((service, i) => ({
                id: `vpce-0${i}`,
                type: "Interface",
                serviceName: `com.amazonaws.us-east-1.${service}`,
                state: "available",
                privateDns: true,
                securityGroupIds: [ENDPOINT_GROUP],
                routeTableIds: [],
            })),
            { id: "vpce-0s3", type: "Gateway", serviceName: "com.amazonaws.us-east-1.s3", state: "available", privateDns: false, securityGroupIds: [], routeTableIds: ["rtb-subnet-a", "rtb-subnet-b"] },
        ],
        execGroup: { id: EXEC_GROUP, ingress: [], egress: [https({ cidrs: ["0.0.0.0/0"] })] },
        groups: new Map([[ENDPOINT_GROUP, { id: ENDPOINT_GROUP, ingress: [https({ groups: [EXEC_GROUP] })], egress: [] }]]),
    };
}

/** The created VPC's private layout: no endpoints, a NAT gateway. */
function behindNat(): NetworkFacts {
    return { ...endpointsOnly(), endpoints: [], subnets: [subnet("subnet-a", { target: "nat-0123" }), subnet("subnet-b", { target: "nat-0123" })] };
}

describe("doctor's network judgement", () => {
    it("passes the prod layout: every service through an endpoint with private DNS, image layers through the S3 gateway", () => {
        const verdict = judgeNetwork(endpointsOnly());
        assert.equal(verdict.status, "pass", verdict.detail);
        assert.match(verdict.detail, /ssmmessages, ecr\.api, ecr\.dkr, logs, kms through the interface endpoints \(private DNS\); s3 through the S3 gateway endpoint/);
    });

    it("passes private subnets behind a NAT gateway, and public ones behind an internet gateway only with a public IP", () => {
        assert.equal(judgeNetwork(behindNat()).status, "pass");
        const igw = { ...behindNat(), subnets: [subnet("subnet-a", { target: "igw-0123" })] };
        assert.equal(judgeNetwork({ ...igw, assignPublicIp: true }).status, "pass");
        const verdict = judgeNetwork(igw);
        assert.equal(verdict.status, "fail");
        assert.match(verdict.detail, /subnet-a cannot reach ssmmessages: no interface endpoint for it, and no way out \(its route to igw-0123 needs a public IP on the task, and assignPublicIp is false\)/);
    });

    it("fails a default route that leads nowhere (a deleted NAT gateway leaves a blackhole)", () => {
        const verdict = judgeNetwork({ ...behindNat(), subnets: [subnet("subnet-a", { target: "nat-0123", state: "blackhole" })] });
        assert.match(verdict.detail, /its default route to nat-0123 is a blackhole/);
    });

    it("fails an endpoint whose security group does not admit the exec tasks, even with a NAT gateway: private DNS sends the traffic there", () => {
        const facts = { ...endpointsOnly(), subnets: behindNat().subnets };
        facts.groups = new Map([[ENDPOINT_GROUP, { id: ENDPOINT_GROUP, ingress: [https({ cidrs: ["192.168.0.0/16"] })], egress: [] }]]);
        const verdict = judgeNetwork(facts);
        assert.equal(verdict.status, "fail");
        assert.match(verdict.detail, /endpoint vpce-00 \(ssmmessages\) does not admit TCP 443 from sg-0e0e0e0e0e0e0e0e0/);
        // Admitting the subnets' addresses is as good as naming the group.
        facts.groups = new Map([[ENDPOINT_GROUP, { id: ENDPOINT_GROUP, ingress: [https({ cidrs: ["10.0.0.0/16"] })], egress: [] }]]);
        assert.equal(judgeNetwork(facts).status, "pass");
    });

    it("fails a service whose endpoint has private DNS off when there is no way out", () => {
        const facts = endpointsOnly();
        facts.endpoints[0].privateDns = false;
        assert.match(judgeNetwork(facts).detail, /subnet-a cannot reach ssmmessages: no interface endpoint for it/);
    });

    it("fails endpoints in a VPC without DNS hostnames (private DNS then does not answer), or without DNS at all", () => {
        assert.match(judgeNetwork({ ...endpointsOnly(), dnsHostnames: false }).detail, /cannot reach ssmmessages/);
        assert.match(judgeNetwork({ ...behindNat(), dnsSupport: false }).detail, /VPC vpc-1 has DNS resolution off/);
    });

    it("fails image layers when the S3 gateway is not on the subnet's route table", () => {
        const facts = endpointsOnly();
        facts.endpoints[5].routeTableIds = ["rtb-subnet-a"];
        const verdict = judgeNetwork(facts);
        assert.match(verdict.detail, /subnet-b cannot reach s3 \(image layers\)/);
        assert.doesNotMatch(verdict.detail, /subnet-a cannot/);
    });

    it("needs a way out for an image outside this region's ECR, whatever the endpoints", () => {
        assert.match(judgeNetwork({ ...endpointsOnly(), image: "nginx:1.27" }).detail, /cannot reach the image registry docker\.io/);
        assert.match(judgeNetwork({ ...endpointsOnly(), image: "111122223333.dkr.ecr.eu-west-1.amazonaws.com/app:1" }).detail, /cannot reach the image registry 111122223333\.dkr\.ecr\.eu-west-1\.amazonaws\.com/);
        assert.equal(judgeNetwork({ ...behindNat(), image: "nginx:1.27" }).status, "pass");
    });

    it("fails an exec security group that does not let TCP 443 out, to the internet or to the endpoints", () => {
        const noHttps = { id: EXEC_GROUP, ingress: [], egress: [https({ cidrs: ["0.0.0.0/0"], fromPort: 80, toPort: 80 })] };
        assert.match(judgeNetwork({ ...behindNat(), execGroup: noHttps }).detail, /does not allow TCP 443 out to 0\.0\.0\.0\/0/);
        assert.match(judgeNetwork({ ...endpointsOnly(), execGroup: noHttps }).detail, /does not allow TCP 443 out to endpoint vpce-00/);
        const toEndpointsOnly = { id: EXEC_GROUP, ingress: [], egress: [https({ groups: [ENDPOINT_GROUP], prefixLists: ["pl-63a5400a"] })] };
        assert.equal(judgeNetwork({ ...endpointsOnly(), execGroup: toEndpointsOnly }).status, "pass");
        assert.equal(judgeNetwork({ ...endpointsOnly(), execGroup: { ...noHttps, egress: [{ ...https({ cidrs: ["0.0.0.0/0"] }), protocol: "-1" }] } }).status, "pass");
    });

    it("reads network ACLs in rule order: HTTPS out, and the replies in on ephemeral ports (ACLs are stateless)", () => {
        const withAcl = (nacl: SubnetFacts["nacl"]) => {
            const facts = behindNat();
            facts.subnets = facts.subnets.map((s) => ({ ...s, nacl }));
            return judgeNetwork(facts);
        };
        const rule = (ruleNumber: number, egress: boolean, allow: boolean, cidr: string, from?: number, to?: number) => ({
            ruleNumber,
            egress,
            protocol: from === undefined ? "-1" : "6",
            allow,
            cidr,
            fromPort: from,
            toPort: to,
        });
        const httpsOut = rule(100, true, true, "0.0.0.0/0", 443, 443);
        const repliesIn = rule(100, false, true, "0.0.0.0/0", 1024, 65535);
        assert.equal(withAcl([httpsOut, repliesIn]).status, "pass");
        assert.match(withAcl([httpsOut]).detail, /does not allow the replies in: TCP 1024-65535 from 0\.0\.0\.0\/0/);
        assert.match(withAcl([repliesIn]).detail, /does not allow TCP 443 out to 0\.0\.0\.0\/0/);
        assert.match(withAcl([rule(50, true, false, "0.0.0.0/0"), httpsOut, repliesIn]).detail, /does not allow TCP 443 out/);
        assert.match(withAcl([httpsOut, rule(100, false, true, "0.0.0.0/0", 32768, 65535)]).detail, /does not allow the replies in/);
    });
});

describe("doctor's other judgements", () => {
    it("orders versions as numbers (the plugin's, the platform's)", () => {
        assert.equal(compareVersions("1.2.707.0", "1.2.764.0"), -1);
        assert.equal(compareVersions("1.2.896.0", "1.2.764.0"), 1);
        assert.equal(compareVersions("1.4.0", "1.4.0"), 0);
        assert.equal(compareVersions("1.10.0", "1.4.0"), 1);
        assert.equal(compareVersions("latest", "1.4.0"), undefined);
    });

    it("finds the key policy statement that leaves a KMS action to IAM, and no other kind", () => {
        const stacks = sessionKeyPolicy(TEST_CONTEXT, { logGroupNames: ["/ecs-exec/dev/sessions"] });
        assert.equal(delegatingStatement(stacks, TEST_CONTEXT, "kms:GenerateDataKey"), "AccountAdministersKeyThroughIam");
        const conditioned = { Statement: [{ ...stacks.Statement[0], Condition: { Bool: { "aws:SecureTransport": "true" } } }] };
        assert.equal(delegatingStatement(conditioned, TEST_CONTEXT, "kms:GenerateDataKey"), undefined);
        assert.equal(delegatingStatement({ Statement: [stacks.Statement[1]] }, TEST_CONTEXT, "kms:Decrypt"), undefined);
        const narrow = { Statement: [{ Effect: "Allow", Principal: { AWS: "111122223333" }, Action: ["kms:Decrypt"], Resource: "*" }] };
        assert.equal(delegatingStatement(narrow, TEST_CONTEXT, "kms:Decrypt"), "statement 1");
        assert.equal(delegatingStatement(narrow, TEST_CONTEXT, "kms:GenerateDataKey"), undefined);
    });

    it("reads a trail's selectors: management writes, basic or advanced", () => {
        assert.ok(logsManagementWrites({ EventSelectors: [{ IncludeManagementEvents: true, ReadWriteType: "WriteOnly" }] }));
        assert.ok(!logsManagementWrites({ EventSelectors: [{ IncludeManagementEvents: true, ReadWriteType: "ReadOnly" }] }));
        assert.ok(!logsManagementWrites({ EventSelectors: [{ IncludeManagementEvents: false, ReadWriteType: "All" }] }));
        const advanced = (...fields: { Field: string; Equals?: string[]; NotEquals?: string[] }[]) => ({ AdvancedEventSelectors: [{ FieldSelectors: fields }] });
        assert.ok(logsManagementWrites(advanced({ Field: "eventCategory", Equals: ["Management"] })));
        assert.ok(logsManagementWrites(advanced({ Field: "eventCategory", Equals: ["Management"] }, { Field: "readOnly", Equals: ["false"] })));
        assert.ok(!logsManagementWrites(advanced({ Field: "eventCategory", Equals: ["Management"] }, { Field: "readOnly", Equals: ["true"] })));
        assert.ok(!logsManagementWrites(advanced({ Field: "eventCategory", Equals: ["Management"] }, { Field: "eventSource", NotEquals: ["ecs.amazonaws.com"] })));
        assert.ok(!logsManagementWrites(advanced({ Field: "eventCategory", Equals: ["Data"] })));
    });

    it("keys a rule on the calls its pattern names", () => {
        const [opened] = executeCommandAlerts({ clusterName: "dev-ecs-exec", sessionLogGroupName: "/ecs-exec/dev/sessions" });
        assert.deepEqual(patternEventNames(JSON.stringify(opened.eventPattern)), ["ExecuteCommand"]);
        assert.deepEqual(patternEventNames('{"detail":{"eventName":["RunTask",{"prefix":"Start"}]}}'), ["RunTask"]);
        assert.deepEqual(patternEventNames('{"source":["aws.ecs"]}'), []);
        assert.deepEqual(patternEventNames("not json"), []);
    });

    describe("its test events: in the shape of the CloudTrail fixtures, and meaning what they say to the stack's rules", () => {
        const fixture = (name: string) => JSON.parse(fs.readFileSync(path.join(PROJECT_DIR, "test", "fixtures", "cloudtrail", `${name}.eventbridge.json`), "utf8"));
        const shape = (v: unknown): unknown =>
            v !== null && typeof v === "object" && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, shape(x)])) : typeof v;
        const site = {
            account: "111122223333",
            region: "us-east-1",
            partition: "aws",
            clusterName: "dev-ecs-exec",
            containerName: "dev-ecs-exec",
            taskDefinitionFamily: "dev-ecs-exec",
            subnetIds: DEV_NETWORK.subnets,
            securityGroupId: DEV_NETWORK.securityGroups[0],
            assignPublicIp: false,
            portForwarding: [{ name: "orders-db", host: "orders-db.dev.example.com", port: 5432 }],
        };
        const time = new Date("2026-03-14T09:26:53Z");
        const alertsOf = (s: typeof site) => [
            ...executeCommandAlerts({ clusterName: s.clusterName, sessionLogGroupName: "/ecs-exec/dev/sessions" }),
            ...runTaskAlerts({ family: s.taskDefinitionFamily }),
            runTaskNetworkAlert({ family: s.taskDefinitionFamily, subnetIds: s.subnetIds, securityGroupId: s.securityGroupId, assignPublicIp: s.assignPublicIp }),
            ...startSessionAlerts(s.clusterName),
        ];
        const matching = (event: unknown, s = site) => alertsOf(s).filter((r) => matches(r.eventPattern, event)).map((r) => r.id);

        it("ExecuteCommand: the shared fixture's shape and task; opened and refused each match their alert", () => {
            const opened = executeCommandOpened(site, time);
            assert.deepEqual(shape(opened), shape(fixture("execute-command-success")));
            assert.equal(opened.detail.requestParameters.task, fixture("execute-command-success").detail.requestParameters.task);
            assert.equal(opened.time, fixture("execute-command-success").time);
            assert.deepEqual(matching(opened), ["execute-command"]);
            assert.deepEqual(matching(executeCommandRefused(site, time)), ["execute-command-refused"]);
            assert.deepEqual(matching(fixture("execute-command-success")), ["execute-command"]);
        });

        it("RunTask: ecs-exec's request, the alert tests' shape; started, refused and on a foreign group each match what they should", () => {
            const started = execTaskStarted(site, time);
            assert.deepEqual(shape(started), shape(runTaskEvent()));
            assert.deepEqual(shape(execTaskRefused(site, time)), shape(runTaskEvent({ error: ACCESS_DENIED })));
            assert.deepEqual(matching(started), ["run-task"]);
            assert.deepEqual(matching(execTaskRefused(site, time)), ["run-task-refused"]);
            assert.deepEqual(matching(execTaskOnForeignGroup(site, time)), ["run-task", "run-task-network"]);
            // With a public IP, the stack's own starts (which ask for one) are still inside its network.
            const publicIp = { ...site, assignPublicIp: true };
            assert.equal(execTaskStarted(publicIp, time).detail.requestParameters.networkConfiguration.awsvpcConfiguration.assignPublicIp, "ENABLED");
            assert.deepEqual(matching(execTaskStarted(publicIp, time), publicIp), ["run-task"]);
            // Whatever the stack's group, the foreign one is another.
            const onTheForeignGroup = { ...site, securityGroupId: execTaskOnForeignGroup(site, time).detail.requestParameters.networkConfiguration.awsvpcConfiguration.securityGroups[0] };
            assert.deepEqual(matching(execTaskOnForeignGroup(onTheForeignGroup, time), onTheForeignGroup), ["run-task", "run-task-network"]);
        });

        it("StartSession: the forwarding fixture's shape; a forwarding and a default shell each match their alert", () => {
            const forwarding = portForwardingSession(site, time, site.portForwarding[0]);
            assert.deepEqual(shape(forwarding), shape(fixture("start-session-port-forwarding")));
            assert.deepEqual(forwarding.detail.requestParameters, fixture("start-session-port-forwarding").detail.requestParameters);
            assert.deepEqual(matching(forwarding), ["start-session-forward"]);
            assert.deepEqual(matching(shellSession(site, time)), ["start-session-other"]);
        });

        it("another team's RunTask matches no alert", () => {
            assert.deepEqual(matching(otherRunTask(site, time)), []);
        });
    });

    it("turns the offline scenarios into the caller's own, dropping those that would stop meaning their row", () => {
        const names = execNames("dev");
        const facts = {
            ...TEST_CONTEXT,
            clusterName: names.cluster,
            taskFamily: names.taskFamily,
            containerName: names.container,
            taskRoleArn: `arn:aws:iam::111122223333:role/${names.taskRole}`,
            executionRoleArn: `arn:aws:iam::111122223333:role/${names.executionRole}`,
            kmsKeyArn: "arn:aws:kms:us-east-1:111122223333:key/0b6a2b8e-1d55-4a0e-9f3b-4b1f8a6c2d10",
            requireReason: false,
            taskCpu: 256,
            taskMemory: 512,
            sessionLogGroupName: names.sessionLogGroup,
            transcriptBucketName: "dev-ecs-exec-transcripts-111122223333",
        };
        const all = scenarios(facts);
        const ids = Object.values(callers("111122223333")).map((c) => c.userId);
        const dave = { arn: "arn:aws:iam::111122223333:user/dave", userId: "AIDAEXAMPLEUSERDAVE1", account: "111122223333", partition: "aws" };
        const mine = asCaller(all, dave, ids);
        assert.ok(mine.every((s) => s.caller.userId === dave.userId && s.caller.principal === dave.arn));
        const ownStart = mine.find((s) => s.action === "ecs:RunTask" && s.expect === "Allowed" && s.targets[0].arn.includes(names.taskFamily))!;
        assert.equal(ownStart.context!["aws:RequestTag/Owner"], dave.userId);
        assert.ok(mine.some((s) => s.action === "ecs:RunTask" && s.context?.["aws:RequestTag/Owner"] === "AROAEXAMPLEROLEID123:carol@example.com" && s.expect === "ImplicitlyDenied"));
        assert.ok(mine.length < all.length, "alice's and bob's own requests become one");
        // Alice herself: "bob opens a shell in alice's task" would be her own task, so it is left out.
        const alice = { arn: callers("111122223333").alice.principal, userId: callers("111122223333").alice.userId, account: "111122223333", partition: "aws" };
        const hers = asCaller(all, alice, ids);
        assert.ok(!hers.some((s) => s.action === "ecs:ExecuteCommand" && s.expect !== "Allowed" && s.targets[1]?.tags?.Owner === alice.userId && s.context?.["ecs:container-name"] === names.container && !s.targets[0].arn.includes("payments")));
    });

    it("holds, with an existing trail, the reads of any trail that may carry the region's events", () => {
        const policy = doctorPolicy(TEST_CONTEXT, {
            clusterName: "prod-ecs-exec",
            kmsKeyArn: "arn:aws:kms:us-east-1:111122223333:key/0b6a2b8e-1d55-4a0e-9f3b-4b1f8a6c2d10",
            auditKeyArn: "arn:aws:kms:us-east-1:111122223333:key/7c1d9e2f-3a4b-4c5d-8e6f-9a0b1c2d3e4f",
            vpcId: "vpc-0a1b2c3d4e5f60718",
            topicName: "prod-ecs-exec-alerts",
            deadLetterQueueName: "prod-ecs-exec-alerts-dead-letters",
            ruleNames: ["prod-ecs-exec-execute-command"],
            alarmNames: ["prod-ecs-exec-execute-command-undelivered"],
        });
        const trail = policy.Statement.find((s) => s.Sid === "ReadTheTrail")!;
        assert.equal(trail.Resource, "arn:aws:cloudtrail:*:*:trail/*");
    });
});
