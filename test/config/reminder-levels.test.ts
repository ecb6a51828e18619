import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';
import { remindersModule } from '../../src/http/reminders/reminders-module.js';

const levelsOf = (env: Record<string, string>) =>
  (loadConfig(env, [remindersModule]).modules.reminders as { levels: number[] }).levels;

describe('REMINDER_LEVELS', () => {
  it('defaults to 7, 21 and 45 days overdue, unset or empty', () => {
    expect(levelsOf({})).toEqual([7, 21, 45]);
    expect(levelsOf({ REMINDER_LEVELS: '' })).toEqual([7, 21, 45]);
  });

  it('takes ascending whole days, spaces allowed', () => {
    expect(levelsOf({ REMINDER_LEVELS: '3' })).toEqual([3]);
    expect(levelsOf({ REMINDER_LEVELS: '10, 30,60,90' })).toEqual([10, 30, 60, 90]);
  });

  it.each([
    ['0,7', 'from 1 to 3650'],
    ['7,21,21', 'strictly ascending'],
    ['21,7', 'strictly ascending'],
    ['7,,21', 'whole number'],
    ['7.5', 'whole number'],
    ['-7', 'whole number'],
    ['1,2,3,4,5,6,7,8,9,10', 'at most 9 levels'],
    ['3651', 'from 1 to 3650'],
    ['seven', 'whole number'],
  ])('refuses %j, naming the variable', (value, message) => {
    const load = () => loadConfig({ REMINDER_LEVELS: value }, [remindersModule]);
    expect(load).toThrow(ConfigError);
    expect(load).toThrow('REMINDER_LEVELS');
    expect(load).toThrow(message);
  });
});
