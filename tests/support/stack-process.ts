// One "stack": a separate Node process that loads the provider by package name, as the Pulumi host
// does, and creates `count` orders with `parallel` in flight. Prints one JSON line:
// { errors: string[], ids: string[] }. Used by the multi-stack fault test and the benchmark.
// argv: endpoint accessKeyId accessKeySecret prefix count parallel qps [wait]
// With `wait`, it prints "ready" once configured and starts when a line arrives on stdin, so a
// benchmark can time the orders without the process start-up.
import { once } from "node:events";

async function main(): Promise<void> {
  const [endpoint, accessKeyId, accessKeySecret, prefix, count, parallel, qps, wait] = process.argv.slice(2);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const provider = require("pulumi-alicloud-cas/provider").order;
  const config: Record<string, string> = {
    "alicloud:accessKey": accessKeyId!,
    "alicloud:secretKey": accessKeySecret!,
    "alicloud:endpoints": JSON.stringify([{ cas: endpoint }]),
    "alicloud-cas:qps": qps!,
  };
  await provider.configure({ config: { get: (k: string) => config[k] } });
  if (wait === "wait") {
    process.stdout.write("ready\n");
    await once(process.stdin, "data");
  }
  const errors: string[] = [];
  const ids: string[] = [];
  let next = 0;
  const total = Number(count);
  const worker = async () => {
    while (next < total) {
      const i = next++;
      try {
        const { inputs, failures } = await provider.check(
          {},
          {
            domain: `${prefix}${i}.example.com`,
            username: "u",
            phone: "13800001111",
            email: "a@example.com",
            quotaCheck: "off",
          },
        );
        if (failures.length) throw new Error(JSON.stringify(failures));
        ids.push((await provider.create(inputs)).id);
      } catch (e) {
        errors.push((e as Error).message);
      }
    }
  };
  await Promise.all(Array.from({ length: Number(parallel) }, worker));
  process.stdout.write(JSON.stringify({ errors, ids }) + "\n");
  process.exit(0);
}

main().catch((e: unknown) => {
  process.stdout.write(JSON.stringify({ errors: [String(e)], ids: [] }) + "\n");
  process.exit(1);
});
