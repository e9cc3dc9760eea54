/**
 * Harmful edits of a synthesized stack, each one way to weaken the exec guardrails, with the rule that must catch it.
 * Edits work on the synth format (what `npm run check -- --resources` reads), as a changed program would produce.
 */
import type { SynthResource, SynthResult } from "../../synth/synth";

export interface Mutation {
    title: string;
    /** The rule whose mandatory violation must catch it (under the prod config). */
    caughtBy: string;
    /** Stacks it applies to; both unless said. */
    stacks?: ("dev" | "prod")[];
    apply(stack: SynthResult): void;
}

const TYPE = {
    taskDefinition: "aws:ecs/taskDefinition:TaskDefinition",
    cluster: "aws:ecs/cluster:Cluster",
    logGroup: "aws:cloudwatch/logGroup:LogGroup",
    policy: "aws:iam/policy:Policy",
    rolePolicy: "aws:iam/rolePolicy:RolePolicy",
    role: "aws:iam/role:Role",
    securityGroup: "aws:ec2/securityGroup:SecurityGroup",
    eventRule: "aws:cloudwatch/eventRule:EventRule",
    eventTarget: "aws:cloudwatch/eventTarget:EventTarget",
    kmsKey: "aws:kms/key:Key",
    metricAlarm: "aws:cloudwatch/metricAlarm:MetricAlarm",
    topic: "aws:sns/topic:Topic",
    topicPolicy: "aws:sns/topicPolicy:TopicPolicy",
    topicSubscription: "aws:sns/topicSubscription:TopicSubscription",
    trail: "aws:cloudtrail/trail:Trail",
    rolePolicyAttachment: "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
};

function one(stack: SynthResult, type: string, name: string): SynthResource {
    const found = stack.resources.find((r) => r.type === type && r.name === name);
    if (!found) {
        throw new Error(`no ${type} ${name} in the ${stack.stack} stack`);
    }
    return found;
}

const execTask = (s: SynthResult) => one(s, TYPE.taskDefinition, "exec-task-definition");
const cluster = (s: SynthResult) => one(s, TYPE.cluster, "exec-cluster-cluster");
const execLogging = (s: SynthResult) => (cluster(s).inputs as any).configuration.executeCommandConfiguration;
const sessionLogGroup = (s: SynthResult) => one(s, TYPE.logGroup, "session-logging-sessions");
const execGroup = (s: SynthResult) => one(s, TYPE.securityGroup, "exec-network-task");
/** Every alert's rule and target: weakening one alert leaves the others, so these edits weaken them all. */
const alertRules = (s: SynthResult) => s.resources.filter((r) => r.type === TYPE.eventRule && r.parent?.endsWith("::exec-audit"));
const alertTargets = (s: SynthResult) => s.resources.filter((r) => r.type === TYPE.eventTarget && r.parent?.endsWith("::exec-audit"));

/** Edits a JSON-string input (container definitions, policy documents) in place. */
function editJson(resource: SynthResource, input: string, edit: (document: any) => void): void {
    const document = JSON.parse(resource.inputs[input] as string);
    edit(document);
    resource.inputs[input] = JSON.stringify(document);
}

const execContainer = (s: SynthResult, edit: (container: any) => void) =>
    editJson(execTask(s), "containerDefinitions", (containers) => edit(containers[0]));

/** Edits the developer policy's statement that lets developers into their exec tasks. */
const developerExecGrant = (s: SynthResult, edit: (statement: any) => void) =>
    editJson(one(s, TYPE.policy, "exec-access-policy"), "policy", (document) =>
        edit(document.Statement.find((st: any) => st.Sid === "ExecIntoOwnExecContainer")),
    );

/** Edits the developer policy's port-forwarding grant on tasks (only a stack that forwards has it: dev). */
const developerForwardingGrant = (s: SynthResult, edit: (statement: any) => void) =>
    editJson(one(s, TYPE.policy, "exec-access-policy"), "policy", (document) =>
        edit(document.Statement.find((st: any) => st.Sid === "ForwardThroughOwnExecTask")),
    );

/** Edits the developer policy as a whole. */
const developerPolicy = (s: SynthResult, edit: (document: any) => void) => editJson(one(s, TYPE.policy, "exec-access-policy"), "policy", edit);

