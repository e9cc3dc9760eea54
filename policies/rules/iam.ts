/**
 * Who may exec, and as what: every grant of ecs:ExecuteCommand names the container it opens (and the configured
 * extra conditions); exec task roles hold only what the agent and the application need and are not the execution
 * role; an AWS managed policy the pack does not know is named, not taken as fine.
 */
import type { ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { ATTACHMENT_TYPES, attachedPolicyArns, execTaskRoles, managedPolicyArnsOf, PERMISSION_TYPES, permissionDocuments, roleDocuments } from "../lib/exec";
import { TYPES } from "../lib/types";
import { statementAllows, statementLabel, statementsOf, unconditioned, unscopedExecGrants } from "../lib/iam";
import { awsManagedPolicyName, knownAwsManagedPolicy, SSM_MANAGED_INSTANCE_CORE } from "../lib/managedPolicies";
import { configOf, forStack, forTypes, requiredConditionKeysSchema } from "../lib/rule";
import { Resource, Stack } from "../lib/stack";
import { at, Fields, isUnknown, listOf } from "../lib/values";

const execGrantSchema = requiredConditionKeysSchema(
    "Condition keys every ecs:ExecuteCommand grant that reaches tasks must narrow, besides ecs:container-name " +
        "(for example aws:ResourceTag/Owner, ecs:cluster).",
);

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
        "Roles of ECS tasks other than exec task roles (which exec-task-role-least-privilege covers) do not attach " +
        "AmazonSSMManagedInstanceCore (advisory, least privilege): exec needs only the four ssmmessages channel actions.",
    enforcementLevel: "advisory",
    remediationSteps:
        "Detach AmazonSSMManagedInstanceCore and grant only ssmmessages:CreateControlChannel, CreateDataChannel, " +
        "OpenControlChannel and OpenDataChannel (plus writing the session log group and kms:Decrypt on the exec key).",
    validateStack: forStack((stack: Stack, report) => {
        const execRoles = execTaskRoles(stack).map(({ role }) => role);
        for (const role of stack.ofType(TYPES.role).filter((r) => assumedByEcsTasks(r) && !execRoles.includes(r))) {
            const arns = attachedPolicyArns(stack, role);
            if (arns.some((arn) => typeof arn === "string" && awsManagedPolicyName(arn) === SSM_MANAGED_INSTANCE_CORE)) {
                report(`ECS task role attaches ${SSM_MANAGED_INSTANCE_CORE}`, role);
            }
        }
    }),
};

/** What an Allow statement of an exec task role grants beyond what the agent and an application need. */
export function excessGrants(statement: Fields): string[] {
    if (statement.Effect !== "Allow") {
        return [];
    }
    const found: string[] = [];
    if (statement.NotAction !== undefined) {
        found.push("every action but those NotAction lists");
    }
    const actions = listOf(statement.Action);
    for (const action of isUnknown(actions) ? [] : actions) {
        if (action === "*") {
            found.push("every action (*)");
        } else if (typeof action === "string" && /^[^:]*[*?][^:]*:|^[^:]+:\*+$/.test(action)) {
            found.push(`every action of a service (${action})`);
        }
    }
    if (statementAllows(statement, "iam:PassRole") === true) {
        found.push("iam:PassRole (a shell could hand a role to a new task or function)");
    }
    const resources = listOf(statement.Resource);
    const onEveryKey = statement.NotResource !== undefined || (!isUnknown(resources) && resources.includes("*"));
    if (statementAllows(statement, "kms:Decrypt") === true && onEveryKey && unconditioned(statement.Condition) === true) {
        found.push("kms:Decrypt on every key (*)");
    }
    return found;
}

export const execTaskRoleLeastPrivilege: StackValidationPolicy = {
    name: "exec-task-role-least-privilege",
    description:
        "Task roles of exec task definitions hold only what the SSM agent and the application need, because a shell " +
        "can use all of it: no * or service-wide wildcard actions, no NotAction, no iam:PassRole, no kms:Decrypt on " +
        "every key, and no AWS managed policy (AmazonSSMManagedInstanceCore, AmazonSSMFullAccess and the like).",
    enforcementLevel: "mandatory",
    remediationSteps:
        "Grant the task role the four ssmmessages channel actions, writing the session log group and kms:Decrypt on the " +
        "exec key, plus the named actions on the named resources the application uses; detach AWS managed policies.",
    validateStack: forStack((stack, report) => {
        for (const { role, taskDefinition } of execTaskRoles(stack)) {
            const where = `task role ${role.name} (exec task definition ${taskDefinition.name})`;
            for (const { source, document, awsManaged } of roleDocuments(stack, role)) {
                if (awsManaged !== undefined) {
                    report(`${where} attaches the AWS managed policy ${awsManaged}: it grants more than exec needs, and AWS may widen it`, source);
                    continue;
                }
                const statements = statementsOf(document);
                for (const [index, statement] of (isUnknown(statements) ? [] : statements).entries()) {
                    const excess = excessGrants(statement);
                    if (excess.length > 0) {
                        report(`${where}: statement ${statementLabel(statement, index)} grants ${excess.join("; ")}`, source);
                    }
                }
            }
        }
    }),
};

export const awsManagedPolicyKnown: ResourceValidationPolicy = {
    name: "aws-managed-policy-known",
    description:
        "Attachments of AWS managed policies name policies the pack knows (advisory): of one it does not know, whether " +
        "it grants exec, sessions into tasks or turning exec on can't be told, so it is named rather than taken as fine.",
    enforcementLevel: "advisory",
    remediationSteps:
        "Check what the policy grants (aws iam get-policy-version); if it grants ecs:ExecuteCommand, ssm:StartSession " +
        "or ecs:CreateService/UpdateService/RunTask/StartTask, prefer a customer-managed policy the pack can read. The " +
        "pack's table (policies/lib/awsManagedPolicies.json) is a snapshot of every AWS managed policy.",
    validateResource: forTypes(ATTACHMENT_TYPES, (resource, report) => {
        const arns = managedPolicyArnsOf(resource);
        for (const arn of isUnknown(arns) ? [] : arns) {
            const name = typeof arn === "string" ? awsManagedPolicyName(arn) : undefined;
            if (name !== undefined && !knownAwsManagedPolicy(name)) {
                report(`attaches the AWS managed policy ${name}, which the pack's table does not know: what it grants can't be told`);
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

export const iamRules = [
    execGrantScopedToContainer,
    execTaskRoleLeastPrivilege,
    taskRoleNoSsmManagedInstanceCore,
    taskRoleNotExecutionRole,
    awsManagedPolicyKnown,
];
