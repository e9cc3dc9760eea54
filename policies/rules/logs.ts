/**
 * Log groups and keys: every log group is KMS-encrypted and kept long enough (Checkov CKV_AWS_158, 66, 338); keys
 * rotate; the key that encrypts exec sessions lets nobody in without a condition.
 */
import type { PolicyConfigSchema, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { publicStatements } from "../lib/iam";
import { TYPES } from "../lib/types";
import { configOf, forStack, forTypes } from "../lib/rule";
import { isUnknown } from "../lib/values";

export const logGroupEncrypted: ResourceValidationPolicy = {
    name: "log-group-encrypted",
    description: "Log groups are encrypted with a customer-managed KMS key (Checkov CKV_AWS_158).",
    enforcementLevel: "mandatory",
    remediationSteps:
        "Set kmsKeyId to a customer-managed key whose policy lets logs.<region>.amazonaws.com use it for this log group " +
        "(condition kms:EncryptionContext:aws:logs:arn). The exec agent refuses to log sessions to an unencrypted group.",
    validateResource: forTypes([TYPES.logGroup], (logGroup, report) => {
        if (!logGroup.props.kmsKeyId) {
            report("no kmsKeyId: the log group is encrypted with a key nobody controls");
        }
    }),
};

const retentionSchema: PolicyConfigSchema = {
    properties: {
        minimumRetentionDays: {
            type: "integer",
            minimum: 1,
            default: 365,
            description: "Fewest days a log group may keep its events.",
        },
    },
};

export const logGroupRetention: ResourceValidationPolicy = {
    name: "log-group-retention",
    description: "Log groups set a retention of at least the configured minimum (Checkov CKV_AWS_66, CKV_AWS_338).",
    enforcementLevel: "mandatory",
    configSchema: retentionSchema,
    remediationSteps:
        "Set retentionInDays to a value CloudWatch Logs accepts that is at least minimumRetentionDays " +
        "(1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653).",
    validateResource: forTypes([TYPES.logGroup], (logGroup, report, args) => {
        const { minimumRetentionDays } = configOf<{ minimumRetentionDays: number }>(retentionSchema, args);
        const retention = logGroup.props.retentionInDays;
        if (isUnknown(retention)) {
            return;
        }
        if (typeof retention !== "number" || retention === 0) {
            report(`no retentionInDays (events kept forever); set at least ${minimumRetentionDays} days`);
        } else if (retention < minimumRetentionDays) {
            report(`retentionInDays is ${retention}, below the minimum of ${minimumRetentionDays}`);
        }
    }),
};

export const kmsKeyRotation: ResourceValidationPolicy = {
    name: "kms-key-rotation",
    description: "Symmetric customer-managed KMS keys rotate their key material (Checkov CKV_AWS_7).",
    enforcementLevel: "mandatory",
    remediationSteps: "Set enableKeyRotation: true on the key.",
    validateResource: forTypes([TYPES.kmsKey], (key, report) => {
        // Only symmetric encryption keys can rotate automatically.
        const spec = key.props.customerMasterKeySpec ?? "SYMMETRIC_DEFAULT";
        const usage = key.props.keyUsage ?? "ENCRYPT_DECRYPT";
        if (spec !== "SYMMETRIC_DEFAULT" || usage !== "ENCRYPT_DECRYPT") {
            return;
        }
        if (key.props.enableKeyRotation !== true && !isUnknown(key.props.enableKeyRotation)) {
            report("enableKeyRotation is not true");
        }
    }),
};

export const sessionKeyPolicyNotPublic: StackValidationPolicy = {
    name: "session-key-policy-not-public",
    description:
        "The KMS key of exec sessions (the cluster's exec kmsKeyId, and the session log group's key) has no key policy " +
        "statement that allows any principal (*) without a condition (Checkov CKV_AWS_33).",
    enforcementLevel: "mandatory",
    remediationSteps:
        "Name the principals in the key policy (the account root for IAM-managed access, logs.<region>.amazonaws.com " +
        "with kms:EncryptionContext:aws:logs:arn), or add a condition to the statement.",
    validateStack: forStack((stack, report) => {
        const sessionKeys = new Set(
            stack.ofType(TYPES.cluster).flatMap((cluster) => {
                const keys = stack.referenced(cluster, "configuration", [TYPES.kmsKey], "executeCommandConfiguration", "kmsKeyId");
                const logGroups = stack.referenced(cluster, "configuration", [TYPES.logGroup], "executeCommandConfiguration", "logConfiguration", "cloudWatchLogGroupName");
                return [...keys, ...logGroups.flatMap((group) => stack.referenced(group, "kmsKeyId", [TYPES.kmsKey]))];
            }),
        );
        for (const key of sessionKeys) {
            const policies = [
                { source: key, document: key.props.policy },
                ...stack.referring(key, [TYPES.kmsKeyPolicy], "keyId").map((p) => ({ source: p, document: p.props.policy })),
            ];
            for (const { source, document } of policies) {
                for (const statement of publicStatements(document)) {
                    report(`session key ${key.name}: key policy statement ${statement} allows any principal without a condition`, source);
                }
            }
        }
    }),
};

export const logRules = [logGroupEncrypted, logGroupRetention, kmsKeyRotation, sessionKeyPolicyNotPublic];
