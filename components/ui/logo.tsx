export function Logo({ className = "h-7 w-7" }: { className?: string }) {
  return (
    <svg viewBox="0 0 32 32" className={className} aria-hidden>
      <rect width="32" height="32" rx="7" fill="#4f46e5" />
      <path d="M6 16 16 8l10 8v9H6z" fill="none" stroke="#fff" strokeWidth="2.2" strokeLinejoin="round" />
      <path d="M11 25v-6h10v6" fill="none" stroke="#c7d2fe" strokeWidth="2.2" />
    </svg>
  );
}
