"use client";

import { useRouter } from "next/navigation";
import { useToast } from "@/components/ui/toast";
import { deleteProviderAction } from "@/app/(portal)/admin/providers/actions";
import { ConfirmButton } from "../confirm-button";

/** Delete, for a provider nothing uses; the server says what still uses it otherwise. */
export function DeleteProvider({ providerId, name }: { providerId: string; name: string }) {
  const router = useRouter();
  const toast = useToast();
  return (
    <ConfirmButton
      label="Delete provider"
      confirm={`Delete ${name} and its stored credentials?`}
      run={() => deleteProviderAction({ id: providerId })}
      onDone={() => {
        toast(`Provider ${name} deleted.`);
        router.push("/admin/providers");
      }}
    />
  );
}
