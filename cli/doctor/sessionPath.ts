/**
 * The session path: the cluster that logs sessions, the log group they go to, the task definition exec tasks start
 * from, the network they run in, and the exec tasks themselves.
 */
import { DescribeLogGroupsCommand } from "@aws-sdk/client-cloudwatch-logs";
import {
    DescribeNetworkAclsCommand,
    DescribeNetworkInterfacesCommand,
    DescribeRouteTablesCommand,
    DescribeSecurityGroupsCommand,
    DescribeSubnetsCommand,
    DescribeVpcAttributeCommand,
    DescribeVpcEndpointsCommand,
    type IpPermission,
} from "@aws-sdk/client-ec2";
import { DescribeClustersCommand, type Task } from "@aws-sdk/client-ecs";
import { EXEC_PLATFORM_VERSION, EXEC_TASK_TAG } from "../../components/config";
import { routeTableOfSubnet } from "../../components/network";
import { EXEC_AGENT, ownerOf, taskId } from "../tasks";
import { compareVersions } from "./access";
import { check, combine, count, fail, Finding, pass, skip, warn } from "./check";
import { describeTasks, execTaskDefinition, runningExecTasks } from "./lookups";
import { judgeNetwork, NaclEntry, Permission, SecurityGroupFacts } from "./network";

/** `pulumi up` puts back what the stack declares. */
const redeploy = (stack: string) => `pulumi up --stack ${stack} restores it.`;

/** Whether a key reference (ARN, id or alias ARN as ECS and Logs report it) is the stack's key. */
const sameKey = (reference: string | undefined, keyArn: string) =>
    reference !== undefined && (reference === keyArn || reference === keyArn.split("/").pop());

export const clusterLogging = check<"kmsKeyArn">({
    id: "cluster-logging",
    group: "session path",
    title: "The cluster logs every session, encrypted, to the session log group and the transcripts' bucket",
    actions: ["ecs:DescribeClusters"],
    outputs: ["kmsKeyArn"],
    async run(ctx) {
        const { clusterName, sessionLogGroupName, stack } = ctx.outputs;
        const response = await ctx.aws("ecs:DescribeClusters", () =>
            ctx.clients.ecs.send(new DescribeClustersCommand({ clusters: [clusterName], include: ["CONFIGURATIONS"] })),
        );
        const cluster = response.clusters?.[0];
        if (!cluster || cluster.status !== "ACTIVE") {
            return fail(`cluster ${clusterName} is ${cluster?.status ?? "missing"}`, redeploy(stack));
        }
        const exec = cluster.configuration?.executeCommandConfiguration;
        const log = exec?.logConfiguration;
        const problems: string[] = [];
        if (exec?.logging !== "OVERRIDE") {
            problems.push(`exec logging is ${exec?.logging ?? "not configured"}, not OVERRIDE`);
        }
        if (log?.cloudWatchLogGroupName !== sessionLogGroupName) {
            problems.push(`sessions go to ${log?.cloudWatchLogGroupName ?? "no log group"}, not ${sessionLogGroupName}`);
        }
        if (log?.cloudWatchEncryptionEnabled !== true) {
            problems.push("CloudWatch encryption is off (the agent then logs to an unencrypted group unchecked)");
        }
        // Deployments before the transcripts' bucket have none in their outputs: nothing to compare.
        const bucket = ctx.outputs.transcriptBucketName;
        if (bucket !== undefined && log?.s3BucketName !== bucket) {
            problems.push(`the copies of transcripts go to ${log?.s3BucketName ?? "no bucket"}, not ${bucket}`);
        }
        if (bucket !== undefined && log?.s3EncryptionEnabled !== true) {
            problems.push("S3 encryption is off (the agent then copies to the bucket without checking it is encrypted)");
        }
        if (!sameKey(exec?.kmsKeyId, ctx.stack.kmsKeyArn)) {
            problems.push(`sessions are encrypted with ${exec?.kmsKeyId ?? "no KMS key"}, not the stack's key ${ctx.stack.kmsKeyArn}`);
        }
        if (problems.length > 0) {
            return fail(`cluster ${clusterName}: ${problems.join("; ")}`, `${redeploy(stack)} (the cluster's exec configuration)`);
        }
        const copies = ctx.outputs.transcriptBucketName ? ` and ${ctx.outputs.transcriptBucketName}` : "";
        return pass(`${clusterName} logs sessions (OVERRIDE) to ${sessionLogGroupName}${copies}, encrypted, with the stack's key`);
    },
});

