import type { InstanceInputs, InstanceState } from "./inputs";
import type { ApplicationSettings } from "./instance-status";

/** What changed between the stored application and the program's: replacements, and in-place changes. */
export function instanceChanges(
  olds: InstanceState,
  s: ApplicationSettings,
  p: InstanceInputs,
): { replaces: string[]; changed: string[] } {
  const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
  const replaces: string[] = [];
  const changed: string[] = [];
  if (p.instanceId != null && p.instanceId !== olds.instanceId) replaces.push("instanceId");
  if (!same(s.instanceType, olds.instanceType)) replaces.push("instanceType");
  if (!same([...s.domains].sort(), [...olds.domains].sort())) replaces.push("domains");
  if (!same(s.csr, olds.csr)) replaces.push("csr");
  if (!same(s.keyAlgorithm, olds.keyAlgorithm)) replaces.push("keyAlgorithm");
  if (s.validationMethod !== olds.validationMethod) replaces.push("validationMethod");
  if (!same(s.companyId, olds.companyId)) replaces.push("companyId");
  for (const k of ["autoReissue", "tags", "onDelete", "dnsZone", "username", "phone", "email"] as const)
    if (!same(s[k], olds[k])) changed.push(k);
  if (p.contactIds && !same(p.contactIds, olds.contactIds)) changed.push("contactIds");
  return { replaces, changed };
}
