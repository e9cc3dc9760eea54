/** Developer access as plain values: the developer policy and role trust, doctor's policy, the access scenarios. */
export { callers, execAgentRequests, ROWS, scenarios, TRUST_ROWS, trustScenarios } from "./accessScenarios";
export type { EvaluationResult, Scenario, ScenarioFacts, StackFacts, TrustScenario } from "./accessScenarios";
export { developerPolicy, portForwardingStatements } from "./developerPolicy";
export type { DeveloperPolicyArgs } from "./developerPolicy";
export { developerRoleTrustPolicy } from "./developerRoleTrust";
export { DOCTOR_ACTIONS, doctorPolicy, UNAUTHORIZED_ACTIONS } from "./doctorPolicy";
export type { DoctorAction } from "./doctorPolicy";
