/** The IAM vocabulary every concern shares: document types, ARNs, common statements. Imports no other concern. */
export {
    accountAdministersKey,
    arns,
    denyAllButAuditAdministrators,
    denyInsecureTransport,
    ECS_TASKS_SERVICE,
    IDENTITY_CENTER_ROLE_PATH,
    policy,
    SSM_MESSAGES_ACTIONS,
} from "./documents";
export type { AwsContext, Condition, PolicyDocument, PolicyStatement } from "./documents";
export { POLICY_PROPAGATION_WAIT } from "./propagation";
