import { readdirSync, statSync } from "node:fs";
import path from "node:path";
import { expect, it } from "vitest";
import { openApiDocument } from "./openapi";

function routeFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? routeFiles(full) : name === "route.ts" ? [full] : [];
  });
}

it("documents every /api/v1 route, and the create request has the seed's fields", () => {
  const doc = openApiDocument();
  const documented = Object.keys(doc.paths).map((p) => p.replace(/\{[^}]+\}/g, "{}"));
  const routes = routeFiles("app/api/v1")
    .map((f) => "/" + path.dirname(f).replace(/\\/g, "/").replace(/^app\//, "").replace(/\[[^\]]+\]/g, "{}"))
    // The document itself, and the catch-all that answers unknown paths with a 404, are no endpoints.
    .filter((p) => p !== "/api/v1/openapi.json" && p !== "/api/v1/{}");
  expect(documented.sort()).toEqual(routes.sort());
  const body = doc.paths["/api/v1/vm/manage/createFromTemplate"].post.requestBody.content["application/json"].schema as { properties: Record<string, unknown>; required: string[] };
  expect(Object.keys(body.properties)).toEqual(expect.arrayContaining(["template_id", "name", "target", "cpuCores", "memorySize", "diskSize", "storage", "ciuser", "cipassword"]));
  expect(body.required.sort()).toEqual(["cpuCores", "diskSize", "memorySize", "name", "target", "template_id"]);
});

it("documents the VM actions, with the resize request's optional sizes", () => {
  const paths = openApiDocument().paths as Record<string, Record<string, { requestBody?: { content: Record<string, { schema: { properties: Record<string, unknown>; required?: string[] } }> } }>>;
  for (const action of ["start", "stop", "shutdown", "reboot", "resize"]) expect(paths[`/api/v1/vms/{vm_id}/${action}`]?.post).toBeDefined();
  expect(Object.keys(paths["/api/v1/vms/{vm_id}"]!)).toEqual(expect.arrayContaining(["get", "delete"]));
  const body = paths["/api/v1/vms/{vm_id}/resize"]!.post!.requestBody!.content["application/json"]!.schema;
  expect(Object.keys(body.properties).sort()).toEqual(["cpuCores", "diskSize", "memorySize"]);
  expect(body.required ?? []).toEqual([]);
});

it("documents Idempotency-Key on every request that makes something", () => {
  const paths = openApiDocument().paths as unknown as Record<string, Record<string, { parameters?: { name: string; in: string }[]; responses: Record<string, unknown> }>>;
  const making = [
    paths["/api/v1/vm/manage/createFromTemplate"]!.post!,
    paths["/api/v1/vms/{vm_id}"]!.delete!,
    ...["start", "stop", "shutdown", "reboot", "resize"].map((a) => paths[`/api/v1/vms/{vm_id}/${a}`]!.post!),
  ];
  for (const op of making) {
    expect(op.parameters).toEqual(expect.arrayContaining([expect.objectContaining({ name: "Idempotency-Key", in: "header" })]));
    expect(op.responses["422"]).toBeDefined();
  }
});
