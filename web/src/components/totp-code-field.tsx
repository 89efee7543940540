/** The 6-digit authenticator code field, the same at sign-in and in account settings. */
export function TotpCodeField({
  id,
  value,
  onChange,
  help,
}: {
  id: string;
  value: string;
  onChange: (code: string) => void;
  /** Shown under the field and announced with it. */
  help?: string;
}) {
  return (
    <>
      <label htmlFor={id} className="field-label">
        Authentication code
      </label>
      <input
        id={id}
        className="field-input tracking-widest"
        inputMode="numeric"
        autoComplete="one-time-code"
        pattern="[0-9]{6}"
        maxLength={6}
        required
        autoFocus
        {...(help ? { 'aria-describedby': `${id}-help` } : {})}
        value={value}
        onChange={(event) => onChange(event.target.value.replace(/\D/g, ''))}
      />
      {help && (
        <p id={`${id}-help`} className="mt-1 text-xs text-slate-500">
          {help}
        </p>
      )}
    </>
  );
}
