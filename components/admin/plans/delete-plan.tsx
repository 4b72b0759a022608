"use client";

import { useRouter } from "next/navigation";
import { deletePlanAction } from "@/app/(portal)/admin/plans/actions";
import { ConfirmButton } from "../confirm-button";

export function DeletePlan({ planId, name }: { planId: string; name: string }) {
  const router = useRouter();
  return <ConfirmButton label="Delete plan" confirm={`Delete ${name}?`} run={() => deletePlanAction({ id: planId })} onDone={() => router.push("/admin/plans")} />;
}
