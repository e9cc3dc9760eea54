/**
 * The documentation, by reader: README.md is the door, docs/*.md the depth. Tests that keep a table, a sample or a
 * message equal to the code read the page that shows it.
 */
import * as fs from "fs";
import * as path from "path";
import { PROJECT_DIR } from "../../synth/synth";

export const DOC_PAGES = {
    readme: "README.md",
    developers: "docs/developers.md",
    operators: "docs/operators.md",
    security: "docs/security.md",
    policies: "docs/policies.md",
    verification: "docs/verification.md",
} as const;

export type DocPage = keyof typeof DOC_PAGES;

export function readDoc(page: DocPage): string {
    return fs.readFileSync(path.join(PROJECT_DIR, DOC_PAGES[page]), "utf8");
}
