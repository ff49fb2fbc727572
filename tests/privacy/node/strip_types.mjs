// Strip the TypeScript of the app's services/consent.ts down to the JavaScript Node 20 runs:
// no TypeScript tool is installed here, so this handles exactly the syntax that file uses,
// by scanning characters (strings and comments skipped), and fails loudly on anything else:
//   - `export interface Name { ... }` blocks: removed;
//   - `: Type` annotations of a function's parameters and return, and of `const name: Type`;
//   - a parameter's optional mark `name?:`;
//   - type arguments of a call, `apiClient.get<Type>(`: removed;
//   - `import apiClient from './api'`: pointed at the test's shim (api.mjs).
// Usage: node strip_types.mjs IN.ts OUT.mjs

import { readFileSync, writeFileSync } from "node:fs";

const CLOSERS = { "(": ")", "{": "}", "[": "]", "<": ">" };

/** The index just past the string or comment starting at i, or i when there is none. */
function skipLiteral(src, i) {
  const c = src[i];
  if (c === "'" || c === '"' || c === "`") {
    let j = i + 1;
    while (src[j] !== c) j += src[j] === "\\" ? 2 : 1;
    return j + 1;
  }
  if (src.startsWith("//", i)) return src.indexOf("\n", i);
  if (src.startsWith("/*", i)) return src.indexOf("*/", i) + 2;
  return i;
}

/** The index of the bracket closing the one at `open`. */
function matching(src, open) {
  const stack = [];
  for (let i = open; i < src.length; i++) {
    const past = skipLiteral(src, i);
    if (past !== i) { i = past - 1; continue; }
    if (CLOSERS[src[i]]) stack.push(CLOSERS[src[i]]);
    else if (src[i] === stack[stack.length - 1] && (src[i] !== ">" || src[i - 1] !== "=")) {
      stack.pop();
      if (!stack.length) return i;
    }
  }
  throw new Error(`unbalanced bracket at ${open}`);
}

/** The end of a type starting at i: the first of `stops` outside any bracket. */
function typeEnd(src, i, stops) {
  for (let j = i; j < src.length; j++) {
    if (stops.includes(src[j])) return j;
    if (CLOSERS[src[j]] && src[j] !== "{") j = matching(src, j);
    else if (src[j] === "{" && !stops.includes("{")) j = matching(src, j);
  }
  throw new Error(`no end of type at ${i}`);
}

const word = /[A-Za-z0-9_$]/;

function strip(src) {
  let out = "";
  let i = 0;
  while (i < src.length) {
    const past = skipLiteral(src, i);
    if (past !== i) { out += src.slice(i, past); i = past; continue; }
    const rest = src.slice(i, i + 40);
    if (rest.startsWith("export interface ")) {
      i = matching(src, src.indexOf("{", i)) + 1;
      continue;
    }
    if (rest.startsWith("import apiClient from './api';")) {
      out += "import apiClient from './api.mjs';";
      i += "import apiClient from './api';".length;
      continue;
    }
    if (rest.startsWith("function ") || rest.startsWith("async function ")) {
      const open = src.indexOf("(", i);
      const close = matching(src, open);
      out += src.slice(i, open) + params(src.slice(open + 1, close));
      i = close + 1;
      if (/^\s*:/.test(src.slice(i))) i = typeEnd(src, src.indexOf(":", i) + 1, ["{"]);
      continue;
    }
    const declared = /^(const|let) ([A-Za-z_$][\w$]*)\s*:/.exec(rest);
    if (declared) {
      out += `${declared[1]} ${declared[2]} `;
      i = typeEnd(src, i + declared[0].length, ["="]);
      continue;
    }
    if (src[i] === "<" && word.test(src[i - 1] || "")) {
      const close = matching(src, i);
      if (src[close + 1] === "(") { i = close + 1; continue; } // a call's type arguments
    }
    out += src[i];
    i += 1;
  }
  return out;
}

/** A parameter list without its annotations: `(a?: string, b: T)` → `(a, b)`. */
function params(list) {
  const names = [];
  let i = 0;
  while (i < list.length) {
    const name = /^\s*([A-Za-z_$][\w$]*)\??\s*(:)?/.exec(list.slice(i));
    if (!name) break;
    names.push(name[1]);
    i += name[0].length;
    if (name[2]) i = typeEnd(list + ",", i, [",", "="]);
    if (list[i] === "=") throw new Error("default parameter values are not handled");
    i += 1; // the comma
  }
  return `(${names.join(", ")})`;
}

const [input, output] = process.argv.slice(2);
writeFileSync(output, strip(readFileSync(input, "utf8")));
