/**
 * What in a stack can exec, recognised by what it is rather than by its name: a task definition whose task role
 * grants the Session Manager channels, or that a service runs with exec on, or that carries the exec-task tag; the
 * security groups of such tasks; the policies that grant ecs:ExecuteCommand.
 */
import { awsManagedPolicyDocument, documentAllows, EXECUTE_COMMAND, SESSION_CHANNEL_ACTIONS } from "./iam";
import { Resource, Stack } from "./stack";
import { TYPES } from "./types";
import { anyOf, at, Fields, isFields, isUnknown, listOf, parseJson, UNKNOWN, Value, Verdict } from "./values";

/**
 * The tag that declares a task definition (or security group) to be for exec tasks, as the ecs-exec program sets
 * it. It adds to what the rules recognise; leaving it off evades nothing.
 */
export const EXEC_TASK_TAG = { key: "ecs-exec:purpose", value: "exec-task" } as const;

export function hasExecTag(resource: Resource): boolean {
    return ["tags", "tagsAll"].some((key) => at(resource.props, key, EXEC_TASK_TAG.key) === EXEC_TASK_TAG.value);
}

/** The document a policy-like resource carries, for each place IAM takes permissions from. */
export function permissionDocuments(resource: Resource): Value[] {
    const props = resource.props;
    switch (resource.type) {
        case TYPES.policy:
        case TYPES.rolePolicy:
        case TYPES.userPolicy:
        case TYPES.groupPolicy:
            return [props.policy];
        case TYPES.permissionSetInlinePolicy:
            return [props.inlinePolicy];
        case TYPES.role: {
            const inline = listOf(props.inlinePolicies);
            const managed = listOf(props.managedPolicyArns);
            return [
                ...(isUnknown(inline) ? [UNKNOWN] : inline.map((p) => at(p, "policy"))),
                ...(isUnknown(managed) ? [UNKNOWN] : managed.map(awsManagedDocumentOf).filter(isDefined)),
            ];
        }
        case TYPES.rolePolicyAttachment:
        case TYPES.userPolicyAttachment:
        case TYPES.groupPolicyAttachment:
        case TYPES.policyAttachment:
            return [awsManagedDocumentOf(props.policyArn)].filter(isDefined);
        case TYPES.managedPolicyAttachment:
            return [awsManagedDocumentOf(props.managedPolicyArn)].filter(isDefined);
        default:
            return [];
    }
}

/** The types `permissionDocuments` reads. */
export const PERMISSION_TYPES: string[] = [
    TYPES.policy,
    TYPES.rolePolicy,
    TYPES.userPolicy,
    TYPES.groupPolicy,
    TYPES.permissionSetInlinePolicy,
    TYPES.role,
    TYPES.rolePolicyAttachment,
    TYPES.userPolicyAttachment,
    TYPES.groupPolicyAttachment,
    TYPES.policyAttachment,
    TYPES.managedPolicyAttachment,
];

function isDefined<T>(value: T | undefined): value is T {
    return value !== undefined;
}

/** An AWS managed policy's excerpt by ARN; UNKNOWN for an unknown ARN; undefined for any other policy. */
function awsManagedDocumentOf(arn: Value): Value | undefined {
    if (isUnknown(arn)) {
        return UNKNOWN;
    }
    return typeof arn === "string" ? awsManagedPolicyDocument(arn) : undefined;
}

/** The stack's attachments of managed policies to a role. */
function attachmentsOf(stack: Stack, role: Resource): Resource[] {
    return [
        ...stack.referring(role, [TYPES.rolePolicyAttachment], "role"),
        ...stack.referring(role, [TYPES.policyAttachment], "roles"),
    ];
}

/** ARNs of the managed policies attached to a role: its own list and the attachments of the stack. */
export function attachedPolicyArns(stack: Stack, role: Resource): Value[] {
    const own = listOf(role.props.managedPolicyArns);
    return [...(isUnknown(own) ? [UNKNOWN] : own), ...attachmentsOf(stack, role).map((a) => a.props.policyArn)];
}

