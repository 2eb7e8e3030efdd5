// The public surface of the package, read from the built declaration files of every entry point in
// package.json `exports`: each exported name with its declaration (comments and bodies dropped).
// tests/unit/api-report.test.ts compares it with docs/api-report.md, so a change to what users can
// import shows up in review as a change to that file.
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import ts from "typescript";

interface Entry {
  /** The import specifier users write, e.g. `pulumi-alicloud-cas/client`. */
  specifier: string;
  /** Exported name → printed declarations. */
  names: Map<string, string[]>;
  /** `export *` statements met on the way, as "file: text" (the entry points must have none). */
  starExports: string[];
}

const printer = ts.createPrinter({ removeComments: true, newLine: ts.NewLineKind.LineFeed });

const memberName = (m: ts.TypeElement): string =>
  m.name && (ts.isIdentifier(m.name) || ts.isStringLiteral(m.name)) ? m.name.text : "";

/** The text of a string literal type (`"placed"`), else undefined. */
const stringLiteral = (t: ts.TypeNode): string | undefined =>
  ts.isLiteralTypeNode(t) && ts.isStringLiteral(t.literal) ? t.literal.text : undefined;

/**
 * `node` with the members of every object type literal in name order, and the string literals of
 * every union in text order (its other members after them): the compiler writes an inferred type's members, and a union's, in the
 * order it met them, which moves when unrelated imports move and differs between a full and an
 * incremental build.
 */
function canonical(node: ts.Node): ts.Node {
  const result = ts.transform(node, [
    (context) => {
      const visit = (n: ts.Node): ts.Node => {
        const visited = ts.visitEachChild(n, visit, context);
        if (ts.isUnionTypeNode(visited) && visited.types.some((t) => stringLiteral(t) !== undefined)) {
          // The string literals in text order, then the rest (`null`, `undefined`) in the order written.
          const literals = visited.types.filter((t) => stringLiteral(t) !== undefined);
          const rest = visited.types.filter((t) => stringLiteral(t) === undefined);
          literals.sort((a, b) => stringLiteral(a)!.localeCompare(stringLiteral(b)!));
          return context.factory.updateUnionTypeNode(
            visited,
            context.factory.createNodeArray([...literals, ...rest]),
          );
        }
        if (!ts.isTypeLiteralNode(visited)) return visited;
        const members = [...visited.members].sort((a, b) => memberName(a).localeCompare(memberName(b)));
        return context.factory.updateTypeLiteralNode(visited, context.factory.createNodeArray(members));
      };
      return (root) => visit(root);
    },
  ]);
  const out = result.transformed[0]!;
  result.dispose();
  return out;
}

function parse(file: string): ts.SourceFile {
  return ts.createSourceFile(file, readFileSync(file, "utf8"), ts.ScriptTarget.Latest, true);
}

function resolveDts(from: string, specifier: string): string | undefined {
  if (!specifier.startsWith(".")) return undefined; // another package's type: named, not expanded
  const base = resolve(dirname(from), specifier.replace(/\.js$/, ""));
  return [`${base}.d.ts`, join(base, "index.d.ts")].find(existsSync);
}

function declaredNames(statement: ts.Statement): string[] {
  if (ts.isVariableStatement(statement)) {
    return statement.declarationList.declarations.flatMap((d) =>
      ts.isIdentifier(d.name) ? [d.name.text] : [],
    );
  }
  const named = statement as ts.Statement & { name?: ts.Node };
  return named.name && ts.isIdentifier(named.name) ? [named.name.text] : [];
}

const isInternal = (node: ts.Node): boolean =>
  ts.getJSDocTags(node).some((tag) => tag.tagName.text === "internal") ||
  (ts.isVariableStatement(node) &&
    node.declarationList.declarations.some((d) =>
      ts.getJSDocTags(d).some((t) => t.tagName.text === "internal"),
    ));

const isExported = (statement: ts.Statement): boolean =>
  ts.canHaveModifiers(statement) &&
  (ts.getModifiers(statement) ?? []).some((m) => m.kind === ts.SyntaxKind.ExportKeyword);

class Reader {
  private readonly files = new Map<string, ts.SourceFile>();

  constructor(private readonly root: string) {}

