/**
 * What in a stack can exec, recognised by what it is rather than by its name: a task definition whose task role
 * grants the Session Manager channels, or that a service runs with exec on, or that carries the exec-task tag; the
 * security groups of such tasks; the policies that grant ecs:ExecuteCommand.
 */
import { CONTAINER_NAME_KEY, conditionRestricts, conditionTests, documentAllows, EXECUTE_COMMAND, SESSION_CHANNEL_ACTIONS, statementAllows, statementsOf } from "./iam";
import { awsManagedPolicyDocument, awsManagedPolicyName } from "./managedPolicies";
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

/** The ARNs of managed policies a resource attaches (to a role, user, group or permission set). */
export function managedPolicyArnsOf(resource: Resource): Value[] | typeof UNKNOWN {
    const props = resource.props;
    switch (resource.type) {
        case TYPES.role:
            return listOf(props.managedPolicyArns);
        case TYPES.rolePolicyAttachment:
        case TYPES.userPolicyAttachment:
        case TYPES.groupPolicyAttachment:
        case TYPES.policyAttachment:
            return listOf(props.policyArn);
        case TYPES.rolePolicyAttachmentsExclusive:
        case TYPES.userPolicyAttachmentsExclusive:
        case TYPES.groupPolicyAttachmentsExclusive:
            return listOf(props.policyArns);
        case TYPES.managedPolicyAttachment:
            return listOf(props.managedPolicyArn);
        case TYPES.managedPolicyAttachmentsExclusive:
            return listOf(props.managedPolicyArns);
        default:
            return [];
    }
}

/**
 * The types that attach managed policies. IAM Identity Center's customer managed policy attachments are not among
 * them: they name a customer managed policy, which is judged where it is declared (an aws.iam.Policy).
 */
export const ATTACHMENT_TYPES: string[] = [
    TYPES.role,
    TYPES.rolePolicyAttachment,
    TYPES.userPolicyAttachment,
    TYPES.groupPolicyAttachment,
    TYPES.policyAttachment,
    TYPES.rolePolicyAttachmentsExclusive,
    TYPES.userPolicyAttachmentsExclusive,
    TYPES.groupPolicyAttachmentsExclusive,
    TYPES.managedPolicyAttachment,
    TYPES.managedPolicyAttachmentsExclusive,
];

/** The documents of the AWS managed policies a resource attaches (see managedPolicies.ts). */
function awsManagedDocumentsOf(resource: Resource): Value[] {
    const arns = managedPolicyArnsOf(resource);
    return isUnknown(arns) ? [UNKNOWN] : arns.map(awsManagedDocumentOf).filter(isDefined);
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
            return [...(isUnknown(inline) ? [UNKNOWN] : inline.map((p) => at(p, "policy"))), ...awsManagedDocumentsOf(resource)];
        }
        default:
            return awsManagedDocumentsOf(resource);
    }
}

/** The types `permissionDocuments` reads. */
export const PERMISSION_TYPES: string[] = [
    TYPES.policy,
    TYPES.rolePolicy,
    TYPES.userPolicy,
    TYPES.groupPolicy,
    TYPES.permissionSetInlinePolicy,
    ...ATTACHMENT_TYPES,
];

function isDefined<T>(value: T | undefined): value is T {
    return value !== undefined;
}

/** An AWS managed policy's watched statements by ARN; UNKNOWN for an unknown ARN; undefined for any other policy. */
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
        ...stack.referring(role, [TYPES.rolePolicyAttachmentsExclusive], "roleName"),
    ];
}

/** ARNs of the managed policies attached to a role: its own list and the attachments of the stack. */
export function attachedPolicyArns(stack: Stack, role: Resource): Value[] {
    return [role, ...attachmentsOf(stack, role)].flatMap((r) => {
        const arns = managedPolicyArnsOf(r);
        return isUnknown(arns) ? [UNKNOWN] : arns;
    });
}

/** A permission document and the resource that carries or attaches it. */
export interface SourcedDocument {
    source: Resource;
    document: Value;
    /** The AWS managed policy's name, when the document is one. */
    awsManaged?: string;
}