export const sessionLogGroup = check<"kmsKeyArn" | "logRetentionDays">({
    id: "session-log-group",
    group: "session path",
    title: "The session log group exists, KMS-encrypted, with the configured retention",
    actions: ["logs:DescribeLogGroups"],
    outputs: ["kmsKeyArn", "logRetentionDays"],
    async run(ctx) {
        const name = ctx.outputs.sessionLogGroupName;
        const response = await ctx.aws("logs:DescribeLogGroups", () =>
            ctx.clients.logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: name })),
        );
        const group = response.logGroups?.find((g) => g.logGroupName === name);
        if (!group) {
            return fail(`log group ${name} does not exist: sessions cannot be logged, so the agent refuses them`, redeploy(ctx.outputs.stack));
        }
        const findings: Finding[] = [];
        if (!group.kmsKeyId) {
            findings.push(
                fail(
                    `${name} is not encrypted with a KMS key: with CloudWatch encryption on, the agent refuses to open sessions`,
                    `aws logs associate-kms-key --log-group-name ${name} --kms-key-id ${ctx.stack.kmsKeyArn} (or ${redeploy(ctx.outputs.stack)})`,
                ),
            );
        } else if (!sameKey(group.kmsKeyId, ctx.stack.kmsKeyArn)) {
            findings.push(warn(`${name} is encrypted with ${group.kmsKeyId}, not the stack's key`, redeploy(ctx.outputs.stack)));
        }
        const configured = ctx.stack.logRetentionDays;
        if (group.retentionInDays !== configured) {
            const kept = group.retentionInDays === undefined ? "forever" : `${group.retentionInDays} days`;
            const shorter = group.retentionInDays !== undefined && group.retentionInDays < configured;
            findings.push(
                (shorter ? fail : warn)(
                    `${name} keeps transcripts ${kept}, configured ${configured} days`,
                    `aws logs put-retention-policy --log-group-name ${name} --retention-in-days ${configured} (or pulumi up).`,
                ),
            );
        }
        return combine(findings, `${name} exists, encrypted with the stack's key, kept ${configured} days`);
    },
});

/** Names under which credentials in a container's environment override the task role (and break exec). */
const CREDENTIAL_VARIABLES = ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_ACCESS_KEY", "AWS_SECRET_KEY"];

/** ECS Exec needs Fargate platform version 1.4.0 or later on Linux (ECS Developer Guide, "Using Amazon ECS Exec"). */
const MINIMUM_PLATFORM_VERSION = "1.4.0";

function platformProblem(task: Task): string | undefined {
    const version = task.platformVersion;
    if (version === undefined || version === "LATEST") {
        return undefined;
    }
    const order = compareVersions(version, MINIMUM_PLATFORM_VERSION);
    return order !== undefined && order < 0 ? `task ${taskId(task.taskArn!)} runs on platform version ${version}, older than ${MINIMUM_PLATFORM_VERSION}` : undefined;
}

