/** An accessible progress bar (0..100). */
export function ProgressBar({
  value,
  label,
  valueText,
  tone = 'indigo',
  size = 'md',
  testId,
}: {
  value: number;
  label: string;
  valueText?: string | undefined;
  tone?: 'indigo' | 'emerald' | 'red' | 'slate';
  size?: 'sm' | 'md';
  testId?: string;
}) {
  const clamped = Math.min(Math.max(value, 0), 100);
  const colors = {
    indigo: 'bg-indigo-600',
    emerald: 'bg-emerald-600',
    red: 'bg-red-600',
    slate: 'bg-slate-400',
  } as const;
  return (
    <div
      role="progressbar"
      aria-label={label}
      aria-valuemin={0}
      aria-valuemax={100}
      aria-valuenow={Math.round(clamped)}
      aria-valuetext={valueText ?? `${Math.round(clamped)}%`}
      data-testid={testId}
      className={`w-full overflow-hidden rounded-full bg-slate-200 dark:bg-slate-800 ${size === 'sm' ? 'h-1.5' : 'h-3'}`}
    >
      <div
        className={`h-full rounded-full transition-[width] duration-300 ${colors[tone]}`}
        style={{ width: `${clamped}%` }}
      />
    </div>
  );
}
