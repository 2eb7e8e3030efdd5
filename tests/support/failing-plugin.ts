// The plugin's server (provider/plugin/serve.ts) serving a provider with a planted failure: its
// `check` rejects with `undefined`, which `@pulumi/pulumi/provider`'s server cannot print (its
// `catch` reads `e.stack`), so the server's method rejects before it answers the call.
import { serve } from "../../provider/plugin/serve";

serve(
  {
    version: "0.0.0",
    check: () => Promise.reject(undefined),
  },
  {
    configure: async () => undefined,
    check: () => {
      throw new Error("planted CheckConfig failure");
    },
    diff: () => ({ changes: false, diffs: [] }),
  },
  [],
).catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
