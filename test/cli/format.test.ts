import { strict as assert } from "assert";
import { UsageError } from "../../cli/errors";
import { formatDuration, markdownTable, parseDuration, parseTime, textTable } from "../../cli/format";

describe("ecs-exec durations, times and tables", () => {
    const now = new Date("2026-03-14T12:00:00Z");

    it("reads durations as the options take them: 90s, 30m, 24h, 7d, 1h30m", () => {
        assert.deepEqual(
            ["90s", "30m", "24h", "7d", "1h30m"].map(parseDuration),
            [90_000, 1_800_000, 86_400_000, 604_800_000, 5_400_000],
        );
        for (const bad of ["", "24", "h", "1.5h", "-1h", "24 h"]) {
            assert.equal(parseDuration(bad), undefined, bad);
        }
    });

    it("reads --since/--until as a duration back from now or an ISO time, and refuses anything else", () => {
        assert.deepEqual(parseTime("24h", "--since", now), new Date("2026-03-13T12:00:00Z"));
        assert.deepEqual(parseTime("2026-03-14T09:00Z", "--since", now), new Date("2026-03-14T09:00:00Z"));
        assert.throws(() => parseTime("yesterday", "--since", now), (e: Error) => e instanceof UsageError && /--since takes/.test(e.message));
        assert.throws(() => parseTime("2026-13-45", "--until", now), UsageError);
    });

    it("reads a time without an offset as UTC, with or without a time part, whatever this machine's time zone", () => {
        const zone = process.env.TZ;
        process.env.TZ = "America/New_York";
        try {
            assert.deepEqual(parseTime("2026-03-14", "--since", now), new Date("2026-03-14T00:00:00Z"));
            assert.deepEqual(parseTime("2026-03-14T09:00", "--since", now), new Date("2026-03-14T09:00:00Z"));
            assert.deepEqual(parseTime("2026-03-14 09:26:53", "--since", now), new Date("2026-03-14T09:26:53Z"));
            // As audit prints times, so a time copied from its table reads back.
            assert.deepEqual(parseTime("2026-03-14 09:26:53Z", "--since", now), new Date("2026-03-14T09:26:53Z"));
            assert.deepEqual(parseTime("2026-03-14T09:00+01:00", "--since", now), new Date("2026-03-14T08:00:00Z"));
            assert.deepEqual(parseTime("2026-03-14T09:00-0500", "--since", now), new Date("2026-03-14T14:00:00Z"));
        } finally {
            if (zone === undefined) {
                delete process.env.TZ;
            } else {
                process.env.TZ = zone;
            }
        }
    });

    it("prints durations to the minute above an hour, to the second below", () => {
        assert.deepEqual([formatDuration(7_260_000), formatDuration(750_000), formatDuration(45_400), formatDuration(-5)], ["2h 01m", "12m 30s", "45s", "0s"]);
    });

    it("aligns text columns and escapes Markdown cells", () => {
        assert.equal(textTable(["A", "LONG"], [["xyz", "1"], ["q", ""]]), "A    LONG\nxyz  1\nq");
        assert.equal(markdownTable(["C"], [["a|b"]]), "| C |\n| --- |\n| a\\|b |");
    });
});