export const taskDefinition = check<"taskRoleArn">({
    id: "task-definition",
    group: "session path",
    title: "The exec task definition can run exec",
    actions: ["ecs:DescribeTaskDefinition", "ecs:ListTasks", "ecs:DescribeTasks"],
    outputs: ["taskRoleArn"],
    async run(ctx) {
        const { taskDefinitionFamily: family, containerName, stack } = ctx.outputs;
        const [{ taskDefinition: td, tags }, tasks] = await Promise.all([execTaskDefinition(ctx), runningExecTasks(ctx)]);
        const name = `${family}:${td.revision}`;
        const problems: string[] = [];
        const notes: Finding[] = [];
        const container = td.containerDefinitions?.find((c) => c.name === containerName);
        if (!container) {
            problems.push(`it has no container ${containerName}`);
        } else {
            if (container.linuxParameters?.initProcessEnabled !== true) {
                problems.push(`${containerName} lacks initProcessEnabled (the agent's child processes are never reaped)`);
            }
            if (container.readonlyRootFilesystem === true) {
                problems.push(`${containerName} has a read-only root filesystem, where the exec agent cannot run`);
            }
        }
        for (const c of td.containerDefinitions ?? []) {
            const named = [...(c.environment ?? []), ...(c.secrets ?? [])].map((v) => v.name!).filter((n) => CREDENTIAL_VARIABLES.includes(n));
            if (named.length > 0) {
                problems.push(`container ${c.name} sets ${named.join(", ")}, which override the task role the agent needs`);
            }
            if ((c.environmentFiles ?? []).length > 0) {
                notes.push(warn(`container ${c.name} reads environment files doctor cannot see`, "Make sure they hold no AWS_ACCESS_KEY_ID or AWS_SECRET_ACCESS_KEY."));
            }
        }
        if (!td.taskRoleArn) {
            problems.push("it has no task role, so the agent has no credentials");
        } else if (td.taskRoleArn !== ctx.stack.taskRoleArn) {
            problems.push(`its task role is ${td.taskRoleArn}, not the stack's ${ctx.stack.taskRoleArn}`);
        }
        if (!(td.requiresCompatibilities ?? []).includes("FARGATE") || td.networkMode !== "awsvpc") {
            problems.push(`it is not a Fargate task definition (compatibilities ${(td.requiresCompatibilities ?? []).join(", ") || "none"}, network mode ${td.networkMode})`);
        }
        if (td.pidMode === "host") {
            problems.push("it shares the host's process namespace (pidMode host)");
        } else if (td.pidMode === "task" && (td.containerDefinitions ?? []).length > 1) {
            notes.push(
                warn(
                    "pidMode task with several containers: only one ECS Exec session per process namespace, in one container (ECS Developer Guide, ECS Exec considerations)",
                    "Leave pidMode unset on the exec task definition.",
                ),
            );
        }
        if (!tags.some((t) => t.key === EXEC_TASK_TAG.key && t.value === EXEC_TASK_TAG.value)) {
            problems.push(`it lacks the tag ${EXEC_TASK_TAG.key}=${EXEC_TASK_TAG.value}, so the developer policy refuses to start it with exec`);
        }
        const stale = ctx.optional.taskDefinitionArn;
        if (stale && td.taskDefinitionArn !== stale) {
            notes.push(
                warn(
                    `RunTask by family starts ${name}, not the stack's ${stale.split("/").pop()}`,
                    `Deregister revisions the stack did not register (aws ecs deregister-task-definition --task-definition ${name}), or pulumi up.`,
                ),
            );
        }
        for (const task of tasks) {
            const old = platformProblem(task);
            if (old) {
                problems.push(old);
            }
        }
        if (problems.length > 0) {
            return fail(`${name}: ${problems.join("; ")}`, `${redeploy(stack)} (the task definition; stop tasks on an old platform version)`);
        }
        const platforms = [...new Set(tasks.map((t) => t.platformVersion).filter((v) => v !== undefined))];
        return combine(
            notes,
            `${name}: initProcessEnabled, a writable root, task role ${td.taskRoleArn!.split("/").pop()}, Fargate` +
                (platforms.length > 0 ? `, running tasks on platform ${platforms.join(", ")}` : `, platform ${EXEC_PLATFORM_VERSION} when started by ecs-exec`),
        );
    },
});

function permissions(list: IpPermission[] | undefined): Permission[] {
    return (list ?? []).map((p) => ({
        protocol: p.IpProtocol ?? "-1",
        fromPort: p.FromPort,
        toPort: p.ToPort,
        cidrs: (p.IpRanges ?? []).map((r) => r.CidrIp!),
        prefixLists: (p.PrefixListIds ?? []).map((l) => l.PrefixListId!),
        groups: (p.UserIdGroupPairs ?? []).map((g) => g.GroupId!),
    }));
}

