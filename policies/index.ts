/**
 * The ECS Exec guardrails as a CrossGuard policy pack:
 *   pulumi preview --policy-pack policies --policy-pack-config policies/config/<env>.json
 */
import { PolicyPack } from "@pulumi/policy";
import { rules } from "./rules";

new PolicyPack("ecs-exec-guardrails", {
    description: "ECS Exec guardrails: exec task definitions, exec logging, exec grants, no other way into a task, no SSH path, alerts that are delivered.",
    enforcementLevel: "mandatory",
    policies: rules,
});
