/**
 * Who may exec, and as what: every grant of ecs:ExecuteCommand names the container it opens (and the configured
 * extra conditions); task roles get no more than the agent needs and are not the execution role.
 */
import type { PolicyConfigSchema, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { attachedPolicyArns, PERMISSION_TYPES, permissionDocuments } from "../lib/exec";
import { TYPES } from "../lib/types";
import { awsManagedPolicyName, SSM_MANAGED_INSTANCE_CORE, statementsOf, unscopedExecGrants } from "../lib/iam";
import { configOf, forStack, forTypes } from "../lib/rule";
import { Resource, Stack } from "../lib/stack";
import { at, isUnknown, listOf } from "../lib/values";

const execGrantSchema: PolicyConfigSchema = {
    properties: {
        requiredConditionKeys: {
            type: "array",
            items: { type: "string" },
            default: [],
            description:
                "Condition keys every ecs:ExecuteCommand grant that reaches tasks must narrow, besides ecs:container-name " +
                "(for example aws:ResourceTag/Owner, ecs:cluster).",
        },
    },
};

export const execGrantScopedToContainer: ResourceValidationPolicy = {
    name: "exec-grant-scoped-to-container",
    description:
        "No IAM policy grants ecs:ExecuteCommand (directly, through a wildcard or through NotAction) without a condition " +
        "naming the container(s) it opens (ecs:container-name), and the configured extra conditions on task grants.",
    enforcementLevel: "mandatory",
    configSchema: execGrantSchema,
    remediationSteps:
        "Narrow the statement with Condition: { StringEquals: { \"ecs:container-name\": \"<exec container>\" } } (no " +
        "IfExists, no negative operator, no bare * value) and add each required key, e.g. " +
        "{ \"aws:ResourceTag/Owner\": \"${aws:userid}\" }; or remove ecs:ExecuteCommand from the statement (mind ecs:*, *, " +
        "NotAction). AWS managed policies such as AdministratorAccess grant it unconditionally.",
    validateResource: forTypes(PERMISSION_TYPES, (resource, report, args) => {
        const { requiredConditionKeys } = configOf<{ requiredConditionKeys: string[] }>(execGrantSchema, args);
        for (const document of permissionDocuments(resource)) {
            for (const grant of unscopedExecGrants(document, requiredConditionKeys)) {
                report(`statement ${grant.statement} grants ecs:ExecuteCommand without a condition on ${grant.missingKeys.join(", ")}`);
            }
        }
    }),
};

/** Whether a role can be assumed by ECS tasks (a task role or an execution role). */
function assumedByEcsTasks(role: Resource): boolean {
    const statements = statementsOf(role.props.assumeRolePolicy);
    if (isUnknown(statements)) {
        return false;
    }
    return statements.some((statement) => {
        const services = listOf(at(statement, "Principal", "Service"));
        return !isUnknown(services) && services.some((s) => typeof s === "string" && s.startsWith("ecs-tasks."));
    });
}

export const taskRoleNoSsmManagedInstanceCore: StackValidationPolicy = {
    name: "task-role-no-ssm-managed-instance-core",
    description:
        "Roles of ECS tasks do not attach AmazonSSMManagedInstanceCore (advisory, least privilege): exec needs only the " +
        "four ssmmessages channel actions.",
    enforcementLevel: "advisory",
    remediationSteps:
        "Detach AmazonSSMManagedInstanceCore and grant only ssmmessages:CreateControlChannel, CreateDataChannel, " +
        "OpenControlChannel and OpenDataChannel (plus writing the session log group and kms:Decrypt on the exec key).",
    validateStack: forStack((stack: Stack, report) => {
        for (const role of stack.ofType(TYPES.role).filter(assumedByEcsTasks)) {
            const arns = attachedPolicyArns(stack, role);
            if (arns.some((arn) => typeof arn === "string" && awsManagedPolicyName(arn) === SSM_MANAGED_INSTANCE_CORE)) {
                report(`ECS task role attaches ${SSM_MANAGED_INSTANCE_CORE}`, role);
            }
        }
    }),
};

export const taskRoleNotExecutionRole: StackValidationPolicy = {
    name: "task-role-not-execution-role",
    description:
        "A task definition's task role is not its execution role (Checkov CKV_AWS_249): what the container (and anyone " +
        "exec'd into it) may do stays apart from what ECS needs to start it.",
    enforcementLevel: "mandatory",
    remediationSteps: "Create a separate execution role (image pull, container logs) and pass it as executionRoleArn.",
    validateStack: forStack((stack: Stack, report) => {
        for (const taskDefinition of stack.ofType(TYPES.taskDefinition)) {
            const { taskRoleArn, executionRoleArn } = taskDefinition.props;
            const sameKnownArn = typeof taskRoleArn === "string" && taskRoleArn === executionRoleArn;
            const taskRoles = stack.referenced(taskDefinition, "taskRoleArn", [TYPES.role]);
            const executionRoles = stack.referenced(taskDefinition, "executionRoleArn", [TYPES.role]);
            const sameRole = taskRoles.length === 1 && executionRoles.length === 1 && taskRoles[0] === executionRoles[0];
            if (sameKnownArn || sameRole) {
                report("the task role is also the execution role", taskDefinition);
            }
        }
    }),
};

export const iamRules = [execGrantScopedToContainer, taskRoleNoSsmManagedInstanceCore, taskRoleNotExecutionRole];
