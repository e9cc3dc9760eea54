/** The shell between the policy SDK and the rules: rules see plain data (values.ts) and report in plain words. */
import type { PolicyConfigSchema, ResourceValidation, ResourceValidationArgs, StackValidation, StackValidationArgs } from "@pulumi/policy";
import type { Resource } from "./stack";
import { Stack } from "./stack";
import { isFields, reveal } from "./values";

export type Report = (message: string) => void;
/** Reports a violation on a resource, or on the stack as a whole. */
export type ReportOn = (message: string, resource?: Resource) => void;

/** A resource validation that runs for resources of `types` only, on their properties as plain data. */
export function forTypes(
    types: string[],
    check: (resource: Resource, report: Report, args: ResourceValidationArgs) => void,
): ResourceValidation {
    return (args, reportViolation) => {
        if (!types.includes(args.type)) {
            return;
        }
        const props = reveal(args.props);
        const resource = { urn: args.urn, type: args.type, name: args.name, props: isFields(props) ? props : {}, propertyDependencies: {} };
        check(resource, (message) => reportViolation(message), args);
    };
}

/** A stack validation over the stack as plain data; violations are reported on the resource they concern. */
export function forStack(check: (stack: Stack, report: ReportOn, args: StackValidationArgs) => void): StackValidation {
    return (args, reportViolation) =>
        check(Stack.of(args.resources), (message, resource) => reportViolation(message, resource?.urn), args);
}

/** A rule's configuration: what the policy config file sets, over the defaults its schema declares. */
export function configOf<T extends object>(
    schema: PolicyConfigSchema,
    args: ResourceValidationArgs | StackValidationArgs,
): T {
    const defaults = Object.fromEntries(
        Object.entries(schema.properties).map(([key, property]) => [key, property.default]),
    );
    return { ...defaults, ...args.getConfig<Partial<T>>() } as T;
}

/** A rule's `requiredConditionKeys` setting: the condition keys its grants must narrow, none by default. */
export function requiredConditionKeysSchema(description: string): PolicyConfigSchema {
    return { properties: { requiredConditionKeys: { type: "array", items: { type: "string" }, default: [], description } } };
}