/** Removes the developer policy's statement of this Sid. */
const dropStatement = (document: any, sid: string) => {
    const before = document.Statement.length;
    document.Statement = document.Statement.filter((st: any) => st.Sid !== sid);
    if (document.Statement.length !== before - 1) {
        throw new Error(`no statement ${sid} in the developer policy`);
    }
};

/** Adds a statement to the exec task role's own policy. */
const taskRoleGrants = (s: SynthResult, statement: Record<string, unknown>) =>
    editJson(one(s, TYPE.rolePolicy, "exec-task-task-role-policy"), "policy", (d) => d.Statement.push(statement));

/** One alert's rule, target and alarm, by the alert's id (components/audit/alerts.ts). */
const alertRule = (s: SynthResult, id: string) => one(s, TYPE.eventRule, `exec-audit-${id}-rule`);
const auditResource = (s: SynthResult, type: string, part: string) => one(s, type, `exec-audit-${part}`);

/** Adds a resource to the stack, depending on the resources named in `dependsOn` (property → resource). */
function add(
    s: SynthResult,
    type: string,
    name: string,
    inputs: Record<string, unknown>,
    dependsOn: Record<string, SynthResource> = {},
): void {
    const propertyDependencies = Object.fromEntries(Object.entries(dependsOn).map(([p, r]) => [p, [r.urn]]));
    s.resources.push({
        urn: `urn:pulumi:${s.stack}::${s.project}::${type}::${name}`,
        type,
        name,
        custom: true,
        inputs,
        dependencies: Object.values(dependsOn).map((r) => r.urn),
        propertyDependencies,
        protect: false,
        retainOnDelete: false,
    });
}

function remove(s: SynthResult, resource: SynthResource): void {
    s.resources = s.resources.filter((r) => r !== resource);
}

/** Attaches a managed policy to a role of the stack (or, given a name, to a role of another stack). */
const attach = (s: SynthResult, name: string, policyArn: string, role: SynthResource | string) =>
    typeof role === "string"
        ? add(s, TYPE.rolePolicyAttachment, name, { role, policyArn })
        : add(s, TYPE.rolePolicyAttachment, name, { role: role.inputs.name, policyArn }, { role });

const addService = (s: SynthResult, inputs: Record<string, unknown>) =>
    add(
        s,
        "aws:ecs/service:Service",
        "orders-api",
        { name: "orders-api", launchType: "FARGATE", desiredCount: 2, taskDefinition: execTask(s).inputs.family, ...inputs },
        { taskDefinition: execTask(s), cluster: cluster(s) },
    );

