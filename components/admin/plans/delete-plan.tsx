"use client";

import { useRouter } from "next/navigation";
import { useToast } from "@/components/ui/toast";
import { deletePlanAction } from "@/app/(portal)/admin/plans/actions";
import { ConfirmButton } from "../confirm-button";

export function DeletePlan({ planId, name }: { planId: string; name: string }) {
  const router = useRouter();
  const toast = useToast();
  return (
    <ConfirmButton
      label="Delete plan"
      confirm={`Delete ${name}?`}
      run={() => deletePlanAction({ id: planId })}
      onDone={() => {
        toast(`Plan ${name} deleted.`);
        router.push("/admin/plans");
      }}
    />
  );
}
