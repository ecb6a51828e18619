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