export const MUTATIONS: Mutation[] = [
    { title: "drop initProcessEnabled from the exec container", caughtBy: "exec-task-init-process", apply: (s) => execContainer(s, (c) => delete c.linuxParameters) },
    { title: "read-only root on the exec task", caughtBy: "exec-task-writable-root", apply: (s) => execContainer(s, (c) => (c.readonlyRootFilesystem = true)) },
    {
        title: "read-only root on the exec task with its exec tag removed (its role still opens sessions)",
        caughtBy: "exec-task-writable-root",
        apply: (s) => {
            execContainer(s, (c) => (c.readonlyRootFilesystem = true));
            delete (execTask(s).inputs.tags as Record<string, string>)["ecs-exec:purpose"];
        },
    },
    { title: "privileged exec container", caughtBy: "task-definition-no-privileged", apply: (s) => execContainer(s, (c) => (c.privileged = true)) },
    { title: "exec task shares the host's process namespace", caughtBy: "task-definition-no-host-namespaces", apply: (s) => (execTask(s).inputs.pidMode = "host") },
    {
        title: "AWS access keys in the exec container's environment",
        caughtBy: "task-definition-no-aws-credentials",
        apply: (s) => execContainer(s, (c) => (c.environment = [{ name: "AWS_ACCESS_KEY_ID", value: "AKIAEXAMPLE" }])),
    },
    {
        title: "the task role reused as execution role",
        caughtBy: "task-role-not-execution-role",
        apply: (s) => {
            const td = execTask(s);
            td.inputs.executionRoleArn = td.inputs.taskRoleArn;
            td.propertyDependencies.executionRoleArn = td.propertyDependencies.taskRoleArn;
        },
    },
    {
        title: "widen the developers' exec grant to ecs:* without condition",
        caughtBy: "exec-grant-scoped-to-container",
        apply: (s) =>
            developerExecGrant(s, (st) => {
                st.Action = "ecs:*";
                delete st.Condition;
            }),
    },
    { title: "grant Action * on the exec statement", caughtBy: "exec-grant-scoped-to-container", apply: (s) => developerExecGrant(s, (st) => ((st.Action = "*"), delete st.Condition)) },
    {
        title: "grant everything but IAM through NotAction",
        caughtBy: "exec-grant-scoped-to-container",
        apply: (s) => developerExecGrant(s, (st) => ((st.NotAction = ["iam:*"]), delete st.Action, delete st.Condition)),
    },
    {
        title: "container-name condition widened to *",
        caughtBy: "exec-grant-scoped-to-container",
        apply: (s) => developerExecGrant(s, (st) => (st.Condition = { StringLike: { ...st.Condition.StringEquals, "ecs:container-name": "*" } })),
    },
    {
        title: "container-name condition made negative (StringNotEquals)",
        caughtBy: "exec-grant-scoped-to-container",
        apply: (s) =>
            developerExecGrant(s, (st) => {
                const { "ecs:container-name": name, ...rest } = st.Condition.StringEquals;
                st.Condition = { StringEquals: rest, StringNotEquals: { "ecs:container-name": name } };
            }),
    },
    {
        title: "container-name condition made StringEqualsIfExists",
        caughtBy: "exec-grant-scoped-to-container",
        apply: (s) => developerExecGrant(s, (st) => (st.Condition = { StringEqualsIfExists: st.Condition.StringEquals })),
    },
    {
        title: "Owner tag condition dropped from the task grant",
        caughtBy: "exec-grant-scoped-to-container",
        apply: (s) => developerExecGrant(s, (st) => delete st.Condition.StringEquals["aws:ResourceTag/Owner"]),
    },
    {
        title: "the task role's own policy also grants ecs:ExecuteCommand",
        caughtBy: "exec-grant-scoped-to-container",
        apply: (s) =>
            editJson(one(s, TYPE.rolePolicy, "exec-task-task-role-policy"), "policy", (d) =>
                d.Statement.push({ Effect: "Allow", Action: "ecs:ExecuteCommand", Resource: "*" }),
            ),
    },
    {
        title: "AdministratorAccess attached to the developer role",
        caughtBy: "exec-grant-scoped-to-container",
        // prod creates no developer role (Identity Center's permission set holds the developer policy).
        stacks: ["dev"],
        apply: (s) =>
            add(
                s,
                "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
                "developer-admin",
                { role: one(s, TYPE.role, "exec-access-role").inputs.name, policyArn: "arn:aws:iam::aws:policy/AdministratorAccess" },
                { role: one(s, TYPE.role, "exec-access-role") },
            ),
    },
    {
        title: "AdministratorAccess attached to an existing role",
        caughtBy: "exec-grant-scoped-to-container",
        apply: (s) =>
            add(s, "aws:iam/rolePolicyAttachment:RolePolicyAttachment", "oncall-admin", {
                role: "platform-oncall",
                policyArn: "arn:aws:iam::aws:policy/AdministratorAccess",
            }),
    },
    { title: "exec logging NONE", caughtBy: "cluster-exec-logging", apply: (s) => (execLogging(s).logging = "NONE") },
    { title: "exec logging DEFAULT (the task's own log driver)", caughtBy: "cluster-exec-logging", apply: (s) => (execLogging(s).logging = "DEFAULT") },
    {
        title: "session log encryption turned off",
        caughtBy: "cluster-exec-logging",
        apply: (s) => (execLogging(s).logConfiguration.cloudWatchEncryptionEnabled = false),
    },
    { title: "the cluster's exec KMS key removed", caughtBy: "cluster-exec-logging", apply: (s) => delete execLogging(s).kmsKeyId },
    { title: "the session log group's KMS key removed", caughtBy: "log-group-encrypted", apply: (s) => delete sessionLogGroup(s).inputs.kmsKeyId },
    {
        title: "the session log group's KMS key removed, seen by the stack rule",
        caughtBy: "exec-alert-and-session-log",
        apply: (s) => delete sessionLogGroup(s).inputs.kmsKeyId,
    },
    // dev keeps 30 days, already below prod's minimum: these two are prod edits.
    { title: "session log retention below the minimum", caughtBy: "log-group-retention", stacks: ["prod"], apply: (s) => (sessionLogGroup(s).inputs.retentionInDays = 90) },
    { title: "session log retention removed", caughtBy: "log-group-retention", stacks: ["prod"], apply: (s) => delete sessionLogGroup(s).inputs.retentionInDays },
    {
        title: "session key rotation turned off",
        caughtBy: "kms-key-rotation",
        apply: (s) => (one(s, TYPE.kmsKey, "session-logging-key").inputs.enableKeyRotation = false),
    },
    {
        title: "port 22 opened on the exec security group",
        caughtBy: "no-ssh-ingress",
        apply: (s) => (execGroup(s).inputs.ingress = [{ protocol: "tcp", fromPort: 22, toPort: 22, cidrBlocks: ["10.0.0.0/8"] }]),
    },
    {
        title: "SSH through a separate aws.ec2.SecurityGroupRule",
        caughtBy: "no-ssh-ingress",
        apply: (s) =>
            add(
                s,
                "aws:ec2/securityGroupRule:SecurityGroupRule",
                "ssh",
                { type: "ingress", protocol: "tcp", fromPort: 22, toPort: 22, cidrBlocks: ["10.0.0.0/8"], securityGroupId: "sg-0123" },
                { securityGroupId: execGroup(s) },
            ),
    },
    {
        title: "HTTPS from the internet to the exec security group (aws.vpc.SecurityGroupIngressRule)",
        caughtBy: "exec-security-group-no-public-ingress",
        apply: (s) =>
            add(
                s,
                "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
                "https-anywhere",
                { ipProtocol: "tcp", fromPort: 443, toPort: 443, cidrIpv4: "0.0.0.0/0", securityGroupId: "sg-0123" },
                { securityGroupId: execGroup(s) },
            ),
    },
    {
        title: "inline ingress from ::/0 on the exec security group",
        caughtBy: "exec-security-group-no-public-ingress",
        apply: (s) => (execGroup(s).inputs.ingress = [{ protocol: "tcp", fromPort: 8443, toPort: 8443, ipv6CidrBlocks: ["::/0"] }]),
    },
    { title: "an EC2 key pair", caughtBy: "no-key-pairs", apply: (s) => add(s, "aws:ec2/keyPair:KeyPair", "ops", { keyName: "ops", publicKey: "ssh-ed25519 AAAA" }) },
    {
        title: "a jump host on a public IP",
        caughtBy: "no-public-instances",
        apply: (s) => add(s, "aws:ec2/instance:Instance", "bastion", { ami: "ami-0123", instanceType: "t3.micro", associatePublicIpAddress: true }),
    },
    { title: "exec turned on for a long-running service", caughtBy: "no-exec-on-services", apply: (s) => addService(s, { enableExecuteCommand: true }) },
    { title: "a service on Fargate platform 1.3.0", caughtBy: "fargate-platform-version", apply: (s) => addService(s, { platformVersion: "1.3.0" }) },
    {
        title: "the alerts' SNS targets removed",
        caughtBy: "exec-alert-and-session-log",
        apply: (s) => alertTargets(s).forEach((target) => remove(s, target)),
    },
    {
        title: "the alert rules narrowed to StopTask",
        caughtBy: "exec-alert-and-session-log",
        apply: (s) => alertRules(s).forEach((rule) => editJson(rule, "eventPattern", (p) => (p.detail.eventName = ["StopTask"]))),
    },
    {
        title: "the alert rules disabled",
        caughtBy: "exec-alert-and-session-log",
        apply: (s) => alertRules(s).forEach((rule) => (rule.inputs.state = "DISABLED")),
    },
    {
        title: "the alerts sent to a Lambda function instead of SNS",
        caughtBy: "exec-alert-and-session-log",
        apply: (s) => {
            for (const target of alertTargets(s)) {
                target.inputs.arn = `arn:aws:lambda:us-east-1:111122223333:function:swallow`;
                delete target.propertyDependencies.arn;
            }
        },
    },
    {
        title: "the refused-call alert disabled (the others still on)",
        caughtBy: "exec-alert-and-session-log",
        apply: (s) => (alertRule(s, "execute-command-refused").inputs.state = "DISABLED"),
    },
    {
        title: "the alert on calls no other alert matches removed, with its target and alarm",
        caughtBy: "exec-alert-and-session-log",
        apply: (s) => {
            remove(s, alertRule(s, "execute-command-unmatched"));
            remove(s, auditResource(s, TYPE.eventTarget, "execute-command-unmatched-target"));
            remove(s, auditResource(s, TYPE.metricAlarm, "execute-command-unmatched-alarm"));
        },
    },
    {
        title: "the session alert narrowed to one cluster by name",
        caughtBy: "exec-alert-and-session-log",
        apply: (s) => editJson(alertRule(s, "execute-command"), "eventPattern", (p) => (p.detail.requestParameters.cluster = ["orders"])),
    },
    { title: "the alarm on one alert's failed deliveries removed", caughtBy: "exec-alert-delivery", apply: (s) => remove(s, auditResource(s, TYPE.metricAlarm, "execute-command-refused-alarm")) },
    { title: "an alarm on failed deliveries with its actions off", caughtBy: "exec-alert-delivery", apply: (s) => (auditResource(s, TYPE.metricAlarm, "execute-command-alarm").inputs.actionsEnabled = false) },
    {
        title: "the alert topic encrypted with alias/aws/sns",
        caughtBy: "exec-alert-delivery",
        apply: (s) => {
            const topic = auditResource(s, TYPE.topic, "topic");
            topic.inputs.kmsMasterKeyId = "alias/aws/sns";
            delete topic.propertyDependencies.kmsMasterKeyId;
        },
    },
    { title: "the alert topic's subscriptions removed", caughtBy: "exec-alert-delivery", apply: (s) => s.resources.filter((r) => r.type === TYPE.topicSubscription).forEach((r) => remove(s, r)) },
    {
        title: "the alert topic's policy lets anyone subscribe",
        caughtBy: "exec-alert-delivery",
        apply: (s) =>
            editJson(auditResource(s, TYPE.topicPolicy, "topic-policy"), "policy", (d) =>
                d.Statement.push({ Sid: "Anyone", Effect: "Allow", Principal: { AWS: "*" }, Action: "sns:Subscribe", Resource: "*" }),
            ),
    },
    // prod relies on the organisation's trail: these are dev edits.
    { title: "the trail stops logging", caughtBy: "exec-alert-trail", stacks: ["dev"], apply: (s) => (auditResource(s, TYPE.trail, "trail").inputs.enableLogging = false) },
    { title: "the trail's log file validation off", caughtBy: "exec-alert-trail", stacks: ["dev"], apply: (s) => (auditResource(s, TYPE.trail, "trail").inputs.enableLogFileValidation = false) },
    { title: "the trail's KMS key removed", caughtBy: "exec-alert-trail", stacks: ["dev"], apply: (s) => delete auditResource(s, TYPE.trail, "trail").inputs.kmsKeyId },
    {
        title: "the trail records read-only management events",
        caughtBy: "exec-alert-trail",
        stacks: ["dev"],
        apply: (s) => (auditResource(s, TYPE.trail, "trail").inputs.eventSelectors = [{ includeManagementEvents: true, readWriteType: "ReadOnly" }]),
    },
    {
        title: "the session key's policy lets anyone decrypt",
        caughtBy: "session-key-policy-not-public",
        apply: (s) =>
            editJson(one(s, TYPE.kmsKey, "session-logging-key"), "policy", (d) =>
                d.Statement.push({ Sid: "Anyone", Effect: "Allow", Principal: "*", Action: "kms:Decrypt", Resource: "*" }),
            ),
    },
    {
        title: "AmazonSSMManagedInstanceCore attached to the exec task role",
        caughtBy: "exec-task-role-least-privilege",
        apply: (s) => attach(s, "ssm-core", "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore", one(s, TYPE.role, "exec-task-task-role")),
    },
    { title: "s3:* granted to the exec task role", caughtBy: "exec-task-role-least-privilege", apply: (s) => taskRoleGrants(s, { Effect: "Allow", Action: "s3:*", Resource: "*" }) },
    {
        title: "iam:PassRole granted to the exec task role",
        caughtBy: "exec-task-role-least-privilege",
        apply: (s) => taskRoleGrants(s, { Effect: "Allow", Action: "iam:PassRole", Resource: "arn:aws:iam::111122223333:role/app" }),
    },
    {
        title: "the exec task role's kms:Decrypt widened to every key",
        caughtBy: "exec-task-role-least-privilege",
        apply: (s) => editJson(one(s, TYPE.rolePolicy, "exec-task-task-role-policy"), "policy", (d) => (d.Statement.find((st: any) => st.Action === "kms:Decrypt").Resource = "*")),
    },
    {
        title: "developers get ssm:StartSession on tasks, the Deny on direct sessions removed",
        caughtBy: "no-direct-sessions-to-tasks",
        apply: (s) =>
            developerPolicy(s, (d) => {
                dropStatement(d, "DenyDirectSessionsToTasks");
                d.Statement.push({ Effect: "Allow", Action: "ssm:StartSession", Resource: "arn:aws:ecs:*:*:task/*" });
            }),
    },
    {
        title: "port forwarding through own tasks widened to the default shell document",
        caughtBy: "no-direct-sessions-to-tasks",
        apply: (s) =>
            developerPolicy(s, (d) => {
                dropStatement(d, "DenyDirectSessionsToTasks");
                d.Statement.push({
                    Effect: "Allow",
                    Action: "ssm:StartSession",
                    Resource: ["arn:aws:ecs:us-east-1:111122223333:task/*", "arn:aws:ssm:us-east-1::document/SSM-SessionManagerRunShell"],
                    Condition: { Bool: { "ssm:SessionDocumentAccessCheck": "true" } },
                });
            }),
    },
    // prod configures no port forwarding: these are dev edits.
    {
        title: "Owner tag condition dropped from the port-forwarding grant",
        caughtBy: "no-direct-sessions-to-tasks",
        stacks: ["dev"],
        apply: (s) => developerForwardingGrant(s, (st) => delete st.Condition.StringEquals["aws:ResourceTag/Owner"]),
    },
    {
        title: "port-forwarding grant widened to every cluster's tasks",
        caughtBy: "no-direct-sessions-to-tasks",
        stacks: ["dev"],
        apply: (s) => developerForwardingGrant(s, (st) => (st.Resource = "arn:aws:ecs:*:*:task/*")),
    },
    {
        title: "AmazonSSMFullAccess attached to an existing role through RolePolicyAttachmentsExclusive",
        caughtBy: "no-direct-sessions-to-tasks",
        apply: (s) =>
            add(s, "aws:iam/rolePolicyAttachmentsExclusive:RolePolicyAttachmentsExclusive", "ops-exclusive", {
                roleName: "platform-ops",
                policyArns: ["arn:aws:iam::aws:policy/AmazonSSMFullAccess"],
            }),
    },
    {
        title: "a deploy policy with ecs:UpdateService on every service",
        caughtBy: "enable-execute-command-conditioned",
        apply: (s) => add(s, TYPE.policy, "deploy", { name: "deploy", policy: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: ["ecs:UpdateService", "ecs:DescribeServices"], Resource: "*" }] }) }),
    },
    {
        title: "developers may run any task definition, the Deny of exec on other task definitions removed",
        caughtBy: "enable-execute-command-conditioned",
        apply: (s) =>
            developerPolicy(s, (d) => {
                dropStatement(d, "DenyExecOnOtherTaskDefinitions");
                d.Statement.find((st: any) => st.Sid === "StartOwnExecTask").Resource = "*";
            }),
    },
    {
        title: "a writable sidecar added to the exec task definition",
        caughtBy: "task-definition-read-only-root",
        apply: (s) => editJson(execTask(s), "containerDefinitions", (containers) => containers.push({ name: "log-router", image: "fluent-bit:3", essential: false })),
    },
];

/** Edits the rules report as advice, never blocking. */
export const ADVISORY_MUTATIONS: Mutation[] = [
    {
        title: "AmazonSSMManagedInstanceCore attached to the execution role",
        caughtBy: "task-role-no-ssm-managed-instance-core",
        apply: (s) => attach(s, "ssm-core", "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore", one(s, TYPE.role, "exec-task-execution-role")),
    },
    {
        title: "an AWS managed policy the pack's table does not know attached to another stack's role",
        caughtBy: "aws-managed-policy-known",
        apply: (s) => attach(s, "newer", "arn:aws:iam::aws:policy/AmazonECSPolicyPublishedNextYear", "platform-oncall"),
    },
    { title: "Container Insights turned off", caughtBy: "cluster-container-insights", apply: (s) => (cluster(s).inputs.settings = [{ name: "containerInsights", value: "disabled" }]) },
];
