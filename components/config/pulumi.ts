/** Reading and validating the stack's config: the Pulumi SDK (and the AWS provider's regions) load with it. */
export { loadExecConfig, withConfigChecked } from "./load";
export { parseExecConfig } from "./validate";
