/**
 * A Proxmox VE API simulator for demos, integration and browser tests: see README.md in this folder.
 */
export { startPveSimulator, type PveSimulator } from "./server";
export { demoClusterOptions, DEMO_TOKEN_ID, DEMO_TOKEN_SECRET, DEMO_PASSWORD, DEMO_GPU_MAPPING } from "./demo";
export { checkReturns, type ReturnsCheckOptions } from "./returns-check";
export { loadApiSchema, matchRoute, type ApiSchema } from "./schema";
export type { ClusterState, SimVm, SimStorage, SimVolume, SimNode } from "./state";
export type { SimTask } from "./tasks";
export * from "./types";
