import Link from "next/link";
import { buttonClass } from "@/components/ui/button";
import { Logo } from "@/components/ui/logo";

export default function NotFound() {
  return (
    <main id="main" tabIndex={-1} className="flex min-h-screen flex-col items-center justify-center px-4 text-center outline-none">
      <Logo className="mb-6 h-10 w-10" />
      <p className="text-sm font-semibold text-indigo-700">404</p>
      <h1 className="mt-2 text-2xl font-semibold tracking-tight text-slate-900">Page not found</h1>
      <p className="mt-2 max-w-md text-sm text-slate-500">This page does not exist, or you do not have access to it.</p>
      <Link href="/" className={buttonClass("primary", "md", "mt-6")}>
        Back to Hangar
      </Link>
    </main>
  );
}
