/** Every rule of the pack, in the order the pack lists them. */
import { accessRules } from "./access";
import { alertRules } from "./alerts";
import { clusterRules } from "./clusters";
import { iamRules } from "./iam";
import { logRules } from "./logs";
import { networkRules } from "./network";
import { serviceRules } from "./services";
import { taskDefinitionRules } from "./taskDefinitions";

export const rules = [
    ...taskDefinitionRules,
    ...clusterRules,
    ...logRules,
    ...iamRules,
    ...accessRules,
    ...networkRules,
    ...serviceRules,
    ...alertRules,
];