  private source(file: string): ts.SourceFile {
    let sf = this.files.get(file);
    if (!sf) this.files.set(file, (sf = parse(file)));
    return sf;
  }

  /** The printed declarations of `name` as seen from `file` (following imports and re-exports). */
  lookup(file: string, name: string, seen = new Set<string>()): string[] {
    const key = `${file}#${name}`;
    if (seen.has(key)) return [];
    seen.add(key);
    const sf = this.source(file);
    const found: string[] = [];
    for (const statement of sf.statements) {
      if (declaredNames(statement).includes(name)) {
        const text = printer.printNode(ts.EmitHint.Unspecified, canonical(statement), sf);
        found.push(isInternal(statement) ? `/** @internal */\n${text}` : text);
      } else if (ts.isImportDeclaration(statement) || ts.isExportDeclaration(statement)) {
        const target = statement.moduleSpecifier;
        if (!target || !ts.isStringLiteral(target)) continue;
        const bindings = ts.isImportDeclaration(statement)
          ? statement.importClause?.namedBindings
          : statement.exportClause;
        if (!bindings || (!ts.isNamedImports(bindings) && !ts.isNamedExports(bindings))) continue;
        for (const element of bindings.elements) {
          if (element.name.text !== name) continue;
          const original = (element.propertyName ?? element.name).text;
          const next = resolveDts(file, target.text);
          found.push(
            ...(next ? this.lookup(next, original, seen) : [`// from "${target.text}": ${original}`]),
          );
        }
      }
    }
    return found;
  }

  /** Every name `file` exports, with where to look each one up. */
  exportsOf(file: string, star: string[]): Array<{ name: string; file: string; original: string }> {
    const sf = this.source(file);
    const out: Array<{ name: string; file: string; original: string }> = [];
    for (const statement of sf.statements) {
      if (ts.isExportDeclaration(statement)) {
        const target =
          statement.moduleSpecifier && ts.isStringLiteral(statement.moduleSpecifier)
            ? resolveDts(file, statement.moduleSpecifier.text)
            : file;
        if (!target) continue;
        if (!statement.exportClause) {
          star.push(`${relative(this.root, file)}: ${statement.getText(sf)}`);
          out.push(...this.exportsOf(target, star));
        } else if (ts.isNamedExports(statement.exportClause)) {
          for (const element of statement.exportClause.elements) {
            out.push({
              name: element.name.text,
              file: target,
              original: (element.propertyName ?? element.name).text,
            });
          }
        }
      } else if (isExported(statement)) {
        for (const name of declaredNames(statement)) out.push({ name, file, original: name });
      }
    }
    return out;
  }
}

/** The public surface of every entry point of the package rooted at `root` (built into dist/). */
export function readApi(root: string): Entry[] {
  const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as {
    name: string;
    exports: Record<string, string | { types?: string }>;
  };
  const reader = new Reader(root);
  const entries: Entry[] = [];
  for (const [subpath, target] of Object.entries(pkg.exports)) {
    const types = typeof target === "object" ? target.types : undefined;
    if (!types) continue;
    const specifier = subpath === "." ? pkg.name : `${pkg.name}/${subpath.slice(2)}`;
    const starExports: string[] = [];
    const names = new Map<string, string[]>();
    for (const e of reader.exportsOf(join(root, types), starExports)) {
      const found = reader.lookup(e.file, e.original);
      names.set(e.name, e.original === e.name ? found : [`// ${e.original} exported as ${e.name}`, ...found]);
    }
    entries.push({ specifier, names, starExports });
  }
  return entries;
}

/** The report as Markdown: one section per entry point, names in alphabetical order. */
export function renderApi(entries: Entry[]): string {
  const lines = [
    "# API report",
    "",
    "What users can import from each entry point of the package, read from the built declaration",
    "files (comments and bodies dropped). Generated: `UPDATE_GOLDEN=1 npx mocha --no-config",
    "dist/tests/unit/api-report.test.js` after a build rewrites it; review the diff like code.",
    "",
  ];
  for (const entry of entries) {
    lines.push(`## \`${entry.specifier}\``, "", "```ts");
    for (const name of [...entry.names.keys()].sort()) {
      lines.push(...(entry.names.get(name) ?? []), "");
    }
    if (lines.at(-1) === "") lines.pop();
    lines.push("```", "");
  }
  return lines.join("\n");
}
