import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import { loadExecConfig, withConfigChecked } from "./components/config/pulumi";
import {
    execNames,
    runTaskCommand as buildRunTaskCommand,
    stackTags,
    transcriptBucketName as bucketForTranscripts,
} from "./components/config";
import { AwsContext } from "./components/iam";
import { ExecNetwork } from "./components/network/pulumi";
import { ExecCluster, ExecTask, SessionLogging } from "./components/session/pulumi";
import { DoctorAccess, ExecAccess } from "./components/access/pulumi";
import { AuditAlert, ExecAudit } from "./components/audit/pulumi";
import {
    executeCommandAlerts,
    RUN_TASK_NETWORK_ALERT_ID,
    runTaskAlerts,
    runTaskNetworkAlert,
    startSessionAlerts,
    unlistedForwardingAlert,
} from "./components/audit";

// Validation first: a bad stack stops here, before any resource is declared.
const config = loadExecConfig();
const names = execNames(config.environment);
const tags = stackTags(config.environment);
// Also before any resource: destinations too many for their alert's pattern.
const forwardingAlert = withConfigChecked(() => unlistedForwardingAlert(names.cluster, config.portForwarding));

const caller = aws.getCallerIdentityOutput();
// Who administers the audit chain: those configured, or whoever runs pulumi up (a role session as its role, with the
// path aws:PrincipalArn names it by: iam:GetRole, through the session context).
const auditAdminPrincipalArns: pulumi.Output<string[]> =
    config.auditAdminPrincipalArns.length > 0
        ? pulumi.output(config.auditAdminPrincipalArns)
        : aws.iam.getSessionContextOutput({ arn: caller.arn }).issuerArn.apply((arn) => [arn]);
const partition = aws.getPartitionOutput();
const context: pulumi.Output<AwsContext> = pulumi
    .all([caller.accountId, partition.partition, partition.dnsSuffix])
    .apply(([accountId, partitionName, dnsSuffix]) => ({
        accountId,
        partition: partitionName,
        dnsSuffix,
        region: config.region,
    }));

const network = new ExecNetwork("exec-network", {
    network: config.network,
    vpcEndpoints: config.vpcEndpoints,
    assignPublicIp: config.assignPublicIp,
    region: config.region,
    taskSecurityGroupName: names.taskSecurityGroup,
    endpointsName: names.endpoints,
    endpointSecurityGroupName: names.endpointSecurityGroup,
    portForwarding: config.portForwarding,
    tags,
});

const logging = new SessionLogging("session-logging", {
    context,
    keyAlias: names.keyAlias,
    sessionLogGroupName: names.sessionLogGroup,
    containerLogGroupName: names.containerLogGroup,
    retentionInDays: config.logRetentionDays,
    transcriptBucketName: caller.accountId.apply((accountId) => bucketForTranscripts(config.environment, accountId)),
    adminPrincipalArns: auditAdminPrincipalArns,
    protectAuditData: config.protectAuditData,
    tags,
});

const cluster = new ExecCluster("exec-cluster", {
    clusterName: names.cluster,
    kmsKeyArn: logging.keyArn,
    sessionLogGroupName: logging.sessionLogGroupName,
    transcriptBucketName: logging.transcriptBucketName,
    tags,
});

const task = new ExecTask("exec-task", {
    context,
    taskRoleName: names.taskRole,
    executionRoleName: names.executionRole,
    taskFamily: names.taskFamily,
    containerName: names.container,
    appImage: config.appImage,
    cpu: config.execCpu,
    memory: config.execMemory,
    cpuArchitecture: config.cpuArchitecture,
    maxSessionHours: config.maxSessionHours,
    sessionLogGroupName: logging.sessionLogGroupName,
    transcriptBucketName: logging.transcriptBucketName,
    containerLogGroupName: logging.containerLogGroupName,
    kmsKeyArn: logging.keyArn,
    region: config.region,
    tags,
});

const access = new ExecAccess("exec-access", {
    context,
    policyName: names.developerPolicy,
    roleName: names.developerRole,
    clusterName: cluster.clusterName,
    taskFamily: task.taskDefinitionFamily,
    containerName: task.containerName,
    taskRoleArn: task.taskRoleArn,
    executionRoleArn: task.executionRoleArn,
    kmsKeyArn: logging.keyArn,
    sessionLogGroupName: logging.sessionLogGroupName,
    transcriptBucketName: logging.transcriptBucketName,
    developerPrincipalArns: config.developerPrincipalArns,
    developerSessionNameTag: config.developerSessionNameTag,
    developerTaggedRoleArns: config.developerTaggedRoleArns,
    requireMfa: config.requireMfa,
    requireReason: config.requireReason,
    taskCpu: config.execCpu,
    taskMemory: config.execMemory,
    attachToRoles: config.developerPolicyRoles,
    attachToGroups: config.developerPolicyGroups,
    portForwarding: config.portForwarding.length > 0,
    tags,
});