export const network = check({
    id: "network",
    group: "session path",
    title: "The exec subnets reach Session Manager, ECR, Logs, KMS and S3 over HTTPS",
    actions: [
        "ec2:DescribeSubnets",
        "ec2:DescribeRouteTables",
        "ec2:DescribeNetworkAcls",
        "ec2:DescribeVpcEndpoints",
        "ec2:DescribeSecurityGroups",
        "ec2:DescribeVpcAttribute",
        "ecs:DescribeTaskDefinition",
    ],
    outputs: [],
    async run(ctx) {
        const { ec2 } = ctx.clients;
        const { subnetIds, securityGroupId, assignPublicIp } = ctx.outputs;
        const [subnetsResponse, { taskDefinition: td }] = await Promise.all([
            ctx.aws("ec2:DescribeSubnets", () => ec2.send(new DescribeSubnetsCommand({ SubnetIds: subnetIds }))),
            execTaskDefinition(ctx),
        ]);
        const subnets = subnetsResponse.Subnets ?? [];
        const vpcIds = [...new Set(subnets.map((s) => s.VpcId!))];
        if (vpcIds.length !== 1) {
            return fail(`the exec subnets are in ${vpcIds.length} VPCs (${vpcIds.join(", ")})`, redeploy(ctx.outputs.stack));
        }
        const vpcId = vpcIds[0];
        const inVpc = [{ Name: "vpc-id", Values: [vpcId] }];
        const attribute = (Attribute: "enableDnsSupport" | "enableDnsHostnames") =>
            ctx.aws("ec2:DescribeVpcAttribute", () => ec2.send(new DescribeVpcAttributeCommand({ VpcId: vpcId, Attribute })));
        const [tables, acls, endpoints, dnsSupport, dnsHostnames] = await Promise.all([
            ctx.aws("ec2:DescribeRouteTables", () => ec2.send(new DescribeRouteTablesCommand({ Filters: inVpc }))),
            ctx.aws("ec2:DescribeNetworkAcls", () => ec2.send(new DescribeNetworkAclsCommand({ Filters: inVpc }))),
            ctx.aws("ec2:DescribeVpcEndpoints", () => ec2.send(new DescribeVpcEndpointsCommand({ Filters: inVpc }))),
            attribute("enableDnsSupport"),
            attribute("enableDnsHostnames"),
        ]);
        const endpointFacts = (endpoints.VpcEndpoints ?? []).map((e) => ({
            id: e.VpcEndpointId!,
            type: e.VpcEndpointType ?? "",
            serviceName: e.ServiceName ?? "",
            state: e.State ?? "",
            privateDns: e.PrivateDnsEnabled === true,
            securityGroupIds: (e.Groups ?? []).map((g) => g.GroupId!),
            routeTableIds: e.RouteTableIds ?? [],
        }));
        const groupIds = [...new Set([securityGroupId, ...endpointFacts.flatMap((e) => e.securityGroupIds)])];
        const groupsResponse = await ctx.aws("ec2:DescribeSecurityGroups", () =>
            ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: groupIds })),
        );
        const groups = new Map<string, SecurityGroupFacts>(
            (groupsResponse.SecurityGroups ?? []).map((g) => [
                g.GroupId!,
                { id: g.GroupId!, ingress: permissions(g.IpPermissions), egress: permissions(g.IpPermissionsEgress) },
            ]),
        );
        const execGroup = groups.get(securityGroupId);
        if (!execGroup) {
            return fail(`security group ${securityGroupId} does not exist`, redeploy(ctx.outputs.stack));
        }
        const allTables = tables.RouteTables ?? [];
        const mainTables = allTables.filter((t) => (t.Associations ?? []).some((a) => a.Main)).map((t) => t.RouteTableId!);
        const vpcCidrs = [
            ...new Set(allTables.flatMap((t) => (t.Routes ?? []).filter((r) => r.GatewayId === "local" && r.DestinationCidrBlock).map((r) => r.DestinationCidrBlock!))),
        ];
        const container = td.containerDefinitions?.find((c) => c.name === ctx.outputs.containerName);
        return judgeNetwork({
            region: ctx.region,
            assignPublicIp,
            image: container?.image,
            vpcId,
            vpcCidrs,
            dnsSupport: dnsSupport.EnableDnsSupport?.Value === true,
            dnsHostnames: dnsHostnames.EnableDnsHostnames?.Value === true,
            subnets: subnets.map((s) => {
                const explicit = allTables.filter((t) => (t.Associations ?? []).some((a) => a.SubnetId === s.SubnetId)).map((t) => t.RouteTableId!);
                const routeTableId = routeTableOfSubnet(explicit, mainTables) ?? "(none)";
                const table = allTables.find((t) => t.RouteTableId === routeTableId);
                const acl = (acls.NetworkAcls ?? []).find((a) => (a.Associations ?? []).some((x) => x.SubnetId === s.SubnetId));
                return {
                    id: s.SubnetId!,
                    cidr: s.CidrBlock!,
                    routeTableId,
                    routes: (table?.Routes ?? []).map((r) => ({
                        destinationCidr: r.DestinationCidrBlock,
                        prefixList: r.DestinationPrefixListId,
                        target: r.NatGatewayId ?? r.GatewayId ?? r.NetworkInterfaceId ?? r.TransitGatewayId ?? r.VpcPeeringConnectionId ?? "other",
                        state: r.State ?? "active",
                    })),
                    naclId: acl?.NetworkAclId ?? "(none)",
                    nacl: (acl?.Entries ?? []).map(
                        (e): NaclEntry => ({
                            ruleNumber: e.RuleNumber!,
                            egress: e.Egress === true,
                            protocol: e.Protocol ?? "-1",
                            allow: e.RuleAction === "allow",
                            cidr: e.CidrBlock,
                            fromPort: e.PortRange?.From,
                            toPort: e.PortRange?.To,
                        }),
                    ),
                };
            }),
            endpoints: endpointFacts,
            execGroup,
            groups,
        });
    },
});

