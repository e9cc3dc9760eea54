/** Developer access as plain values: the developer policy and role trust, doctor's policy, the access scenarios. */
export { scenarios } from "./accessScenarios";
export { developerPolicy, portForwardingStatements } from "./developerPolicy";
export type { DeveloperPolicyArgs } from "./developerPolicy";
export { developerRoleTrustPolicy } from "./developerRoleTrust";
export { DOCTOR_ACTIONS, doctorPolicy, UNAUTHORIZED_ACTIONS } from "./doctorPolicy";
export type { DoctorAction } from "./doctorPolicy";
export { execAgentRequests } from "./scenarios/agent";
export { callers, ROWS } from "./scenarios/kit";
export type { EvaluationResult, Scenario, ScenarioFacts, StackFacts } from "./scenarios/kit";
export { TRUST_ROWS, trustScenarios } from "./scenarios/trust";
export type { TrustScenario } from "./scenarios/trust";
