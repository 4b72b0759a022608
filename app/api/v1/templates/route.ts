import { bearerApi } from "@/lib/api/handler";
import { listUsableTemplates } from "@/lib/templates/access";

export const dynamic = "force-dynamic";

/** GET /api/v1/templates: the templates the caller may use. */
export const GET = bearerApi(async ({ user }) => {
  const templates = await listUsableTemplates(user);
  return {
    data: templates.map((t) => ({
      id: t.id,
      name: t.name,
      os: t.os,
      description: t.description,
      provider: t.provider.name,
      provider_ref: t.providerRefId,
      min: { cpuCores: t.minCpuCores, memorySize: t.minMemoryMb, diskSize: t.minDiskGb },
    })),
  };
});