export const execTaskNetwork = check({
    id: "exec-task-network",
    group: "session path",
    title: "Running exec tasks use only the exec security group and the configured subnets",
    actions: ["ecs:ListTasks", "ecs:DescribeTasks", "ec2:DescribeNetworkInterfaces"],
    outputs: [],
    async run(ctx) {
        const { subnetIds, securityGroupId, assignPublicIp } = ctx.outputs;
        const tasks = await runningExecTasks(ctx);
        const interfaces = tasks.flatMap((task) => {
            const eni = task.attachments?.find((a) => a.type === "ElasticNetworkInterface");
            const detail = (name: string) => eni?.details?.find((d) => d.name === name)?.value;
            const id = detail("networkInterfaceId");
            return id ? [{ task, id }] : [];
        });
        if (tasks.length === 0) {
            return pass("no exec task is running");
        }
        const described =
            interfaces.length === 0
                ? []
                : ((
                      await ctx.aws("ec2:DescribeNetworkInterfaces", () =>
                          ctx.clients.ec2.send(new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: interfaces.map((i) => i.id) })),
                      )
                  ).NetworkInterfaces ?? []);
        const problems: string[] = [];
        for (const { task, id } of interfaces) {
            const eni = described.find((n) => n.NetworkInterfaceId === id);
            const who = `task ${taskId(task.taskArn!)} (Owner ${ownerOf(task) ?? "none"})`;
            if (!eni) {
                continue;
            }
            const groups = (eni.Groups ?? []).map((g) => g.GroupId!);
            const foreignGroups = groups.filter((g) => g !== securityGroupId);
            if (foreignGroups.length > 0 || !groups.includes(securityGroupId)) {
                problems.push(`${who} runs with security groups ${groups.join(", ")}`);
            }
            if (!subnetIds.includes(eni.SubnetId!)) {
                problems.push(`${who} runs in subnet ${eni.SubnetId}, not one of ${subnetIds.join(", ")}`);
            }
            const publicIp = eni.Association?.PublicIp;
            if (publicIp && !assignPublicIp) {
                problems.push(`${who} has the public IP ${publicIp}, which the stack gives none`);
            }
        }
        if (problems.length > 0) {
            return fail(
                `${problems.join("; ")} (IAM cannot hold RunTask to the stack's network: only the security group's rules and the RunTask alert stand in the way)`,
                `Stop ${problems.length === 1 ? "that task" : "those tasks"} (aws ecs stop-task --cluster ${ctx.outputs.clusterName} --task <id>) and ask who started it; ecs-exec starts tasks in the stack's network only.`,
            );
        }
        const starting = tasks.length - interfaces.length;
        return pass(
            `${count(interfaces.length, "running exec task")} in ${securityGroupId} and the configured subnets` +
                (starting > 0 ? `; ${starting} not yet attached to the network` : ""),
        );
    },
});

