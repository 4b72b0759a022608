import { redirect } from "next/navigation";
import { currentUser } from "@/lib/auth/guards";

export const dynamic = "force-dynamic";

export default async function Home() {
  redirect((await currentUser()) ? "/vms" : "/signin");
}
