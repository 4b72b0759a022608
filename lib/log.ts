import pino from "pino";

/**
 * One structured logger for web, worker and CLI. Anything that could carry a secret is
 * redacted by key, wherever it sits in the logged object.
 */
export const redactPaths = [
  "password",
  "cipassword",
  "secret",
  "token",
  "credentials",
  "passwordHash",
  "authorization",
  "cookie",
  "apiKey",
  "*.password",
  "*.cipassword",
  "*.secret",
  "*.token",
  "*.credentials",
  "*.passwordHash",
  "*.authorization",
  "*.cookie",
  "*.apiKey",
  "*.*.password",
  "*.*.secret",
  "*.*.token",
  "*.headers.authorization",
  "*.headers.cookie",
];

export const log = pino({
  level: process.env.LOG_LEVEL ?? "info",
  redact: { paths: redactPaths, censor: "[redacted]" },
  base: { app: "hangar" },
});