/** Every permission document that applies to a role: inline, in role policies, and in attached managed policies. */
export function roleDocuments(stack: Stack, role: Resource): Value[] {
    const rolePolicies = stack.referring(role, [TYPES.rolePolicy], "role").map((p) => p.props.policy);
    const attachedCustomerPolicies = attachmentsOf(stack, role).flatMap((attachment) => {
        const policies = stack.referenced(attachment, "policyArn", [TYPES.policy]);
        if (policies.length > 0) {
            return policies.map((p) => p.props.policy);
        }
        // Neither a policy of this stack nor a known AWS managed one: if its ARN is unknown, it can't be told.
        const managed = awsManagedDocumentOf(attachment.props.policyArn);
        return managed === undefined ? [] : [managed];
    });
    return [...permissionDocuments(role), ...rolePolicies, ...attachedCustomerPolicies];
}

/** Whether a task definition's task role (as far as this stack shows it) grants the Session Manager channels. */
function taskRoleOpensSessions(stack: Stack, taskDefinition: Resource): Verdict {
    const roles = stack.referenced(taskDefinition, "taskRoleArn", [TYPES.role]);
    if (roles.length === 0) {
        // A role from outside the stack: its policies can't be seen; an unknown one can't be told.
        return isUnknown(taskDefinition.props.taskRoleArn) ? UNKNOWN : false;
    }
    return anyOf(
        roles.flatMap((role) => roleDocuments(stack, role).map((doc) => documentAllows(doc, SESSION_CHANNEL_ACTIONS))),
    );
}

/** Services that run with exec on. */
export function execServices(stack: Stack): Resource[] {
    return stack.ofType(TYPES.service).filter((s) => s.props.enableExecuteCommand === true);
}

/** Whether a task definition is for exec tasks (true), is not (false), or can't be told during preview. */
export function isExecTaskDefinition(stack: Stack, taskDefinition: Resource): Verdict {
    const runWithExec = execServices(stack).some((service) =>
        stack.referenced(service, "taskDefinition", [TYPES.taskDefinition]).includes(taskDefinition),
    );
    return anyOf([hasExecTag(taskDefinition), runWithExec, taskRoleOpensSessions(stack, taskDefinition)]);
}

/** Security groups exec tasks use: tagged as such, or in the network configuration of a service with exec on. */
export function execSecurityGroups(stack: Stack): Resource[] {
    const ofServices = execServices(stack).flatMap((service) =>
        stack.referenced(service, "networkConfiguration", [TYPES.securityGroup], "securityGroups"),
    );
    return stack.ofType(TYPES.securityGroup).filter((sg) => hasExecTag(sg) || ofServices.includes(sg));
}

/** Whether anything in the stack can exec: an exec task definition, a service with exec on, an exec grant. */
export function stackCanExec(stack: Stack): Verdict {
    const grants = stack
        .ofType(...PERMISSION_TYPES)
        .flatMap((resource) => permissionDocuments(resource).map((doc) => documentAllows(doc, [EXECUTE_COMMAND])));
    return anyOf([
        execServices(stack).length > 0,
        ...stack.ofType(TYPES.taskDefinition).map((td) => isExecTaskDefinition(stack, td)),
        ...grants,
    ]);
}

/** The containers of a task definition (its `containerDefinitions` JSON), or UNKNOWN during preview. */
export function containersOf(taskDefinition: Resource): Fields[] | typeof UNKNOWN {
    const containers = listOf(parseJson(taskDefinition.props.containerDefinitions));
    return isUnknown(containers) ? UNKNOWN : containers.filter(isFields);
}

/** A container's name for messages. */
export function containerName(container: Fields, index: number): string {
    return typeof container.name === "string" ? container.name : `#${index + 1}`;
}
