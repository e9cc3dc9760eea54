import { strict as assert } from "assert";
import { configureFrom, violationsIn } from "../../policies/check/check";
import type { Violation } from "../../policies/check/report";
import type { SynthResult } from "../../synth/synth";
import { synthStack } from "../support/synthRun";
import { ADVISORY_MUTATIONS, Mutation, MUTATIONS } from "./mutations";
import { configFile, sharedPack } from "./sharedPack";

const key = (v: Violation) => `${v.rule} ${v.urn} ${v.message}`;

/** The violations an edit adds to the stack's own, from the one pack process, configured once. */
async function introducedBy(mutation: Mutation, stack: SynthResult, baseline: Violation[]): Promise<Violation[]> {
    const mutated: SynthResult = JSON.parse(JSON.stringify(stack));
    mutation.apply(mutated);
    const violations = await violationsIn(await sharedPack(), mutated.resources);
    const known = new Set(baseline.map(key));
    return violations.filter((v) => !known.has(key(v)));
}

describe(`mutation test: ${MUTATIONS.length} harmful edits of the synthesized stacks, each blocked under the prod config`, function () {
    this.timeout(60000);

    before(async () => {
        await configureFrom(await sharedPack(), configFile("prod"));
    });

    for (const env of ["dev", "prod"] as const) {
        describe(env, () => {
            let stack: SynthResult;
            let baseline: Violation[];
            before(async () => {
                stack = await synthStack(env);
                baseline = await violationsIn(await sharedPack(), stack.resources);
            });

            for (const mutation of MUTATIONS.filter((m) => !m.stacks || m.stacks.includes(env))) {
                it(`${mutation.title} → ${mutation.caughtBy}`, async () => {
                    const introduced = await introducedBy(mutation, stack, baseline);
                    const blocking = introduced.filter((v) => v.level === "mandatory").map((v) => v.rule);
                    assert.ok(blocking.includes(mutation.caughtBy), `caught by [${blocking.join(", ")}], not ${mutation.caughtBy}`);
                });
            }

            for (const mutation of ADVISORY_MUTATIONS) {
                it(`${mutation.title} → ${mutation.caughtBy} (advisory, not blocked)`, async () => {
                    const introduced = await introducedBy(mutation, stack, baseline);
                    assert.deepEqual(introduced.map((v) => [v.rule, v.level]), [[mutation.caughtBy, "advisory"]]);
                });
            }
        });
    }
});
