"use client";

import { Button } from "@/components/ui/button";

export default function ErrorPage({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <main id="main" tabIndex={-1} className="flex min-h-[60vh] flex-col items-center justify-center px-4 text-center outline-none">
      <p className="text-sm font-semibold text-red-700">Something went wrong</p>
      <h1 className="mt-2 text-2xl font-semibold tracking-tight text-slate-900">We could not show this page</h1>
      <p className="mt-2 max-w-md text-sm text-slate-500">
        The error has been logged{error.digest ? ` (reference ${error.digest})` : ""}. Try again, and tell support if it keeps happening.
      </p>
      <Button className="mt-6" onClick={reset}>
        Try again
      </Button>
    </main>
  );
}