/** Every permission document that applies to a role, with where it comes from: inline, role policies, attachments. */
export function roleDocuments(stack: Stack, role: Resource): SourcedDocument[] {
    const inline = listOf(role.props.inlinePolicies);
    const own: SourcedDocument[] = isUnknown(inline) ? [{ source: role, document: UNKNOWN }] : inline.map((p) => ({ source: role, document: at(p, "policy") }));
    const rolePolicies = stack.referring(role, [TYPES.rolePolicy], "role").map((p) => ({ source: p, document: p.props.policy }));
    const attached = [role, ...attachmentsOf(stack, role)].flatMap((attachment): SourcedDocument[] => {
        const customer = stack.referenced(attachment, arnProperty(attachment), [TYPES.policy]).map((p) => ({ source: p, document: p.props.policy }));
        const arns = managedPolicyArnsOf(attachment);
        if (isUnknown(arns)) {
            return customer.length > 0 ? customer : [{ source: attachment, document: UNKNOWN }];
        }
        const managed = arns.flatMap((arn): SourcedDocument[] => {
            // An unknown ARN is a policy of this stack (its record names it) or can't be told.
            if (isUnknown(arn)) {
                return customer.length > 0 ? [] : [{ source: attachment, document: UNKNOWN }];
            }
            const name = typeof arn === "string" ? awsManagedPolicyName(arn) : undefined;
            return name === undefined ? [] : [{ source: attachment, document: awsManagedDocumentOf(arn) ?? UNKNOWN, awsManaged: name }];
        });
        return [...customer, ...managed];
    });
    return [...own, ...rolePolicies, ...attached];
}

