import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, redactCredentials } from '../../src/config.js';

describe('loadConfig', () => {
  it('starts with defaults that work when nothing is set', () => {
    expect(loadConfig({})).toMatchObject({
      port: 3000,
      host: '0.0.0.0',
      dataDir: './data',
      logLevel: 'info',
      apiKeys: undefined,
      bodyLimitBytes: 1024 * 1024,
    });
  });

  it('treats empty variables as unset', () => {
    expect(loadConfig({ PORT: '', DATA_DIR: '' })).toMatchObject({ port: 3000, dataDir: './data' });
  });

  it.each([
    [{ PORT: 'abc' }, 'PORT'],
    [{ PORT: '70000' }, 'PORT'],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL'],
    [{ API_KEYS: 'not json' }, 'API_KEYS'],
    [{ API_KEYS: '[{"id":"a","secret":"short","scopes":["admin"]}]' }, 'API_KEYS'],
    [{ API_KEYS: '[{"id":"a","secret":"long-enough-secret","scopes":["root"]}]' }, 'API_KEYS'],
    [{ BODY_LIMIT_BYTES: '-1' }, 'BODY_LIMIT_BYTES'],
  ])('refuses %j with a message naming the variable', (env, name) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(name);
  });

  it('refuses duplicate API key ids', () => {
    const keys = [
      { id: 'a', secret: 'long-enough-secret-1', scopes: ['admin'] },
      { id: 'a', secret: 'long-enough-secret-2', scopes: ['admin'] },
    ];
    expect(() => loadConfig({ API_KEYS: JSON.stringify(keys) })).toThrow('duplicate id a');
  });

  it('keeps only the hash of a configured secret', () => {
    const config = loadConfig({
      API_KEYS: JSON.stringify([
        { id: 'svc', secret: 'long-enough-secret', scopes: ['finance:write'] },
      ]),
    });
    expect(config.apiKeys).toEqual([
      {
        id: 'svc',
        scopes: ['finance:write'],
        // sha256('long-enough-secret'), computed independently with sha256sum
        secretSha256: 'afdffb35fb5bbc41f5c88d3c08263a6ba5cb4a83b7e0d2d4c367a32f3bc07504',
      },
    ]);
    expect(JSON.stringify(config.apiKeys)).not.toContain('long-enough-secret');
  });

  it('takes a MongoDB connection string for the read models and refuses anything else', () => {
    const config = loadConfig({ MONGODB_URL: 'mongodb://localhost:27017' });
    expect(config.mongoUrl).toBe('mongodb://localhost:27017');
    expect(config.mongoDatabase).toBe('backoffice');
    expect(loadConfig({}).mongoUrl).toBeUndefined();
    expect(() => loadConfig({ MONGODB_URL: 'localhost:27017' })).toThrow(/MONGODB_URL/);
    expect(() => loadConfig({ MONGODB_DATABASE: 'a/b' })).toThrow(/MONGODB_DATABASE/);
  });

  it('takes an EventStoreDB connection string and refuses anything else', () => {
    expect(loadConfig({ EVENTSTORE_URL: 'esdb://localhost:2113?tls=false' }).eventStoreUrl).toBe(
      'esdb://localhost:2113?tls=false',
    );
    expect(() => loadConfig({ EVENTSTORE_URL: 'http://localhost:2113' })).toThrow(/EVENTSTORE_URL/);
  });

  it('masks the password of a connection string for logs', () => {
    expect(redactCredentials('esdb://admin:changeit@db:2113?tls=true')).toBe(
      'esdb://admin:***@db:2113?tls=true',
    );
    expect(redactCredentials('esdb://db:2113')).toBe('esdb://db:2113');
  });
});
