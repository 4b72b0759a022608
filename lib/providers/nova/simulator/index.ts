/** A Nova Cloud API simulator for tests and the demo: see ../README.md. */
export { startNovaSimulator, type NovaSimulator } from "./server";
export { demoNovaOptions, NOVA_DEMO_API_KEY, NOVA_DEMO_EMAIL, NOVA_DEMO_PASSWORD } from "./demo";
export { DEFAULT_GPU_TYPES, DEFAULT_NODES, DEFAULT_TEMPLATES } from "./defaults";
export { NovaFaults } from "./faults";
export type { NovaSimState, SimVm, SimSshKey, SimReservation } from "./state";
export * from "./types";
