import "server-only";
import { notFound } from "next/navigation";
import { isPlausibleId } from "../api/ids";

/**
 * A page's id from its path (`/vms/[vmId]`, `/tasks/[taskId]`, `/admin/…/[id]`): the 404 page
 * for anything that cannot be an id (lib/api/ids.ts), so malformed input never reaches the
 * database as a 500.
 */
export function pageId(value: unknown): string {
  if (!isPlausibleId(value)) notFound();
  return value;
}
