import { defineConfig } from "prisma/config";

// The Prisma CLI is used here for `prisma generate` only: migrations are applied by
// `npm run db:migrate` (lib/db/migrate.ts). `prisma migrate deploy` elsewhere agrees with it.
export default defineConfig({
  schema: "prisma/schema.prisma",
  migrations: { path: "prisma/migrations" },
  datasource: { url: process.env.DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres" },
});
