// oidc-provider ships no type declarations; this is the small part the e2e suite uses.
declare module "oidc-provider" {
  import type { IncomingMessage, ServerResponse } from "node:http";

  export type Account = { accountId: string; claims: (use: string, scope: string) => Promise<Record<string, unknown>> };

  export type Configuration = Record<string, unknown> & {
    findAccount?: (ctx: unknown, id: string) => Promise<Account | undefined>;
  };

  export default class Provider {
    constructor(issuer: string, configuration?: Configuration);
    callback(): (req: IncomingMessage, res: ServerResponse) => void;
    on(event: string, listener: (...args: unknown[]) => void): this;
  }
}
