/**
 * The documentation as a reader follows it: README.md is the door and stays short, every page it sends readers to
 * exists, and every relative link and anchor in README.md and docs/ lands on a file and a heading that exist.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { PROJECT_DIR } from "../synth/synth";
import { DOC_PAGES, readDoc } from "./support/docs";

/** The text outside fenced code blocks, where Markdown reads links and headings. */
function prose(markdown: string): string {
    return markdown.replace(/^```[^]*?^```/gm, "");
}

/**
 * The anchors GitHub gives a page's headings: lowercased, punctuation but `-` and `_` dropped, spaces to hyphens, a
 * repeated one suffixed `-1`, `-2` (as github-slugger does).
 */
function headingAnchors(markdown: string): Set<string> {
    const seen = new Map<string, number>();
    const anchors = new Set<string>();
    for (const [, title] of prose(markdown).matchAll(/^#{1,6} (.+)$/gm)) {
        const base = title.toLowerCase().replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, "").replace(/ /g, "-");
        const count = seen.get(base) ?? 0;
        seen.set(base, count + 1);
        anchors.add(count === 0 ? base : `${base}-${count}`);
    }
    return anchors;
}

/** Every link of a page that is not to another site: [label](target). */
function relativeLinks(markdown: string): string[] {
    return [...prose(markdown).matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1]).filter((target) => !/^[a-z]+:/.test(target));
}

describe("the documentation", () => {
    const pages = Object.values(DOC_PAGES);

    for (const page of pages) {
        it(`${page}: every relative link lands on a file that exists, and every anchor on a heading of it`, () => {
            const text = fs.readFileSync(path.join(PROJECT_DIR, page), "utf8");
            const broken = relativeLinks(text).filter((target) => {
                const [file, anchor] = target.split("#");
                const resolved = file ? path.resolve(path.dirname(path.join(PROJECT_DIR, page)), file) : path.join(PROJECT_DIR, page);
                if (!fs.existsSync(resolved)) {
                    return true;
                }
                return anchor !== undefined && !(resolved.endsWith(".md") && headingAnchors(fs.readFileSync(resolved, "utf8")).has(anchor));
            });
            assert.deepEqual(broken, []);
        });
    }

    it("checks anchors as GitHub makes them, code blocks aside", () => {
        const anchors = headingAnchors("# For developers: `ecs-exec`\n## `audit`, for the security team\n```bash\n# not a heading\n```\n## Rules\n### Rules\n");
        assert.deepEqual([...anchors], ["for-developers-ecs-exec", "audit-for-the-security-team", "rules", "rules-1"]);
        assert.deepEqual(relativeLinks("[a](docs/x.md#y) [b](https://example.com) [c](#z)\n```\n[d](w.md)\n```\n"), ["docs/x.md#y", "#z"]);
    });

    it("README stays a door: at most 250 lines, and links every page of docs/", () => {
        const readme = readDoc("readme");
        assert.ok(readme.split("\n").length <= 250, `README.md has ${readme.split("\n").length} lines`);
        const linked = new Set(relativeLinks(readme).map((target) => target.split("#")[0]));
        assert.deepEqual(
            pages.filter((page) => page.startsWith("docs/") && !linked.has(page)),
            [],
        );
        assert.deepEqual(
            fs.readdirSync(path.join(PROJECT_DIR, "docs")).filter((file) => !pages.includes(`docs/${file}` as (typeof pages)[number])),
            [],
            "a page in docs/ that the tests do not check",
        );
    });

    describe("README's Quick start, in the order a newcomer acts", () => {
        const readme = readDoc("readme");
        const quickStart = readme.slice(readme.indexOf("## Quick start"), readme.indexOf("\n## ", readme.indexOf("## Quick start") + 1));
        const steps = quickStart.split(/\n(?=\d+\. )/).slice(1);

        it("comes after the prerequisites", () => {
            assert.ok(readme.indexOf("## Prerequisites") > 0 && readme.indexOf("## Prerequisites") < readme.indexOf("## Quick start"));
        });

        it("installs once: one npm ci, in the first step, which says how long npm test takes", () => {
            assert.equal(quickStart.match(/\bnpm ci\b/g)?.length, 1);
            assert.match(steps[0], /npm ci && npm test/);
            assert.match(steps[0], /about \d+ s/);
        });

        it("replaces the example values in the step that deploys", () => {
            const deploy = steps.find((step) => step.includes("pulumi up"));
            assert.ok(deploy, "a step runs pulumi up");
            assert.match(deploy, /Pulumi\.dev\.yaml/);
            assert.match(deploy, /\[Your values\]/);
        });

        it("runs doctor, and shows the tool with --outputs FILE where the Pulumi CLI is elsewhere", () => {
            assert.match(quickStart, /ecs-exec doctor --stack dev/);
            assert.match(quickStart, /pulumi stack output --json --stack dev > dev\.json/);
            assert.match(quickStart, /ecs-exec doctor --outputs dev\.json/);
        });
    });
});
