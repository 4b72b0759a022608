import { Badge, type BadgeTone } from "@/components/ui/badge";
import { ACTION_PROGRESSIVE, actionOfKind } from "@/lib/vms/action-rules";

const tones: Record<string, BadgeTone> = { running: "green", stopped: "gray", creating: "blue", failed: "red", deleted: "gray", cleanup_required: "red", interrupted: "red" };

/**
 * A VM's state: what a task running on it is doing ("stopping…"), else the portal's record
 * (running, stopped, creating, …).
 */
export function VmStateBadge({ status, activeTaskKind }: { status: string; activeTaskKind?: string | null }) {
  const action = activeTaskKind ? actionOfKind(activeTaskKind) : null;
  if (action) return <Badge tone="blue">{`${ACTION_PROGRESSIVE[action]}…`}</Badge>;
  return <Badge tone={tones[status] ?? "yellow"}>{status.replace("_", " ")}</Badge>;
}
