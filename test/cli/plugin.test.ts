import { strict as assert } from "assert";
import { PluginMissingError } from "../../cli/errors";
import { pythonJsonDumps, sessionManagerPlugin } from "../../cli/plugin";

describe("session-manager-plugin contract", () => {
    it("writes JSON byte for byte as Python's json.dumps (the AWS CLI's): separators, escapes, non-ASCII", () => {
        // Expected strings printed by python3 -c 'import json; print(json.dumps(...))'.
        assert.equal(pythonJsonDumps({ Target: "ecs:dev-ecs-exec_0f8e_0f8e-1527056392" }), '{"Target": "ecs:dev-ecs-exec_0f8e_0f8e-1527056392"}');
        assert.equal(pythonJsonDumps({ k: 'café ☃ "q" \\ /' }), '{"k": "caf\\u00e9 \\u2603 \\"q\\" \\\\ /"}');
        assert.equal(pythonJsonDumps({ a: "1", b: undefined, c: "3" }), '{"a": "1", "c": "3"}');
    });

    it("reports the plugin missing from PATH, as a PluginMissingError (exit 6)", async () => {
        const saved = process.env.PATH;
        process.env.PATH = "/nonexistent";
        try {
            const error = await sessionManagerPlugin.check().then(() => undefined, (e: unknown) => e);
            assert.ok(error instanceof PluginMissingError);
            assert.equal(error.exitCode, 6);
            assert.match(error.message, /not found on PATH/);
        } finally {
            process.env.PATH = saved;
        }
    });
});