const audit = new ExecAudit("exec-audit", {
    context,
    environment: config.environment,
    cloudTrail: config.cloudTrail,
    trailRetentionDays: config.trailRetentionDays,
    trailName: names.trail,
    topicName: names.alertTopic,
    keyAlias: names.auditKeyAlias,
    deadLetterQueueName: names.alertDeadLetterQueue,
    alerts: [
        ...executeCommandAlerts({ clusterName: names.cluster, sessionLogGroupName: names.sessionLogGroup }),
        ...runTaskAlerts({ family: names.taskFamily }),
        ...startSessionAlerts(names.cluster),
        forwardingAlert,
    ]
        .map((definition): AuditAlert => ({ id: definition.id, definition }))
        .concat({
            id: RUN_TASK_NETWORK_ALERT_ID,
            definition: pulumi.all([network.subnetIds, network.securityGroupId]).apply(([subnetIds, securityGroupId]) =>
                runTaskNetworkAlert({ family: names.taskFamily, subnetIds, securityGroupId, assignPublicIp: config.assignPublicIp }),
            ),
        }),
    watched: {
        sessionLogGroupName: names.sessionLogGroup,
        transcriptBucketName: logging.transcriptBucketName,
        sessionKeyArn: logging.keyArn,
        clusterName: names.cluster,
        developerPolicyArn: access.policyArn,
    },
    adminPrincipalArns: auditAdminPrincipalArns,
    protectAuditData: config.protectAuditData,
    alertEmails: config.alertEmails,
    tags,
});

const doctor = new DoctorAccess("doctor-access", {
    context,
    policyName: names.doctorPolicy,
    clusterName: cluster.clusterName,
    kmsKeyArn: logging.keyArn,
    auditKeyArn: audit.keyArn,
    vpcId: network.vpcId,
    topicName: names.alertTopic,
    deadLetterQueueName: names.alertDeadLetterQueue,
    ruleNames: audit.ruleNames,
    alarmNames: audit.alarmNames,
    trailName: audit.trailName,
    tags,
});

// Which stack these outputs describe, and how long an exec task lives: tools read both from the outputs.
export const stack = pulumi.getStack();
export const maxSessionHours = config.maxSessionHours;
export const region = config.region;
export const clusterName = cluster.clusterName;
export const clusterArn = cluster.clusterArn;
export const taskDefinitionFamily = task.taskDefinitionFamily;
export const taskDefinitionArn = task.taskDefinitionArn;
export const containerName = task.containerName;
export const taskRoleArn = task.taskRoleArn;
export const executionRoleArn = task.executionRoleArn;
export const vpcId = network.vpcId;
export const subnetIds = network.subnetIds;
export const securityGroupId = network.securityGroupId;
export const assignPublicIp = config.assignPublicIp;
export const requireReason = config.requireReason;
export const sessionLogGroupName = logging.sessionLogGroupName;
// Where the write-once copy of each transcript goes: <transcriptBucketName>/sessions/<session id>.log.
export const transcriptBucketName = logging.transcriptBucketName;
export const logRetentionDays = config.logRetentionDays;
export const execCpu = config.execCpu;
export const execMemory = config.execMemory;
export const kmsKeyArn = logging.keyArn;
export const developerPolicyArn = access.policyArn;
// null rather than undefined: the output stays listed (and says "no role") when no principals are configured.
export const developerRoleArn = access.roleArn.apply((arn) => arn ?? null);
export const developerPolicy = access.policyDocument;
export const alertTopicArn = audit.topicArn;
export const alertRuleNames = audit.ruleNames;
export const alertAlarmNames = audit.alarmNames;
// The rules that report changes to the audit chain itself (ecs-exec doctor's audit-watch), and where undelivered alerts wait.
export const auditWatchRuleNames = audit.watchRuleNames;
export const alertDeadLetterQueueUrl = audit.deadLetterQueueUrl;
export const auditAdminPrincipals = auditAdminPrincipalArns;
export const cloudTrail = config.cloudTrail;
export const trailName = audit.trailName.apply(
    (name) => name ?? "none created (cloudTrail: existing): an organization or account trail must log this region's management events",
);
// What ecs-exec forward <name> may reach (the security group's CIDR blocks and groups are the stack's business).
export const portForwarding = config.portForwarding.map(({ name, host, port }) => ({ name, host, port }));
export const doctorPolicyArn = doctor.policyArn;
export const runTaskCommand = pulumi
    .all([cluster.clusterName, task.taskDefinitionFamily, network.subnetIds, network.securityGroupId])
    .apply(([clusterNameValue, family, subnets, securityGroup]) =>
        buildRunTaskCommand({
            region: config.region,
            cluster: clusterNameValue,
            taskFamily: family,
            subnetIds: subnets,
            securityGroupId: securityGroup,
            assignPublicIp: config.assignPublicIp,
            requireReason: config.requireReason,
        }),
    );
