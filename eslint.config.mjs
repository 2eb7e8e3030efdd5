// Lint rules: the recommended TypeScript set; what it flags is a real problem, not style
// (prettier owns formatting). Last, the layer rules: `no-restricted-imports` per folder, generated
// from the one layer table (scripts/layers.cjs; docs/architecture.md shows it).
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import js from "@eslint/js";
import tseslint from "typescript-eslint";
import layers from "./scripts/layers.cjs";

export default tseslint.config(
  {
    ignores: ["dist/**", "node_modules/**", ".demo/**", "plugin-sdk/**"],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
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
  ...layers.eslintLayerBlocks(dirname(fileURLToPath(import.meta.url))),
);
