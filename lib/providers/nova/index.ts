/**
 * Nova Cloud (GPU rentals): the client, its errors, the rental flows and the catalogue helpers.
 * See README.md here; every unverified protocol fact is in protocol-guesses.ts.
 */
export { NovaClient, jwtExpiry, type NovaAuth, type NovaCallOptions, type NovaClientOptions, type NovaRequestInfo, type NovaRetryOptions } from "./client";
export { NovaError, isNovaError, type NovaErrorKind } from "./errors";
export {
  createRental,
  destroyRental,
  ensureSshKey,
  isReady,
  listAllVms,
  recordedFacts,
  restartRental,
  startRental,
  stopRental,
  waitForVm,
  waitUntilReady,
  type CreateRentalOptions,
  type RentalRequest,
  type RentalResult,
  type WaitOptions,
} from "./flow";
export { gpuChoices, largestCount, novaRates, offerSize, quoteNovaRental, type NovaGpuChoice, type NovaQuoteRequest } from "./prices";
export { parseSshPublicKey, sameKey, sshFingerprint } from "./ssh-key";
export * from "./types";
