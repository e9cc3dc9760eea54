/**
 * The layout of components/: one folder per concern, each used through its entries only (index.ts, and pulumi.ts for
 * what loads the Pulumi SDK), and concerns that build on each other without a cycle (CommonJS would hand a module in a
 * cycle an export that is still undefined).
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import * as ts from "typescript";
import { PROJECT_DIR } from "../synth/synth";

const COMPONENTS = "components";
/** Where the program's sources are; node_modules and the CLI's bundle aside. */
const SOURCES = ["index.ts", COMPONENTS, "cli", "synth", "policies", "test"];

interface Import {
    /** The importing file, relative to the project. */
    from: string;
    /** The module imported, relative to the project (a folder's index resolved), or the package as written. */
    module: string;
    /** Only types: nothing of it is loaded at run time. */
    typeOnly: boolean;
}

function sourceFiles(entry: string): string[] {
    const full = path.join(PROJECT_DIR, entry);
    if (!fs.statSync(full).isDirectory()) {
        return [entry];
    }
    return fs
        .readdirSync(full, { withFileTypes: true })
        .filter((e) => e.name !== "node_modules" && e.name !== "dist")
        .flatMap((e) => (e.isDirectory() ? sourceFiles(path.join(entry, e.name)) : /\.ts$/.test(e.name) ? [path.join(entry, e.name)] : []));
}

/** A relative specifier as the module it loads: `x.ts`, or `x/index.ts`. */
function resolved(from: string, specifier: string): string {
    const base = path.join(path.dirname(from), specifier);
    const file = [`${base}.ts`, path.join(base, "index.ts")].find((candidate) => fs.existsSync(path.join(PROJECT_DIR, candidate)));
    return file ?? base;
}

function importsOf(file: string): Import[] {
    const source = ts.createSourceFile(file, fs.readFileSync(path.join(PROJECT_DIR, file), "utf8"), ts.ScriptTarget.ES2022, true);
    const found: Import[] = [];
    const add = (specifier: string, typeOnly: boolean) =>
        found.push({ from: file, module: specifier.startsWith(".") ? resolved(file, specifier) : specifier, typeOnly });
    const visit = (node: ts.Node) => {
        if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
            const typeOnly = ts.isImportDeclaration(node) ? node.importClause?.isTypeOnly === true : node.isTypeOnly;
            add(node.moduleSpecifier.text, typeOnly);
        } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword && ts.isStringLiteral(node.arguments[0])) {
            add(node.arguments[0].text, false);
        } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument) && ts.isStringLiteral(node.argument.literal)) {
            add(node.argument.literal.text, true);
        }
        ts.forEachChild(node, visit);
    };
    visit(source);
    return found;
}

/** The concern a file of components/ belongs to: its folder. */
function concernOf(file: string): string | undefined {
    const [top, concern, rest] = file.split(path.sep);
    return top === COMPONENTS && rest !== undefined ? concern : undefined;
}

const isEntry = (module: string) => /^components\/[^/]+\/(index|pulumi)\.ts$/.test(module);

describe("the layout of components/", () => {
    const concerns = fs
        .readdirSync(path.join(PROJECT_DIR, COMPONENTS), { withFileTypes: true })
        .filter((e) => e.isDirectory())
        .map((e) => e.name)
        .sort();
    const imports = SOURCES.flatMap(sourceFiles).flatMap(importsOf);
    const ofComponents = imports.filter((i) => concernOf(i.module) !== undefined);

    it("is one folder per concern, each with an index, and no module outside them", () => {
        assert.deepEqual(concerns, ["access", "audit", "config", "iam", "network", "session"]);
        for (const concern of concerns) {
            assert.ok(fs.existsSync(path.join(PROJECT_DIR, COMPONENTS, concern, "index.ts")), `components/${concern}/index.ts`);
        }
        assert.deepEqual(sourceFiles(COMPONENTS).filter((file) => concernOf(file) === undefined), []);
    });

    it("uses another concern through its index only, and a module its own concern's modules directly", () => {
        const wrong = ofComponents.filter((i) => {
            const from = concernOf(i.from);
            const to = concernOf(i.module);
            return from === undefined ? false : from === to ? isEntry(i.module) : !i.module.endsWith(`${to}/index.ts`);
        });
        assert.deepEqual(wrong.map((i) => `${i.from} → ${i.module}`), []);
    });

    it("is used from outside through the concerns' entries only; pulumi.ts by the program, synth (which runs it) and tests alone", () => {
        const outside = ofComponents.filter((i) => concernOf(i.from) === undefined);
        assert.ok(outside.some((i) => i.from.startsWith("cli")), "the CLI imports components");
        const loadsPulumi = (from: string) => from === "index.ts" || from.startsWith("synth/") || from.startsWith("test/");
        const wrong = outside.filter((i) => !isEntry(i.module) || (i.module.endsWith("/pulumi.ts") && !loadsPulumi(i.from)));
        assert.deepEqual(wrong.map((i) => `${i.from} → ${i.module}`), []);
    });

    it("builds its concerns on each other without a cycle, iam on none", () => {
        const uses = new Map(concerns.map((c) => [c, new Set<string>()]));
        for (const i of ofComponents) {
            const from = concernOf(i.from);
            const to = concernOf(i.module)!;
            if (from !== undefined && from !== to) {
                uses.get(from)!.add(to);
            }
        }
        assert.deepEqual([...uses.get("iam")!], []);
        const cycle = (concern: string, path: string[]): string[] | undefined =>
            path.includes(concern)
                ? [...path.slice(path.indexOf(concern)), concern]
                : [...uses.get(concern)!].map((next) => cycle(next, [...path, concern])).find((found) => found !== undefined);
        for (const concern of concerns) {
            assert.equal(cycle(concern, [])?.join(" → "), undefined);
        }
    });

    it("loads no Pulumi package through any index, so the CLI, which imports only indexes, stays free of the SDK", () => {
        const runtime = imports.filter((i) => !i.typeOnly);
        const reached = new Set<string>();
        const reach = (file: string) => {
            if (reached.has(file)) {
                return;
            }
            reached.add(file);
            runtime.filter((i) => i.from === file && i.module.endsWith(".ts")).forEach((i) => reach(i.module));
        };
        concerns.forEach((concern) => reach(path.join(COMPONENTS, concern, "index.ts")));
        const pulumi = runtime.filter((i) => reached.has(i.from) && i.module.startsWith("@pulumi/"));
        assert.deepEqual(pulumi.map((i) => `${i.from} → ${i.module}`), []);
    });
});
