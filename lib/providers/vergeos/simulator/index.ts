/** A VergeOS API v4 simulator for demos and tests: see ../README.md. */
export { startVergeSimulator, type VergeSimulator, type VergeSimulatorOptions, type VergeRequestLog } from "./server";
export { demoSeed, demoVergeOptions, DEMO_API_KEY, DEMO_USER, DEMO_PASSWORD, DEMO_GPU_GROUPS } from "./demo";
export type { SimSeed, SimState } from "./state";
export type { FailSpec } from "./faults";
