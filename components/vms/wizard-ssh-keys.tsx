"use client";

import { useId, useState, useTransition } from "react";
import { Button } from "@/components/ui/button";
import { Field } from "@/components/ui/field";
import { Input } from "@/components/ui/input";
import { saveSshKeyAction } from "@/app/(portal)/vms/new/actions";

type Key = { id: string; name: string; fingerprint: string };

/**
 * The Access step's keys: a checkbox per saved key (as many as the provider kind installs), and
 * a pasted public key saved to the profile with the Profile page's checks (lib/schemas/ssh-key.ts
 * here, the key's format on the server), then chosen.
 */
export function SshKeyChoice({
  keys,
  chosen,
  maxKeys,
  kindLabel,
  error,
  onChange,
  onSaved,
}: {
  keys: Key[];
  chosen: string[];
  maxKeys: number;
  kindLabel: string;
  error?: string;
  onChange: (ids: string[]) => void;
  onSaved: (key: Key) => void;
}) {
  const errorId = useId();
  const [adding, setAdding] = useState(keys.length === 0);
  const [name, setName] = useState("");
  const [text, setText] = useState("");
  const [problem, setProblem] = useState<string | null>(null);
  const [saving, startSaving] = useTransition();

  const save = () =>
    startSaving(async () => {
      // The Profile page's schema, loaded only when a key is saved (zod stays out of the wizard's first load).
      const { sshKeySchema } = await import("@/lib/schemas/ssh-key");
      const parsed = sshKeySchema.safeParse({ name, publicKey: text });
      if (!parsed.success) return setProblem(parsed.error.issues[0]?.message ?? "Check the key");
      setProblem(null);
      const result = await saveSshKeyAction(parsed.data);
      if (!result.ok) return setProblem(result.error);
      onSaved(result.data);
      setName("");
      setText("");
      setAdding(false);
    });

  return (
    <div className="space-y-3">
      {keys.length ? (
        <fieldset className="space-y-2" aria-describedby={error ? errorId : undefined}>
          <legend className="text-sm font-medium text-slate-800">
            SSH keys to install{maxKeys === 1 ? ` (${kindLabel} installs one)` : ""}
          </legend>
          {keys.map((k) => (
            <label key={k.id} className="flex items-start gap-2 text-sm">
              <input
                type="checkbox"
                className="mt-0.5"
                checked={chosen.includes(k.id)}
                onChange={(e) => onChange(e.target.checked ? (maxKeys === 1 ? [k.id] : [...chosen, k.id]) : chosen.filter((id) => id !== k.id))}
              />
              <span>
                {k.name} <span className="font-mono text-xs break-all text-slate-600">{k.fingerprint}</span>
              </span>
            </label>
          ))}
          {error ? (
            <p id={errorId} role="alert" className="text-xs text-red-700">
              {error}
            </p>
          ) : null}
        </fieldset>
      ) : (
        <>
          <p className="text-sm text-slate-600">You have no saved SSH keys yet: paste one to save it to your profile and use it.</p>
          {/* Next with no key at all must say why it does not go on. */}
          {error ? (
            <p id={errorId} role="alert" className="text-xs text-red-700">
              {error}
            </p>
          ) : null}
        </>
      )}
      {adding ? (
        <div className="space-y-3 rounded-md border border-slate-200 p-3">
          <Field id="new-key-text" label="Public key" error={problem ?? undefined}>
            <textarea
              id="new-key-text"
              rows={3}
              value={text}
              onChange={(e) => setText(e.target.value)}
              placeholder="ssh-ed25519 AAAA… you@host"
              className="block w-full rounded-md border-0 bg-white px-3 py-2 font-mono text-xs text-slate-900 shadow-xs ring-1 ring-inset ring-slate-300 focus:ring-2 focus:ring-inset focus:ring-indigo-600"
            />
          </Field>
          <Field id="new-key-name" label="Key name" hint="Optional: defaults to the key's comment.">
            <Input id="new-key-name" value={name} onChange={(e) => setName(e.target.value)} placeholder="e.g. laptop" />
          </Field>
          <div className="flex flex-wrap gap-2">
            <Button size="sm" busy={saving} onClick={save}>
              Save to my profile and use it
            </Button>
            {keys.length ? (
              <Button size="sm" variant="secondary" onClick={() => setAdding(false)}>
                Cancel
              </Button>
            ) : null}
          </div>
        </div>
      ) : (
        <Button size="sm" variant="secondary" onClick={() => setAdding(true)}>
          Paste a new key
        </Button>
      )}
    </div>
  );
}
