/**
 * The house lint plugin `gt-daemon-house`.
 *
 * Rule `no-deno-outside-adapters`: process control and raw file handles
 * (`Deno.Command`, `Deno.open`, `Deno.openSync`, `Deno.exit`, `Deno.kill`,
 * `Deno.addSignalListener`, `Deno.removeSignalListener`) belong to
 * `src/adapters/` and `main.ts`; domain code gets them as injected ports.
 * Files under `tests/` and `scripts/` are exempt. Both `Deno.X` member
 * expressions (also `Deno["X"]`) and destructuring (`const { X } = Deno`)
 * are reported.
 *
 * @module
 */

/** Deno members that only adapters and `main.ts` may use. */
export const RESTRICTED_DENO_MEMBERS: readonly string[] = [
  "Command",
  "open",
  "openSync",
  "exit",
  "kill",
  "addSignalListener",
  "removeSignalListener",
];

const ROOT = decodeURIComponent(new URL("..", import.meta.url).pathname)
  .replace(/\/$/, "");

/** Returns the path of `filename` relative to the project root, with `/`. */
export function projectRelative(filename: string, root: string = ROOT): string {
  let name = filename.replaceAll("\\", "/");
  if (name.startsWith("file://")) {
    name = decodeURIComponent(new URL(name).pathname);
  }
  if (name.startsWith(root + "/")) return name.slice(root.length + 1);
  return name.replace(/^\.\//, "");
}

/** True when `filename` may use the restricted Deno members. */
export function isExemptFile(filename: string, root: string = ROOT): boolean {
  const rel = projectRelative(filename, root);
  return rel === "main.ts" || rel.startsWith("src/adapters/") ||
    rel.startsWith("tests/") || rel.startsWith("scripts/");
}

function memberName(node: Deno.lint.MemberExpression): string | undefined {
  const prop = node.property;
  if (!node.computed && prop.type === "Identifier") return prop.name;
  if (
    node.computed && prop.type === "Literal" && typeof prop.value === "string"
  ) {
    return prop.value;
  }
  return undefined;
}

function message(name: string): string {
  return `"Deno.${name}" is only allowed in src/adapters/ and main.ts`;
}

const HINT = "Inject a port from src/adapters/ instead";

const plugin: Deno.lint.Plugin = {
  name: "gt-daemon-house",
  rules: {
    "no-deno-outside-adapters": {
      create(ctx) {
        if (isExemptFile(ctx.filename)) return {};
        return {
          MemberExpression(node) {
            if (node.object.type !== "Identifier") return;
            if (node.object.name !== "Deno") return;
            const name = memberName(node);
            if (name === undefined || !RESTRICTED_DENO_MEMBERS.includes(name)) {
              return;
            }
            ctx.report({ node, message: message(name), hint: HINT });
          },
          VariableDeclarator(node) {
            if (node.init?.type !== "Identifier") return;
            if (node.init.name !== "Deno") return;
            if (node.id.type !== "ObjectPattern") return;
            for (const p of node.id.properties) {
              if (p.type !== "Property" || p.key.type !== "Identifier") {
                continue;
              }
              if (RESTRICTED_DENO_MEMBERS.includes(p.key.name)) {
                ctx.report({
                  node: p,
                  message: message(p.key.name),
                  hint: HINT,
                });
              }
            }
          },
        };
      },
    },
  },
};

export default plugin;
