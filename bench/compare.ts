// Compares two runs of `npm run bench` row by row: `node dist/bench/compare.js first.json second.json`
// (copies of bench/results.json) prints, for every row both hold, each run's ratio and how far the
// second run's ratio, ours and peer lie from the first's, in per cent of the first. Rows whose ratio
// moved by more than 10 % are marked. Not a test: it reads numbers, it never judges the code.
import { readFileSync } from "node:fs";

interface Row {
  name: string;
  ours: number;
  peer: number;
  unit: string;
  ratio: number;
}

const rowsOf = (file: string) => (JSON.parse(readFileSync(file, "utf8")) as { rows: Row[] }).rows;
/** Signed change from `a` to `b` in per cent of `a`; equal values (0 against 0 too) are 0. */
const change = (a: number, b: number) => (a === b ? 0 : ((b - a) / Math.abs(a)) * 100);
const pct = (n: number) => `${n >= 0 ? "+" : ""}${n.toFixed(1)} %`;

function main(): void {
  const [first, second] = process.argv.slice(2);
  if (!first || !second) throw new Error("usage: compare <first results.json> <second results.json>");
  const later = new Map(rowsOf(second).map((r) => [r.name, r]));
  console.log("| row | ratio, run 1 | ratio, run 2 | ratio Δ | ours Δ | peer Δ | within 10 % |");
  console.log("| --- | --- | --- | --- | --- | --- | --- |");
  for (const a of rowsOf(first)) {
    const b = later.get(a.name);
    if (!b) continue;
    const moved = change(a.ratio, b.ratio);
    console.log(
      `| ${a.name} | ×${a.ratio} | ×${b.ratio} | ${pct(moved)} | ${pct(change(a.ours, b.ours))} | ${pct(change(a.peer, b.peer))} | ${Math.abs(moved) <= 10 ? "yes" : "no"} |`,
    );
  }
}

main();