export const execAgent = check({
    id: "exec-agent",
    group: "session path",
    title: "The exec agent runs in the exec task",
    actions: ["ecs:ListTasks", "ecs:DescribeTasks"],
    outputs: [],
    async run(ctx) {
        const { containerName, clusterName } = ctx.outputs;
        let task: Task | undefined;
        if (ctx.taskId) {
            [task] = await describeTasks(ctx, [ctx.taskId]);
            if (!task) {
                return fail(`task ${ctx.taskId} is not a task of ${clusterName}`, "Pass the id of a task of the exec cluster (ecs-exec list --all).");
            }
        } else {
            const time = (t: Task) => (t.startedAt ?? t.createdAt)?.getTime() ?? 0;
            task = (await runningExecTasks(ctx))
                .filter((t) => ownerOf(t) === ctx.caller.userId && t.lastStatus === "RUNNING")
                .sort((a, b) => time(b) - time(a))[0];
            if (!task) {
                return skip(
                    `you have no running exec task in ${clusterName} to check`,
                    "Start one (ecs-exec shell --keep, then exit) or name one with --task, and run doctor again.",
                );
            }
        }
        const id = taskId(task.taskArn!);
        if (task.lastStatus !== "RUNNING") {
            const stopped = task.lastStatus === "STOPPED" || task.desiredStatus === "STOPPED";
            return (stopped ? fail : warn)(
                `task ${id} is ${task.lastStatus}${task.stoppedReason ? ` (${task.stoppedReason})` : ""}`,
                stopped ? "Start a new exec task (ecs-exec shell)." : "Wait until it runs, then run doctor again.",
            );
        }
        const problems: string[] = [];
        if (task.enableExecuteCommand !== true) {
            problems.push("exec is not enabled on it (only RunTask can enable it: start a new task)");
        }
        const old = platformProblem(task);
        if (old) {
            problems.push(old);
        }
        const container = task.containers?.find((c) => c.name === containerName);
        const agent = container?.managedAgents?.find((a) => a.name === EXEC_AGENT);
        if (!container) {
            problems.push(`it has no container ${containerName}`);
        } else if (agent?.lastStatus !== "RUNNING") {
            problems.push(`its ${EXEC_AGENT} is ${agent?.lastStatus ?? "not reported"}${agent?.reason ? ` (${agent.reason})` : ""}`);
        } else if (!container.runtimeId) {
            problems.push(`container ${containerName} has no runtime id, which a session's target needs`);
        }
        if (problems.length > 0) {
            return fail(
                `task ${id}: ${problems.join("; ")}`,
                "Stop it and start a new one (ecs-exec stop, ecs-exec shell); if the agent stops again, check network and task-role-permissions above.",
            );
        }
        return pass(
            `task ${id}: exec enabled, ${EXEC_AGENT} RUNNING in ${containerName} (runtime id ${container!.runtimeId})` +
                (task.platformVersion ? `, platform ${task.platformVersion}` : ""),
        );
    },
});
