/** Accounting dates are calendar days (YYYY-MM-DD) with no time zone; periods are months (YYYY-MM). */
export type AccountingDate = string & { readonly __brand: 'AccountingDate' };
export type PeriodId = string & { readonly __brand: 'PeriodId' };

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const PERIOD = /^(\d{4})-(\d{2})$/;

export function isAccountingDate(value: string): value is AccountingDate {
  const match = DATE.exec(value);
  if (!match) return false;
  const [year, month, day] = match.slice(1).map(Number) as [number, number, number];
  if (year < 1 || month < 1 || month > 12 || day < 1) return false;
  return day <= daysInMonth(year, month);
}

export function isPeriodId(value: string): value is PeriodId {
  const match = PERIOD.exec(value);
  if (!match) return false;
  const month = Number(match[2]);
  return month >= 1 && month <= 12;
}

export function periodOf(date: AccountingDate): PeriodId {
  return date.slice(0, 7) as PeriodId;
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31] as const;

function daysInMonth(year: number, month: number): number {
  // Arithmetic, not Date: Date.UTC reads years 0-99 as 1900-1999.
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  return month === 2 && leap ? 29 : DAYS_IN_MONTH[month - 1]!;
}

const DAY_MS = 86_400_000;

function toUtcMs(date: AccountingDate): number {
  const [year, month, day] = date.split('-').map(Number) as [number, number, number];
  const at = new Date(0);
  // setUTCFullYear, not Date.UTC: the latter reads years 0-99 as 1900-1999.
  at.setUTCFullYear(year, month - 1, day);
  return at.getTime();
}

function fromUtcMs(ms: number): AccountingDate {
  const at = new Date(ms);
  const year = String(at.getUTCFullYear()).padStart(4, '0');
  const month = String(at.getUTCMonth() + 1).padStart(2, '0');
  const day = String(at.getUTCDate()).padStart(2, '0');
  return `${year}-${month}-${day}` as AccountingDate;
}

/** The calendar date `days` days after `date` (before it when negative). */
export function addDays(date: AccountingDate, days: number): AccountingDate {
  return fromUtcMs(toUtcMs(date) + days * DAY_MS);
}

/** Whole days from `from` to `to`: positive when `to` is later. */
export function daysBetween(from: AccountingDate, to: AccountingDate): number {
  return Math.round((toUtcMs(to) - toUtcMs(from)) / DAY_MS);
}

const UTC_TIMESTAMP = /^(\d{4}-\d{2}-\d{2})T([01]\d|2[0-3]):[0-5]\d:[0-5]\d(?:\.\d{1,9})?Z$/;

/** `YYYY-MM-DDTHH:MM:SS(.sss)Z` on a calendar day: how the service's clock writes instants. */
export function isUtcTimestamp(value: string): boolean {
  const match = UTC_TIMESTAMP.exec(value);
  return match !== null && isAccountingDate(match[1]!);
}

/** The last day of a month: a lock date through `period`. */
export function lastDayOf(period: PeriodId): AccountingDate {
  const [year, month] = period.split('-').map(Number) as [number, number];
  return `${period}-${String(daysInMonth(year, month)).padStart(2, '0')}` as AccountingDate;
}

/** The month before `period`. */
export function previousPeriod(period: PeriodId): PeriodId {
  const [year, month] = period.split('-').map(Number) as [number, number];
  return (
    month === 1
      ? `${String(year - 1).padStart(4, '0')}-12`
      : `${String(year).padStart(4, '0')}-${String(month - 1).padStart(2, '0')}`
  ) as PeriodId;
}
