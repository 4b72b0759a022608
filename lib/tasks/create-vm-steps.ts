/**
 * The steps of a create-VM task, in order. The first two happen while the request is accepted
 * (so that the API can answer with the VMID); the rest are the provider's provisioning steps,
 * which a worker runs.
 */
export const acceptSteps = [
  { key: "reserve_quota", name: "Reserve quota" },
  { key: "allocate_vmid", name: "Allocate VMID" },
] as const;
