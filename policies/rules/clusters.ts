/**
 * Clusters: every session is logged, encrypted, to CloudWatch (Checkov CKV_AWS_223, CKV_AWS_224), whatever the
 * task's own log settings; Container Insights is advised.
 */
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { TYPES } from "../lib/types";
import { forTypes } from "../lib/rule";
import { at, isUnknown, listOf } from "../lib/values";

export const clusterExecLogging: ResourceValidationPolicy = {
    name: "cluster-exec-logging",
    description:
        "Clusters log every exec session to CloudWatch Logs, encrypted: executeCommandConfiguration with logging OVERRIDE, " +
        "a CloudWatch log group, cloudWatchEncryptionEnabled and a KMS key (Checkov CKV_AWS_223, CKV_AWS_224).",
    enforcementLevel: "mandatory",
    remediationSteps:
        "Set configuration.executeCommandConfiguration to { kmsKeyId: <customer-managed key ARN>, logging: \"OVERRIDE\", " +
        "logConfiguration: { cloudWatchLogGroupName: <KMS-encrypted log group>, cloudWatchEncryptionEnabled: true } }.",
    validateResource: forTypes([TYPES.cluster], (cluster, report) => {
        const exec = at(cluster.props, "configuration", "executeCommandConfiguration");
        if (isUnknown(exec)) {
            return;
        }
        if (exec === undefined) {
            report("no executeCommandConfiguration: exec sessions on this cluster would be neither logged nor encrypted with a key of yours");
            return;
        }
        const logging = at(exec, "logging");
        if (logging !== "OVERRIDE" && !isUnknown(logging)) {
            report(`exec logging is ${logging === undefined ? "not set (DEFAULT: the task's own log driver)" : String(logging)}, not OVERRIDE`);
        }
        if (at(exec, "logConfiguration", "cloudWatchLogGroupName") === undefined) {
            report("exec sessions are not logged to a CloudWatch log group (logConfiguration.cloudWatchLogGroupName)");
        }
        const encrypted = at(exec, "logConfiguration", "cloudWatchEncryptionEnabled");
        if (encrypted !== true && !isUnknown(encrypted)) {
            report("cloudWatchEncryptionEnabled is not true: the agent would log sessions to an unencrypted log group");
        }
        if (!at(exec, "kmsKeyId")) {
            report("no kmsKeyId: exec sessions are not encrypted with a customer-managed key");
        }
    }),
};

export const clusterContainerInsights: ResourceValidationPolicy = {
    name: "cluster-container-insights",
    description: "Clusters turn Container Insights on (advisory: what tasks did, next to who exec'd into them).",
    enforcementLevel: "advisory",
    remediationSteps: "Add settings: [{ name: \"containerInsights\", value: \"enabled\" }] (or \"enhanced\") to the cluster.",
    validateResource: forTypes([TYPES.cluster], (cluster, report) => {
        const settings = listOf(cluster.props.settings);
        if (isUnknown(settings) || settings.some(isUnknown)) {
            return;
        }
        const insights = settings.find((s) => at(s, "name") === "containerInsights");
        const value = at(insights, "value");
        if (value !== "enabled" && value !== "enhanced" && !isUnknown(value)) {
            report("Container Insights is not enabled");
        }
    }),
};

export const clusterRules = [clusterExecLogging, clusterContainerInsights];
