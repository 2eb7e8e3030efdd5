// Lint rules: the recommended TypeScript set; what it flags is a real problem, not style
// (prettier owns formatting). On TypeScript files, a chosen set of rules that read types (through
// the TypeScript projects, tsconfig.json's references): assertions and conditions the types already
// settle, switches that miss a case, promises nobody awaits or handles. Last, the layer rules:
// `no-restricted-imports` per folder, generated from the one layer table (scripts/layers.cjs;
// docs/architecture.md shows it).
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import js from "@eslint/js";
import tseslint from "typescript-eslint";
import layers from "./scripts/layers.cjs";

const root = dirname(fileURLToPath(import.meta.url));

export default tseslint.config(
  {
    ignores: ["dist/**", "node_modules/**", ".demo/**", "plugin-sdk/**"],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ["**/*.ts"],
    // The examples are compiled by the root projects too, but the nearest tsconfig.json (the one a
    // user copies with the example) is what the type service would read them through: it resolves
    // this package through its build output, so their types would depend on whether dist/ exists.
    ignores: ["examples/**"],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: root },
    },
    rules: {
      "@typescript-eslint/no-unnecessary-type-assertion": "error",
      "@typescript-eslint/no-unnecessary-condition": "error",
      "@typescript-eslint/switch-exhaustiveness-check": "error",
      "@typescript-eslint/no-floating-promises": "error",
      "@typescript-eslint/no-misused-promises": "error",
    },
  },
  {
    // Tests declare what their hooks set up as `let emulator: RunningEmulator` (set in `before`) and
    // release it with `emulator?.stop()` in `after`, which also runs when `before` failed: the types
    // cannot say so without an assertion at every use.
    files: ["tests/**/*.ts"],
    rules: { "@typescript-eslint/no-unnecessary-condition": "off" },
  },
  {
    // CommonJS scripts and mocha plugins, run by Node as they are.
    files: ["**/*.cjs"],
    languageOptions: {
      sourceType: "commonjs",
      globals: {
        require: "readonly",
        module: "writable",
        exports: "writable",
        process: "readonly",
        __dirname: "readonly",
        console: "readonly",
      },
    },
    rules: { "@typescript-eslint/no-require-imports": "off" },
  },
  {
    rules: {
      "@typescript-eslint/no-unused-vars": [
        "error",
        { argsIgnorePattern: "^_", varsIgnorePattern: "^_", destructuredArrayIgnorePattern: "^_" },
      ],
    },
  },
  ...layers.eslintLayerBlocks(root),
);
