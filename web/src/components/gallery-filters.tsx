import { useId, useState, type FormEvent, type ReactNode } from 'react';
import { useSearchParams } from 'react-router';
import {
  activeFilters,
  DURATION_STEPS,
  durationLabel,
  filterProblems,
  readFilters,
  RESOLUTION_STEPS,
  resolutionLabel,
  SORTS,
  updateFilters,
  writeFilters,
  type FilterProblem,
  type GalleryFilters,
} from '../lib/gallery-query.ts';

/**
 * The gallery's filters live in the URL query, so a filtered gallery can be shared,
 * survives a reload, and the back button steps through earlier filters.
 */
export function useGalleryFilters(): [GalleryFilters, (changes: Partial<GalleryFilters>) => void] {
  const [params, setParams] = useSearchParams();
  const filters = readFilters(params);
  return [filters, (changes) => setParams(writeFilters(updateFilters(filters, changes)))];
}

/**
 * Search, then a compact bar of range filters (length, resolution, upload date) and the
 * sort. Each pair of bounds is a labelled group; bounds that would make a range empty
 * are disabled in the other list; on narrow screens the bar folds behind a button.
 * Active filters are listed as chips, each removable, with dates in the viewer's locale.
 */
export function GalleryFilterBar({
  filters,
  onChange,
}: {
  filters: GalleryFilters;
  onChange: (changes: Partial<GalleryFilters>) => void;
}) {
  const id = useId();
  const [open, setOpen] = useState(false);
  const active = activeFilters(filters);
  const problems = filterProblems(filters);
  const panelId = `${id}-panel`;
  const problemsId = `${id}-problems`;

  const onSearch = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const q = new FormData(event.currentTarget).get('q');
    onChange({ q: typeof q === 'string' ? q.trim() : '' });
  };
  const invalid = (range: FilterProblem['range']) =>
    problems.some((problem) => problem.range === range)
      ? { 'aria-invalid': true, 'aria-describedby': problemsId }
      : {};

  return (
    <section aria-label="Search and filters" className="space-y-3">
      <div className="flex gap-2">
        <form role="search" className="flex flex-1 gap-2" onSubmit={onSearch}>
          <label htmlFor={`${id}-q`} className="sr-only">
            Search videos
          </label>
          <input
            id={`${id}-q`}
            name="q"
            type="search"
            className="field-input mt-0 min-w-0 flex-1"
            placeholder="Search titles and descriptions"
            defaultValue={filters.q ?? ''}
            key={filters.q ?? ''}
          />
          <button type="submit" className="btn-primary">
            Search
          </button>
        </form>
        <button
          type="button"
          className="btn-secondary sm:hidden"
          aria-expanded={open}
          aria-controls={panelId}
          onClick={() => setOpen(!open)}
        >
          Filters
          {active.length > 0 && (
            <span className="rounded-full bg-indigo-600 px-1.5 text-xs text-white">
              <span className="sr-only">, </span>
              {active.length}
              <span className="sr-only"> active</span>
            </span>
          )}
        </button>
      </div>

      <div
        id={panelId}
        className={`${open ? 'grid' : 'hidden'} grid-cols-1 gap-3 sm:grid sm:grid-cols-2 lg:grid-cols-[repeat(3,minmax(0,1fr))_minmax(0,0.7fr)]`}
      >
        <StepRange
          id={`${id}-duration`}
          legend="Length"
          min={filters.minDuration}
          max={filters.maxDuration}
          steps={DURATION_STEPS}
          format={durationLabel}
          onChange={(bound, value) =>
            onChange(bound === 'min' ? { minDuration: value } : { maxDuration: value })
          }
          invalid={invalid('duration')}
        />
        <StepRange
          id={`${id}-resolution`}
          legend="Resolution"
          min={filters.minResolution}
          max={filters.maxResolution}
          steps={RESOLUTION_STEPS}
          format={resolutionLabel}
          onChange={(bound, value) =>
            onChange(bound === 'min' ? { minResolution: value } : { maxResolution: value })
          }
          invalid={invalid('resolution')}
        />
        <Range legend="Uploaded">
          <div className="min-w-0 flex-1">
            <label htmlFor={`${id}-after`} className="text-xs text-slate-600 dark:text-slate-400">
              Since
            </label>
            <input
              id={`${id}-after`}
              type="date"
              className="field-input mt-0.5"
              value={filters.after ?? ''}
              max={filters.before}
              onChange={(event) => onChange({ after: event.target.value })}
              {...invalid('uploaded')}
            />
          </div>
          <div className="min-w-0 flex-1">
            <label htmlFor={`${id}-before`} className="text-xs text-slate-600 dark:text-slate-400">
              Before
            </label>
            <input
              id={`${id}-before`}
              type="date"
              className="field-input mt-0.5"
              value={filters.before ?? ''}
              min={filters.after}
              onChange={(event) => onChange({ before: event.target.value })}
              {...invalid('uploaded')}
            />
          </div>
        </Range>
        <div className="min-w-0">
          <label htmlFor={`${id}-sort`} className="text-sm font-medium">
            Sort by
          </label>
          <select
            id={`${id}-sort`}
            className="field-input mt-0.5"
            value={filters.sort && Object.hasOwn(SORTS, filters.sort) ? filters.sort : ''}
            onChange={(event) => onChange({ sort: event.target.value })}
          >
            <option value="">Newest first</option>
            {Object.entries(SORTS).map(([value, { label }]) => (
              <option key={value} value={value}>
                {label}
              </option>
            ))}
          </select>
        </div>
      </div>

      <div id={problemsId} role="alert" className="text-sm text-red-700 dark:text-red-400">
        {problems.map((problem) => (
          <p key={problem.range}>{problem.message}</p>
        ))}
      </div>

      {active.length > 0 && (
        <div className="flex flex-wrap items-center gap-2" aria-label="Active filters" role="group">
          {active.map((filter) => (
            <span
              key={filter.keys.join()}
              className="inline-flex items-center gap-1 rounded-full bg-slate-100 py-0.5 pr-1 pl-3 text-sm dark:bg-slate-800"
            >
              {filter.label}
              <button
                type="button"
                className="rounded-full px-1.5 text-slate-600 hover:bg-slate-200 dark:text-slate-300 dark:hover:bg-slate-700"
                aria-label={`Remove filter: ${filter.label}`}
                onClick={() => onChange(Object.fromEntries(filter.keys.map((key) => [key, ''])))}
              >
                <span aria-hidden="true">×</span>
              </button>
            </span>
          ))}
          <button
            type="button"
            className="text-sm text-indigo-700 underline dark:text-indigo-300"
            onClick={() =>
              onChange({
                q: '',
                minDuration: '',
                maxDuration: '',
                minResolution: '',
                maxResolution: '',
                after: '',
                before: '',
              })
            }
          >
            Clear filters
          </button>
        </div>
      )}
    </section>
  );
}

