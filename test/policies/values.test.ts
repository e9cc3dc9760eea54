import { strict as assert } from "assert";
import { at, listOf, reveal, UNKNOWN } from "../../policies/lib/values";
import { ENGINE_UNKNOWN } from "../../policies/check/pack";
import { sdkProps, UNKNOWN_VALUE } from "./support";

describe("policy values: reading what the engine sends", () => {
    it("marks values unknown during preview instead of throwing, at any depth, and keeps every known value", () => {
        const props = sdkProps({
            family: "app",
            taskRoleArn: UNKNOWN_VALUE,
            tags: { team: "a", owner: UNKNOWN_VALUE },
            list: [1, UNKNOWN_VALUE, { deep: UNKNOWN_VALUE }],
        });
        assert.throws(() => props.taskRoleArn, /can't be known during preview/, "the SDK's proxy throws on an unknown");
        assert.deepEqual(reveal(props), {
            family: "app",
            taskRoleArn: UNKNOWN,
            tags: { team: "a", owner: UNKNOWN },
            list: [1, UNKNOWN, { deep: UNKNOWN }],
        });
    });

    it("uses the engine's own sentinel for unknowns (the one the SDK's proxy recognises)", () => {
        // eslint-disable-next-line @typescript-eslint/no-var-requires
        assert.equal(ENGINE_UNKNOWN, require("@pulumi/policy/proxy").unknownStringValue);
    });

    it("reads paths through unknowns as unknown and through missing steps as undefined", () => {
        const value = reveal(sdkProps({ a: { b: UNKNOWN_VALUE }, c: [{ d: 1 }] }));
        assert.equal(at(value, "a", "b", "x"), UNKNOWN);
        assert.equal(at(value, "c", 0, "d"), 1);
        assert.equal(at(value, "missing", "x"), undefined);
        assert.deepEqual(listOf("one"), ["one"]);
        assert.deepEqual(listOf(undefined), []);
        assert.equal(listOf(UNKNOWN), UNKNOWN);
    });
});
