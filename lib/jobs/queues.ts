/** Every pg-boss queue Hangar uses, with its retry policy. Payload schemas live beside handlers. */
export const queues = {
  purgeCredentials: { name: "maintenance.purge-credentials", options: { retryLimit: 2 } },
} as const;

export type QueueName = (typeof queues)[keyof typeof queues]["name"];