/** Whether bound `low` is above bound `high` (either unset or unreadable means no). */
function above(low: string | number | undefined, high: string | number | undefined): boolean {
  if (low === undefined || high === undefined || low === '' || high === '') return false;
  return Number(low) > Number(high);
}

function Range({ legend, children }: { legend: string; children: ReactNode }) {
  return (
    <fieldset className="min-w-0">
      <legend className="text-sm font-medium">{legend}</legend>
      <div className="flex gap-2">{children}</div>
    </fieldset>
  );
}

/** A range picked from fixed steps: a Min and a Max list, each ruling out the other's empty side. */
function StepRange({
  id,
  legend,
  min,
  max,
  steps,
  format,
  onChange,
  invalid,
}: {
  id: string;
  legend: string;
  min: string | undefined;
  max: string | undefined;
  steps: readonly number[];
  format: (step: number) => string;
  onChange: (bound: 'min' | 'max', value: string) => void;
  invalid: object;
}) {
  return (
    <Range legend={legend}>
      <Bound
        id={`${id}-min`}
        label="Min"
        value={min}
        any="Any"
        steps={steps}
        format={format}
        disabledWhen={(step) => above(step, max)}
        onChange={(value) => onChange('min', value)}
        invalid={invalid}
      />
      <Bound
        id={`${id}-max`}
        label="Max"
        value={max}
        any="Any"
        steps={steps}
        format={format}
        disabledWhen={(step) => above(min, step)}
        onChange={(value) => onChange('max', value)}
        invalid={invalid}
      />
    </Range>
  );
}

function Bound({
  id,
  label,
  value,
  any,
  steps,
  format,
  disabledWhen,
  onChange,
  invalid,
}: {
  id: string;
  label: string;
  value: string | undefined;
  any: string;
  steps: readonly number[];
  format: (step: number) => string;
  disabledWhen: (step: number) => boolean;
  onChange: (value: string) => void;
  invalid: object;
}) {
  // A shared link may carry a bound the list does not offer; it is shown, not dropped.
  const current = value !== undefined && Number.isFinite(Number(value)) ? Number(value) : undefined;
  const options =
    current === undefined || steps.includes(current)
      ? steps
      : [...steps, current].sort((a, b) => a - b);
  return (
    <div className="min-w-0 flex-1">
      <label htmlFor={id} className="text-xs text-slate-600 dark:text-slate-400">
        {label}
      </label>
      <select
        id={id}
        className="field-input mt-0.5"
        value={current === undefined ? '' : String(current)}
        onChange={(event) => onChange(event.target.value)}
        {...invalid}
      >
        <option value="">{any}</option>
        {options.map((step) => (
          <option key={step} value={String(step)} disabled={disabledWhen(step)}>
            {format(step)}
          </option>
        ))}
      </select>
    </div>
  );
}