/** Whether a task definition's task role (as far as this stack shows it) grants the Session Manager channels. */
function taskRoleOpensSessions(stack: Stack, taskDefinition: Resource): Verdict {
    const roles = stack.referenced(taskDefinition, "taskRoleArn", [TYPES.role]);
    if (roles.length === 0) {
        // A role from outside the stack: its policies can't be seen; an unknown one can't be told.
        return isUnknown(taskDefinition.props.taskRoleArn) ? UNKNOWN : false;
    }
    return anyOf(
        roles.flatMap((role) => roleDocuments(stack, role).map(({ document }) => documentAllows(document, SESSION_CHANNEL_ACTIONS))),
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

/** The property that holds the ARN(s) a resource attaches. */
function arnProperty(resource: Resource): string {
    switch (resource.type) {
        case TYPES.role:
            return "managedPolicyArns";
        case TYPES.rolePolicyAttachmentsExclusive:
        case TYPES.userPolicyAttachmentsExclusive:
        case TYPES.groupPolicyAttachmentsExclusive:
            return "policyArns";
        case TYPES.managedPolicyAttachment:
            return "managedPolicyArn";
        case TYPES.managedPolicyAttachmentsExclusive:
            return "managedPolicyArns";
        default:
            return "policyArn";
    }
}

/**
 * Every permission document of the stack. An attachment whose ARN is unknown because it comes from a policy of the
 * stack (as the engine records) adds nothing: that policy's own document is among them.
 */
export function stackPermissionDocuments(stack: Stack): Value[] {
    return stack.ofType(...PERMISSION_TYPES).flatMap((resource) => {
        const documents = permissionDocuments(resource);
        const fromStackPolicy = ATTACHMENT_TYPES.includes(resource.type) && stack.referenced(resource, arnProperty(resource), [TYPES.policy]).length > 0;
        return fromStackPolicy ? documents.filter((d) => !isUnknown(d)) : documents;
    });
}

/** The stack's grants of ecs:ExecuteCommand, statement by statement: true, or UNKNOWN where they can't be read. */
function execGrantStatements(stack: Stack): (Fields | typeof UNKNOWN)[] {
    return stackPermissionDocuments(stack).flatMap((document): (Fields | typeof UNKNOWN)[] => {
        const statements = statementsOf(document);
        if (isUnknown(statements)) {
            return [UNKNOWN];
        }
        return statements.flatMap((statement): (Fields | typeof UNKNOWN)[] => {
            const allows = statementAllows(statement, EXECUTE_COMMAND);
            return allows === true ? [statement] : isUnknown(allows) ? [UNKNOWN] : [];
        });
    });
}

/**
 * Whether a task definition is run only by services of the stack that have exec off, on clusters the stack does not
 * own: an ordinary service on a shared cluster. Such a stack needs no alert or session log group of its own.
 */
function onlyServedWithoutExecElsewhere(stack: Stack, taskDefinition: Resource): boolean {
    const services = stack.referring(taskDefinition, [TYPES.service], "taskDefinition");
    return (
        services.length > 0 &&
        services.every((service) => {
            const exec = service.props.enableExecuteCommand;
            return (exec === undefined || exec === false) && !isUnknown(service.props.cluster) && stack.referenced(service, "cluster", [TYPES.cluster]).length === 0;
        })
    );
}

/**
 * Whether anything in the stack can exec: a service with exec on, a grant of ecs:ExecuteCommand, or an exec task
 * definition other than one only ordinary services of other teams' clusters run.
 */
export function stackCanExec(stack: Stack): Verdict {
    const services = stack.ofType(TYPES.service).map((s): Verdict => (isUnknown(s.props.enableExecuteCommand) ? UNKNOWN : s.props.enableExecuteCommand === true));
    const grants = execGrantStatements(stack).map((statement): Verdict => (isUnknown(statement) ? UNKNOWN : true));
    const taskDefinitions = stack
        .ofType(TYPES.taskDefinition)
        .map((td) => (onlyServedWithoutExecElsewhere(stack, td) ? false : isExecTaskDefinition(stack, td)));
    return anyOf([...services, ...grants, ...taskDefinitions]);
}

/**
 * Which containers the stack's exec grants open, by name: the ones their `ecs:container-name` conditions name, or
 * every container where no grant of the stack names one (or a grant names none). UNKNOWN where a grant can't be read.
 */
export function execContainerTest(stack: Stack): (name: string) => Verdict {
    const named: ((name: string) => boolean)[] = [];
    let every = false;
    let unreadable = false;
    for (const statement of execGrantStatements(stack)) {
        const tests = isUnknown(statement) ? UNKNOWN : conditionTests(statement.Condition, CONTAINER_NAME_KEY);
        if (isUnknown(statement) || isUnknown(tests)) {
            unreadable = true;
            continue;
        }
        if (conditionRestricts(statement.Condition, CONTAINER_NAME_KEY) !== true) {
            every = true;
            continue;
        }
        for (const { operator, values } of tests) {
            const op = operator.toLowerCase();
            const ignoreCase = op.includes("ignorecase");
            for (const value of values.filter((v): v is string => typeof v === "string")) {
                // StringLike reads * and ? as wildcards; the other restricting operators compare whole values.
                const source = op.includes("like") ? globToRegex(value) : value.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
                const regex = new RegExp(`^${source}$`, ignoreCase ? "i" : "");
                named.push((name) => regex.test(name));
            }
        }
    }
    return (name) => {
        if (every || named.some((matches) => matches(name))) {
            return true;
        }
        if (unreadable) {
            return UNKNOWN;
        }
        return named.length === 0;
    };
}

function globToRegex(pattern: string): string {
    return pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".");
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

/** The task roles of the stack's exec task definitions, each once, with the first exec task definition using it. */
export function execTaskRoles(stack: Stack): { role: Resource; taskDefinition: Resource }[] {
    const found = new Map<Resource, Resource>();
    for (const taskDefinition of stack.ofType(TYPES.taskDefinition)) {
        if (isExecTaskDefinition(stack, taskDefinition) !== true) {
            continue;
        }
        for (const role of stack.referenced(taskDefinition, "taskRoleArn", [TYPES.role])) {
            if (!found.has(role)) {
                found.set(role, taskDefinition);
            }
        }
    }
    return [...found].map(([role, taskDefinition]) => ({ role, taskDefinition }));
}
