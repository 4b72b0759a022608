import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "./generated/client";
import { getPool } from "./pool";

export type { PrismaClient } from "./generated/client";
export * as Db from "./generated/client";

type Holder = { prisma?: PrismaClient; url?: string };
const holder: Holder = ((globalThis as Record<string, unknown>).__hangarPrisma ??= {}) as Holder;

/** The Prisma client over the shared pool (see pool.ts). */
export function db(): PrismaClient {
  const url = process.env.DATABASE_URL;
  if (holder.prisma && holder.url === url) return holder.prisma;
  const prisma = new PrismaClient({ adapter: new PrismaPg(getPool()) });
  holder.prisma = prisma;
  holder.url = url;
  return prisma;
}

export async function disconnectDb(): Promise<void> {
  const prisma = holder.prisma;
  holder.prisma = undefined;
  if (prisma) await prisma.$disconnect();
}
